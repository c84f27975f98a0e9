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

        var state = await _states.ReadAsync(alias, key, tags, _snapshot, cancellationToken);
        return new AliasStatus
        {
            Alias = alias,
            Current = current,
            Earlier = earlier,
            RolledBack = rolledBack,
            InProgress = MoveInProgress.ForStatus(state),
            Step = RotationSteps.Of(state),
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
}
