using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using Amazon.Runtime;
using KeyRotation.Core.KeyMaterial;
using KeyRotation.Core.Protocol;

namespace KeyRotation.Core.Retention;

/// <summary>
/// Reads an alias's chain for retention and verifies it before anything may be touched: walking back from the alias's
/// current key along previous-key, each older key must name the newer one as its successor, and each key this tool
/// created must carry the alias's name and be anchored by the marker alias of its move (pointing at it or, since the
/// marker stays on the old key, at its previous key). Tags alone prove nothing (the
/// rotation role can write this tool's tags on any key it creates); the marker aliases can only be made by this tool
/// for keys already behind the alias. Read-only.
/// </summary>
internal sealed class RetentionReader
{
    private readonly IAmazonKeyManagementService _kms;
    private readonly IEscrowStore? _store;
    private readonly EscrowLocation? _escrow;
    private readonly KmsCalls _calls;
    private readonly AliasStateReader _states;
    private readonly KeyChainReader _chain;

    public RetentionReader(IAmazonKeyManagementService kms, IEscrowStore? store, EscrowLocation? escrow)
    {
        _kms = kms;
        _store = store;
        _escrow = escrow;
        _calls = new KmsCalls(kms);
        _states = new AliasStateReader(kms);
        _chain = new KeyChainReader(kms);
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

        var headTags = await _calls.TagsAsync(head.KeyId, ct);
        var headRecord = KeyRecord.From(headTags);
        var links = new List<ChainLink> { new(head.KeyId, head, headTags, headRecord, headRecord.GenerationOr(1)) };

        // A deleted key ends the chain: nothing older can be reached, and nothing older needs retention.
        links.AddRange((await _chain.WalkAsync(headRecord.PreviousKeyId, head.KeyId, links[0].Generation, KeyChainReader.MaxChainLength - 1, ct)).Where(l => l.Key is not null));
        var keys = new List<RetentionKey>();
        foreach (var link in links)
        {
            var metadata = link.Key!;
            keys.Add(new RetentionKey
            {
                KeyId = metadata.KeyId,
                Arn = metadata.Arn,
                Index = keys.Count,
                Generation = link.Generation,
                KeyState = metadata.KeyState?.Value ?? "Unknown",
                Origin = metadata.Origin?.Value,
                DeletionDate = metadata.DeletionDate is { } d ? new DateTimeOffset(DateTime.SpecifyKind(d, DateTimeKind.Utc)) : null,
                Tags = link.Tags,
                ReplicaRegions = MultiRegionKeys.ReplicaRegions(metadata),
                OtherAliases = [.. aliases.Where(a => a.TargetKeyId == metadata.KeyId && a.AliasName != alias && !markers.Any(m => m.Name == a.AliasName)).Select(a => a.AliasName)],
            });
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
            if (i > 0 && key.Record.SuccessorKeyId != keys[i - 1].KeyId)
            {
                return $"{keys[i - 1].KeyId} names {key.KeyId} as its previous key, but {key.KeyId} names {key.Record.SuccessorKeyId ?? "no key"} as its successor: the chain of {alias} is not one this tool wrote; retention leaves it alone.";
            }

            if (!key.CreatedByTool)
            {
                continue;
            }

            if (key.Record.Alias != alias)
            {
                return $"{key.KeyId} is in the chain of {alias} but tagged for {key.Record.Alias ?? "no alias"}; retention leaves {alias} alone.";
            }

            var sequence = key.Record.Sequence;
            var marker = sequence < 1 ? null : MarkerNames.Marker(alias, sequence);
            if (marker is null || !Anchored(alias, keys, i, marker, markers))
            {
                return $"{key.KeyId} is in the chain of {alias} but is not anchored by the marker alias of its move ({marker ?? "no move number"}, which points at neither it nor its previous key): it is not a key this tool moved {alias} to; retention leaves {alias} alone.";
            }
        }

        return null;
    }

    /// <summary>
    /// Whether the key at <paramref name="index"/> is one this tool moved the alias to: the marker of its move points at
    /// it (a move recorded by an earlier version, or a rollback), or at its previous key (this version's moves keep the
    /// marker on the old key), or, when that previous key was deleted (and its aliases with it), the next move's marker
    /// points at this key.
    /// </summary>
    private static bool Anchored(string alias, IReadOnlyList<RetentionKey> keys, int index, string marker, IReadOnlyList<MarkerAliasEntry> markers)
    {
        var key = keys[index];
        bool Points(string name, string? keyId) => keyId is not null && markers.Any(m => m.Name == name && m.TargetKeyId == keyId);
        if (Points(marker, key.KeyId) || Points(marker, key.Record.PreviousKeyId))
        {
            return true;
        }

        var newer = index > 0 ? keys[index - 1].Record.Sequence : 0;
        return index == keys.Count - 1 && newer > 0 && Points(MarkerNames.Marker(alias, newer), key.KeyId);
    }

    /// <summary>The alias's own marker and takeover aliases: alias/keyrotation/&lt;name&gt;/&lt;n&gt; and .../&lt;n&gt;-takeover-&lt;k&gt;.</summary>
    internal static List<MarkerAliasEntry> Markers(string alias, IEnumerable<AliasListEntry> aliases)
    {
        var found = new List<MarkerAliasEntry>();
        foreach (var entry in aliases)
        {
            if (MarkerNames.TryParse(alias, entry.AliasName, out var move, out var isTakeover))
            {
                var updated = entry.LastUpdatedDate ?? entry.CreationDate;
                found.Add(new MarkerAliasEntry(entry.AliasName, move, isTakeover, entry.TargetKeyId, updated is { } u ? new DateTimeOffset(DateTime.SpecifyKind(u, DateTimeKind.Utc)) : null));
            }
        }

        return found;
    }

    private async Task<bool> EscrowExistsAsync(string alias, RetentionKey key, CancellationToken ct)
    {
        if (_store is null || _escrow is null || key.Record.EscrowObject is not { Length: > 0 } objectName)
        {
            return false;
        }

        try
        {
            return await _store.ExistsAsync(_escrow.Bucket, _escrow.ObjectKey(alias, objectName), ct);
        }
        catch (AmazonServiceException ex)
        {
            throw new RotationException($"S3 HeadObject of the escrow copy of {key.KeyId} failed: {ex.ErrorCode ?? ex.GetType().Name}: {ex.Message}", ex);
        }
    }
}
