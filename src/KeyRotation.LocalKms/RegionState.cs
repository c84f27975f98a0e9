using System.Text.Json.Nodes;

namespace KeyRotation.LocalKms;

/// <summary>What KMS keeps per Region: keys, aliases, grants and outstanding import tokens. Guarded by the service lock.</summary>
internal sealed class RegionState
{
    public RegionState(string name) => Name = name;

    public string Name { get; }

    public Dictionary<string, KmsKey> Keys { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, KmsAlias> Aliases { get; } = new(StringComparer.Ordinal);

    /// <summary>
    /// Grants (GrantListEntry objects) by key id: a multi-Region key has the same id in every Region of its set,
    /// and its grants are each Region's own.
    /// </summary>
    public Dictionary<string, List<JsonObject>> Grants { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, ImportToken> ImportTokens { get; } = new(StringComparer.Ordinal);
}

/// <summary>
/// The Regions of one multi-Region key: its primary and its replicas, shared by every key of the set.
/// Guarded by the service lock.
/// </summary>
internal sealed class MultiRegionKeySet
{
    private readonly SortedSet<string> _replicaRegions = new(StringComparer.Ordinal);

    public MultiRegionKeySet(string primaryRegion, DateTimeOffset? lastReplicaDeletedAt = null)
    {
        PrimaryRegion = primaryRegion;
        LastReplicaDeletedAt = lastReplicaDeletedAt;
    }

    public string PrimaryRegion { get; }

    /// <summary>Regions that hold a replica, including replicas pending deletion.</summary>
    public IReadOnlyCollection<string> ReplicaRegions => _replicaRegions;

    /// <summary>When the last replica was deleted: the primary's waiting period starts then.</summary>
    public DateTimeOffset? LastReplicaDeletedAt { get; private set; }

    public bool AddReplica(string region) => _replicaRegions.Add(region);

    /// <summary>The key of this set in <paramref name="region"/> was deleted at <paramref name="at"/>.</summary>
    public void Deleted(string region, DateTimeOffset at)
    {
        if (_replicaRegions.Remove(region))
        {
            LastReplicaDeletedAt = at;
        }
    }
}
