using KeyRotation.Core.Protocol;

namespace KeyRotation.Core.Retention;

/// <summary>One key of an alias's verified chain, as retention sees it.</summary>
internal sealed record RetentionKey
{
    public required string KeyId { get; init; }

    public string? Arn { get; init; }

    /// <summary>0 for the current key, 1 for its predecessor, and so on.</summary>
    public required int Index { get; init; }

    public required long Generation { get; init; }

    /// <summary>KMS's key state (Enabled, Disabled, PendingDeletion, ...).</summary>
    public required string KeyState { get; init; }

    /// <summary>AWS_KMS or EXTERNAL.</summary>
    public string? Origin { get; init; }

    public DateTimeOffset? DeletionDate { get; init; }

    public required IReadOnlyDictionary<string, string> Tags { get; init; }

    /// <summary>The key's rotation state, parsed from <see cref="Tags"/> by the protocol.</summary>
    public KeyRecord Record => KeyRecord.From(Tags);

    /// <summary>Aliases other than this alias's own marker aliases that point at the key.</summary>
    public IReadOnlyList<string> OtherAliases { get; init; } = [];

    /// <summary>The Regions of the key's replicas (a multi-Region primary); empty for a single-Region key.</summary>
    public IReadOnlyList<string> ReplicaRegions { get; init; } = [];

    /// <summary>For an EXTERNAL key: whether its escrow copy was found; null when not checked.</summary>
    public bool? EscrowConfirmed { get; init; }

    /// <summary>True when this tool created the key (it names its predecessor); the alias's first key is not.</summary>
    public bool CreatedByTool => Record.CreatedByTool;
}

/// <summary>A marker (or takeover) alias of one alias: alias/keyrotation/&lt;name&gt;/&lt;move&gt;[-takeover-&lt;n&gt;].</summary>
internal sealed record MarkerAliasEntry(string Name, long Move, bool IsTakeover, string? TargetKeyId, DateTimeOffset? LastUpdated);

/// <summary>What retention read for one alias: the chain from the current key back, verified, and the alias's marker aliases.</summary>
internal sealed record RetentionView
{
    public required string Alias { get; init; }

    /// <summary>The chain, newest first (index 0 is the current key); empty when the alias could not be read.</summary>
    public required IReadOnlyList<RetentionKey> Keys { get; init; }

    public IReadOnlyList<MarkerAliasEntry> Markers { get; init; } = [];

    /// <summary>A rotation or rollback that has not finished: retention leaves the whole alias alone.</summary>
    public string? InProgress { get; init; }

    /// <summary>Why the chain could not be trusted (or read): retention leaves the whole alias alone.</summary>
    public string? Problem { get; init; }
}
