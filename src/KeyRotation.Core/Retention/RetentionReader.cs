using System.Globalization;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using Amazon.Runtime;
using Amazon.S3;
using KeyRotation.Core.History;
using KeyRotation.Core.KeyMaterial;
using KeyRotation.Core.Protocol;

namespace KeyRotation.Core.Retention;

/// <summary>
/// Reads an alias's chain for retention and verifies it before anything may be touched: walking back from the alias's
/// current key along previous-key, each older key must name the newer one as its successor, and each key this tool
/// created must carry the alias's name and be the target of the marker alias of its move. Tags alone prove nothing (the
/// rotation role can write keyrotation: tags on any key it creates); the marker aliases can only be made by this tool
/// for keys already behind the alias. Read-only.
/// </summary>
internal sealed class RetentionReader
{
    private const int MaxChainLength = 1000;

    private readonly IAmazonKeyManagementService _kms;
    private readonly IAmazonS3? _s3;
    private readonly EscrowLocation? _escrow;
    private readonly KmsCalls _calls;
    private readonly AliasStateReader _states;

    public RetentionReader(IAmazonKeyManagementService kms, IAmazonS3? s3, EscrowLocation? escrow)
    {
        _kms = kms;
        _s3 = s3;
        _escrow = escrow;
        _calls = new KmsCalls(kms);
        _states = new AliasStateReader(kms);
    }

    /// <summary>Every alias of the account and Region (ListAliases is not authorized per alias, so one listing serves all).</summary>
    public Task<List<AliasListEntry>> ListAliasesAsync(CancellationToken ct) => KmsCalls.CallAsync("ListAliases", async () =>
    {
        var all = new List<AliasListEntry>();
        await foreach (var entry in _kms.Paginators.ListAliases(new ListAliasesRequest()).Aliases.WithCancellation(ct))
        {
            all.Add(entry);
        }

        return all;
    });

    public async Task<RetentionView> ReadAsync(string alias, IReadOnlyList<AliasListEntry> aliases, CancellationToken ct)
    {
        var markers = Markers(alias, aliases);
        var head = await _calls.DescribeAsync(alias, ct);
        if (head is null)
        {
            return new RetentionView { Alias = alias, Keys = [], Problem = $"Alias {alias} does not exist in this account and Region." };
        }

        var keys = new List<RetentionKey>();
        var next = head.KeyId;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        long generationIfUntagged = 0;
        while (next is not null && seen.Add(next) && keys.Count < MaxChainLength)
        {
            var metadata = keys.Count == 0 ? head : await _calls.DescribeAsync(next, ct);
            if (metadata is null)
            {
                break; // Deleted: nothing older can be reached, and nothing older needs retention.
            }

            var tags = await _calls.TagsAsync(metadata.KeyId, ct);
            var generation = KeyChainReader.ReadLong(tags, RotationTags.Generation, Math.Max(1, generationIfUntagged - 1));
            generationIfUntagged = generation;
            keys.Add(new RetentionKey
            {
                KeyId = metadata.KeyId,
                Arn = metadata.Arn,
                Index = keys.Count,
                Generation = generation,
                KeyState = metadata.KeyState?.Value ?? "Unknown",
                Origin = metadata.Origin?.Value,
                DeletionDate = metadata.DeletionDate is { } d ? new DateTimeOffset(DateTime.SpecifyKind(d, DateTimeKind.Utc)) : null,
                Tags = tags,
                OtherAliases = [.. aliases.Where(a => a.TargetKeyId == metadata.KeyId && a.AliasName != alias && !markers.Any(m => m.Name == a.AliasName)).Select(a => a.AliasName)],
            });
            next = tags.GetValueOrDefault(RotationTags.PreviousKey);
        }

        var view = new RetentionView { Alias = alias, Keys = keys, Markers = markers };
        if (Verify(alias, keys, markers) is { } problem)
        {
            return view with { Problem = problem };
        }

        if (MoveInProgress.Describe(await _states.ReadAsync(alias, ct)) is { } inProgress)
        {
            return view with { InProgress = inProgress };
        }

        for (var i = 1; i < keys.Count; i++)
        {
            if (keys[i].Origin == OriginType.EXTERNAL.Value && keys[i].KeyState != KeyState.PendingDeletion.Value)
            {
                keys[i] = keys[i] with { EscrowConfirmed = await EscrowExistsAsync(alias, keys[i], ct) };
            }
        }

        return view;
    }

    /// <summary>Null when every link of the chain holds both ways and every key this tool created has its marker; else what is wrong.</summary>
    internal static string? Verify(string alias, IReadOnlyList<RetentionKey> keys, IReadOnlyList<MarkerAliasEntry> markers)
    {
        for (var i = 0; i < keys.Count; i++)
        {
            var key = keys[i];
            if (i > 0 && key.Tags.GetValueOrDefault(RotationTags.SuccessorKey) != keys[i - 1].KeyId)
            {
                return $"{keys[i - 1].KeyId} names {key.KeyId} as its previous key, but {key.KeyId} names {key.Tags.GetValueOrDefault(RotationTags.SuccessorKey) ?? "no key"} as its successor: the chain of {alias} is not one this tool wrote; retention leaves it alone.";
            }

            if (!key.CreatedByTool)
            {
                continue;
            }

            if (key.Tags.GetValueOrDefault(RotationTags.Alias) != alias)
            {
                return $"{key.KeyId} is in the chain of {alias} but tagged for {key.Tags.GetValueOrDefault(RotationTags.Alias) ?? "no alias"}; retention leaves {alias} alone.";
            }

            var sequence = KeyChainReader.ReadLong(key.Tags, RotationTags.Sequence, 0);
            var marker = sequence < 1 ? null : RotationTags.MarkerAlias(alias, sequence);
            if (marker is null || !markers.Any(m => m.Name == marker && m.TargetKeyId == key.KeyId))
            {
                return $"{key.KeyId} is in the chain of {alias} but is not the target of the marker alias of its move ({marker ?? "no move number"}): it is not a key this tool moved {alias} to; retention leaves {alias} alone.";
            }
        }

        return null;
    }

    /// <summary>The alias's own marker and takeover aliases: alias/keyrotation/&lt;name&gt;/&lt;n&gt; and .../&lt;n&gt;-takeover-&lt;k&gt;.</summary>
    internal static List<MarkerAliasEntry> Markers(string alias, IEnumerable<AliasListEntry> aliases)
    {
        var prefix = RotationTags.MarkerAliasPrefix + AliasNames.WithoutPrefix(alias) + "/";
        var found = new List<MarkerAliasEntry>();
        foreach (var entry in aliases.Where(a => a.AliasName.StartsWith(prefix, StringComparison.Ordinal)))
        {
            var rest = entry.AliasName[prefix.Length..];
            var takeoverAt = rest.IndexOf("-takeover-", StringComparison.Ordinal);
            var moveText = takeoverAt < 0 ? rest : rest[..takeoverAt];
            var takeoverText = takeoverAt < 0 ? "1" : rest[(takeoverAt + "-takeover-".Length)..];
            if (long.TryParse(moveText, NumberStyles.None, CultureInfo.InvariantCulture, out var move) && move >= 1
                && int.TryParse(takeoverText, NumberStyles.None, CultureInfo.InvariantCulture, out _))
            {
                var updated = entry.LastUpdatedDate ?? entry.CreationDate;
                found.Add(new MarkerAliasEntry(entry.AliasName, move, takeoverAt >= 0, entry.TargetKeyId, updated is { } u ? new DateTimeOffset(DateTime.SpecifyKind(u, DateTimeKind.Utc)) : null));
            }
        }

        return found;
    }

    private async Task<bool> EscrowExistsAsync(string alias, RetentionKey key, CancellationToken ct)
    {
        if (_s3 is null || _escrow is null || key.Tags.GetValueOrDefault(RotationTags.EscrowObject) is not { Length: > 0 } objectName)
        {
            return false;
        }

        try
        {
            // GetObject rather than HeadObject: the role's escrow read permission (s3:GetObject) covers both, and the
            // escrow copy is a small JSON document.
            using (await _s3.GetObjectAsync(new Amazon.S3.Model.GetObjectRequest { BucketName = _escrow.Bucket, Key = _escrow.ObjectKey(alias, objectName) }, ct))
            {
                return true;
            }
        }
        catch (AmazonS3Exception ex) when (ex.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return false;
        }
        catch (AmazonServiceException ex)
        {
            throw new RotationException($"S3 HeadObject of the escrow copy of {key.KeyId} failed: {ex.ErrorCode ?? ex.GetType().Name}: {ex.Message}", ex);
        }
    }
}
