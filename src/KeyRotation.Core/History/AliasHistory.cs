using Amazon.KeyManagementService;
using KeyRotation.Core.Protocol;

namespace KeyRotation.Core.History;

/// <summary>
/// The status of an alias: its current key, the earlier generations found through the rotation tags,
/// generations a rollback undid, and a rotation left in progress (a claimed or recorded marker alias for
/// the next move, or a current key still tagged pending). Reads only.
/// </summary>
public sealed class AliasHistory
{
    private readonly KeyChainReader _reader;
    private readonly AliasStateReader _states;
    private readonly AliasSnapshot? _snapshot;
    private readonly ReplicaRegions _replicas;

    /// <param name="kms">KMS in the alias's Region.</param>
    /// <param name="regions">KMS in the replica Regions of a multi-Region key; without it, replicas are listed but not read.</param>
    public AliasHistory(IAmazonKeyManagementService kms, KmsRegionClients? regions = null)
        : this(kms, null, regions)
    {
    }

    /// <summary>With a <paramref name="snapshot"/> of every alias (one ListAliases), marker aliases are read from it, not described one by one.</summary>
    internal AliasHistory(IAmazonKeyManagementService kms, AliasSnapshot? snapshot, KmsRegionClients? regions = null)
    {
        _reader = new KeyChainReader(kms);
        _states = new AliasStateReader(kms);
        _snapshot = snapshot;
        _replicas = new ReplicaRegions(regions);
    }

    /// <summary>The alias's status; throws <see cref="RotationException"/> when the alias does not exist.</summary>
    public async Task<AliasStatus> GetAsync(string alias, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(alias);
        var key = await _reader.DescribeAsync(alias, cancellationToken)
            ?? throw new RotationException($"Alias {alias} does not exist in this account and Region.");
        var tags = await _reader.TagsAsync(key.KeyId, cancellationToken);
        var current = KeyChainReader.ToGeneration(key, tags);
        var earlier = await _reader.EarlierAsync(current, cancellationToken);

        var rolledBack = new List<KeyGeneration>();
        var seen = new HashSet<string>(StringComparer.Ordinal) { current.KeyId };
        seen.UnionWith(earlier.Select(k => k.KeyId));
        foreach (var keyId in await RestoredFromAsync(current.KeyId, tags, earlier, cancellationToken))
        {
            if (seen.Add(keyId))
            {
                rolledBack.Add((await _reader.ReadAsync(keyId, 0, cancellationToken)).Generation);
            }
        }

        // One history: each generation with the new materials KMS gave it in place.
        current = await _reader.WithMaterialRotationsAsync(current, cancellationToken);
        for (var i = 0; i < earlier.Count; i++)
        {
            earlier[i] = await _reader.WithMaterialRotationsAsync(earlier[i], cancellationToken);
        }

        return new AliasStatus
        {
            Alias = alias,
            Current = current,
            Earlier = earlier,
            RolledBack = rolledBack,
            InProgress = await InProgressAsync(alias, key, tags, cancellationToken),
            Replicas = await _replicas.ReadAsync(alias, key, cancellationToken),
        };
    }

    private async Task<List<string>> RestoredFromAsync(string currentKeyId, Dictionary<string, string> currentTags, List<KeyGeneration> earlier, CancellationToken ct)
    {
        var found = new List<string>();
        if (KeyRecord.From(currentTags).RestoredFrom is { } fromCurrent)
        {
            found.Add(fromCurrent);
        }

        // Earlier keys' tags were read during the walk but not kept; only keys a rollback restored carry restored-at.
        foreach (var key in earlier.Where(k => k.RestoredAt is not null))
        {
            if (KeyRecord.From(await _reader.TagsAsync(key.KeyId, ct)).RestoredFrom is { } from && from != currentKeyId)
            {
                found.Add(from);
            }
        }

        return found;
    }

    /// <summary>What the protocol's state says is unfinished, in words; null when the alias is idle.</summary>
    private async Task<string?> InProgressAsync(string alias, Amazon.KeyManagementService.Model.KeyMetadata current, Dictionary<string, string> tags, CancellationToken ct)
    {
        var state = await _states.ReadAsync(alias, current, tags, _snapshot, ct);
        return state.Phase switch
        {
            AliasPhase.Claimed when MaterialRotation.IsMaterialMove(state.CurrentTags, state.Move) => $"A run claimed move {state.Move} of the alias ({state.Marker}) to give {state.Current!.KeyId} new key material and has not recorded it yet; if that run died, the first rotate after its claim expires finishes it without rotating twice.",
            AliasPhase.Claimed => $"A run claimed the next move of the alias ({state.Marker}) and has not moved the alias to a new key yet; if that run died, the first rotate after its claim expires finishes it (adopting the key it created, if any).",
            AliasPhase.Recorded => $"A run of an earlier version recorded {state.Recorded!.KeyId} as the alias's next key ({state.Marker}) but has not moved the alias yet; if that run died, the first rotate after its claim expires finishes the move.",
            AliasPhase.Moved when MaterialRotation.IsMaterialMove(state.CurrentTags, state.Move) => $"{state.Current!.KeyId} got new key material in move {state.Move} ({state.Marker}), but the notification has not been sent; if that run died, the first rotate after its claim expires sends it.",
            AliasPhase.Moved => $"The alias already points at {state.Current!.KeyId}, but the rotation's last steps (the notification, {(state.RetiresAfterMove ? $"retiring {state.FromKeyId ?? "the previous key"}" : "the active tag")}) have not run; if that run died, the first rotate after its claim expires finishes them.",
            AliasPhase.MovedByHand => $"The alias was pointed at {state.Current!.KeyId} by hand after this tool moved it to {state.MovedByHandFrom}; the next rotate goes on from {state.Current.KeyId} (move {state.Move}).",
            AliasPhase.RollingBack or AliasPhase.Stranded => state.Problem,
            AliasPhase.Superseded => $"The alias moved to {state.NowPointsAt} while it was being read; run status again.",
            _ => null,
        };
    }
}
