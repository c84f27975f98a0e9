using Amazon.S3.Model;

namespace KeyRotation.Integrations.Consumers.S3;

/// <summary>
/// What HeadObject (with x-amz-checksum-mode ENABLED) shows of an object, and what a copy onto itself must keep: the
/// size, the full-object checksum when it has one, user metadata, the system headers, website redirect, storage class,
/// tag count and bucket-key use. The ETag is not among them: an SSE-KMS object's ETag is not an MD5 of its content (nor
/// is a multipart upload's), and a copy gets a new one, so it only names the version the copy must start from.
/// </summary>
internal sealed record S3ObjectState(
    string ETag,
    string? VersionId,
    string? Sse,
    string? KmsKeyId,
    bool BucketKeyEnabled,
    long Size,
    S3ObjectChecksum? Checksum,
    string StorageClass,
    bool Archived,
    int TagCount,
    IReadOnlyList<KeyValuePair<string, string?>> Kept)
{
    public static S3ObjectState Of(GetObjectMetadataResponse head)
    {
        ArgumentNullException.ThrowIfNull(head);
        var metadata = head.Metadata is null ? [] : head.Metadata.Keys.Order(StringComparer.Ordinal).Select(k => KeyValuePair.Create(k, (string?)head.Metadata[k]));
        return new S3ObjectState(
            head.ETag,
            head.VersionId is null or "null" ? null : head.VersionId,
            head.ServerSideEncryptionMethod?.Value,
            head.ServerSideEncryptionKeyManagementServiceKeyId,
            head.BucketKeyEnabled == true,
            head.Headers.ContentLength,
            S3ObjectChecksum.Of(head),
            head.StorageClass?.Value is { Length: > 0 } storage ? storage : "STANDARD",
            head.ArchiveStatus?.Value is { Length: > 0 },
            head.TagsCount ?? 0,
            [
                KeyValuePair.Create("Content-Type", (string?)head.Headers.ContentType),
                KeyValuePair.Create("Cache-Control", (string?)head.Headers.CacheControl),
                KeyValuePair.Create("Content-Disposition", (string?)head.Headers.ContentDisposition),
                KeyValuePair.Create("Content-Encoding", (string?)head.Headers.ContentEncoding),
                KeyValuePair.Create("Content-Language", (string?)head.Headers.ContentLanguage),
                KeyValuePair.Create("Expires", (string?)head.ExpiresString),
                KeyValuePair.Create("x-amz-website-redirect-location", (string?)head.WebsiteRedirectLocation),
                .. metadata,
            ]);
    }

    /// <summary>What differs between this object and its copy, besides the key and what a copy changes anyway (ETag, version).</summary>
    public IReadOnlyList<string> DifferencesFrom(S3ObjectState copy, string expectedKeyArn)
    {
        ArgumentNullException.ThrowIfNull(copy);
        var differences = new List<string>();
        void Compare(string what, object? before, object? after)
        {
            if (!Equals(before, after))
            {
                differences.Add($"{what} {before ?? "(none)"} -> {after ?? "(none)"}");
            }
        }

        Compare("key", expectedKeyArn, copy.KmsKeyId);
        Compare("encryption", Sse, copy.Sse);
        Compare("size", Size, copy.Size);
        if (Checksum is { FullObject: true })
        {
            Compare(Checksum.Algorithm + " checksum", Checksum.Value, copy.Checksum?.Algorithm == Checksum.Algorithm ? copy.Checksum.Value : null);
        }

        Compare("storage class", StorageClass, copy.StorageClass);
        Compare("tag count", TagCount, copy.TagCount);
        Compare("bucket key", BucketKeyEnabled, copy.BucketKeyEnabled);
        foreach (var name in Kept.Select(k => k.Key).Union(copy.Kept.Select(k => k.Key), StringComparer.Ordinal))
        {
            Compare(name, Kept.FirstOrDefault(k => k.Key == name).Value, copy.Kept.FirstOrDefault(k => k.Key == name).Value);
        }

        return differences;
    }
}
