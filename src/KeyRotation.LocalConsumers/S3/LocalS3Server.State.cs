namespace KeyRotation.LocalConsumers.S3;

/// <summary>
/// The buckets and objects as data, so an S3 that stops can start again where it was (the CLI sandbox keeps them in a
/// file between commands): each bucket's Region, default encryption, versioning and every version of every object,
/// and the write count that the next version id and ETag follow on from. The test knobs (a bucket's Denied operations,
/// <see cref="OnCall"/>, <see cref="LoseAnswer"/>, <see cref="IgnoreBucketRegion"/>) are not state.
/// </summary>
internal sealed partial class LocalS3Server
{
    public LocalS3Resources ExportResources()
    {
        lock (_gate)
        {
            return new LocalS3Resources(
                [.. _buckets.Values.OrderBy(b => b.Name, StringComparer.Ordinal).Select(b => new LocalS3BucketResources(
                    b.Name,
                    b.Region,
                    b.Encryption is null ? null : [.. b.Encryption],
                    b.Versioning,
                    b.Objects.OrderBy(o => o.Key, StringComparer.Ordinal).ToDictionary(o => o.Key, o => (IReadOnlyList<LocalS3Object>)[.. o.Value], StringComparer.Ordinal)))],
                _writes);
        }
    }

    /// <summary>Replaces every bucket and object with those of <paramref name="resources"/> (from <see cref="ExportResources"/>).</summary>
    public void ImportResources(LocalS3Resources resources)
    {
        ArgumentNullException.ThrowIfNull(resources);
        var buckets = new Dictionary<string, LocalS3Bucket>(StringComparer.Ordinal);
        foreach (var saved in resources.Buckets)
        {
            var bucket = new LocalS3Bucket(saved.Name, saved.Region) { Encryption = saved.Encryption is null ? null : [.. saved.Encryption], Versioning = saved.Versioning };
            foreach (var (key, versions) in saved.Objects)
            {
                if (versions.Count == 0 || versions.Any(v => v.Key != key))
                {
                    throw new ArgumentException($"The object {saved.Name}/{key} has no version, or a version of another key.", nameof(resources));
                }

                bucket.Objects.Add(key, [.. versions]);
            }

            if (!buckets.TryAdd(saved.Name, bucket))
            {
                throw new ArgumentException($"The bucket {saved.Name} is listed twice.", nameof(resources));
            }
        }

        lock (_gate)
        {
            _buckets.Clear();
            foreach (var (name, bucket) in buckets)
            {
                _buckets.Add(name, bucket);
            }

            _writes = resources.Writes;
        }
    }
}

/// <summary>Every bucket of <see cref="LocalS3Server"/>, and how many writes it has made (version ids and ETags go on from there).</summary>
internal sealed record LocalS3Resources(IReadOnlyList<LocalS3BucketResources> Buckets, int Writes);

/// <summary>One bucket: its Region, default encryption rules (null: none), versioning status and each key's versions, oldest first.</summary>
internal sealed record LocalS3BucketResources(string Name, string Region, IReadOnlyList<LocalS3EncryptionRule>? Encryption, string Versioning, IReadOnlyDictionary<string, IReadOnlyList<LocalS3Object>> Objects);
