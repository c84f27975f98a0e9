namespace KeyRotation.Core.History;

/// <summary>One key of an alias's chain of generations, as its tags and KMS describe it.</summary>
public sealed record KeyGeneration
{
    public required string KeyId { get; init; }

    public string? Arn { get; init; }

    /// <summary>Place in the chain; the alias's first key, which the tool did not create, is 1.</summary>
    public required long Generation { get; init; }

    /// <summary>KMS's own key state (Enabled, Disabled, PendingDeletion, ...); null when the key could not be read.</summary>
    public string? KeyState { get; init; }

    /// <summary>This tool's lifecycle tag (pending, active, retired); null on a key the tool never tagged.</summary>
    public string? State { get; init; }

    /// <summary>True when the key is tagged retired: the alias moved on from it.</summary>
    public bool Retired { get; init; }

    public DateTimeOffset? CreatedAt { get; init; }

    public string? RetiredAt { get; init; }

    public string? RestoredAt { get; init; }

    public string? RolledBackAt { get; init; }

    public string? PreviousKeyId { get; init; }

    public string? SuccessorKeyId { get; init; }

    /// <summary>The alias-move number this key carries (0 when the tool never moved the alias to it).</summary>
    public long Sequence { get; init; }

    public string? KeySpec { get; init; }

    public string? KeyUsage { get; init; }

    /// <summary>For a key pending deletion: when KMS deletes it (its DeletionDate); null otherwise.</summary>
    public DateTimeOffset? DeletionDate { get; init; }

    /// <summary>True when the key could not be found (deleted, or not visible to the caller).</summary>
    public bool Missing { get; init; }

    /// <summary>
    /// The new materials KMS gave this key in place (on demand, by this tool's strategy material or by hand, or
    /// automatically), newest first; empty for keys that never rotated or cannot (HMAC, asymmetric).
    /// </summary>
    public IReadOnlyList<KeyMaterialRotation> MaterialRotations { get; init; } = [];
}

/// <summary>One rotation of a key's material, as ListKeyRotations lists it: the key id stayed, its material changed.</summary>
/// <param name="RotatedAt">When KMS made the material current.</param>
/// <param name="KeyMaterialId">The material it made current.</param>
/// <param name="RotationType">ON_DEMAND or AUTOMATIC.</param>
public sealed record KeyMaterialRotation(DateTimeOffset RotatedAt, string KeyMaterialId, string RotationType);

/// <summary>Where an alias stands: its current key, the generations before it, rolled-back ones, and unfinished work.</summary>
public sealed record AliasStatus
{
    public required string Alias { get; init; }

    public required KeyGeneration Current { get; init; }

    /// <summary>Earlier generations, newest first, found by following previous-key from the current key.</summary>
    public required IReadOnlyList<KeyGeneration> Earlier { get; init; }

    /// <summary>Later generations that a rollback undid, newest rollback first.</summary>
    public required IReadOnlyList<KeyGeneration> RolledBack { get; init; }

    /// <summary>A rotation (or rollback) that started and has not finished; null when none.</summary>
    public string? InProgress { get; init; }

    /// <summary>Where the alias's rotation stands (created, tested, moved, finished), from the same reading; null when it has no step.</summary>
    public Protocol.RotationStep? Step { get; init; }

    /// <summary>For a multi-Region primary: its replicas, one per Region, and where each Region's alias points.</summary>
    public IReadOnlyList<ReplicaStatus> Replicas { get; init; } = [];

    /// <summary>True when this tool has moved the alias at least once.</summary>
    public bool RotatedByTool => Current.PreviousKeyId is not null || Current.Sequence > 0;
}

/// <summary>A rollback to run: the alias, and optionally which earlier generation to restore.</summary>
public sealed record RollbackRequest
{
    public required string Alias { get; init; }

    /// <summary>Key id or key ARN of an earlier generation; null: the current key's predecessor.</summary>
    public string? TargetKeyId { get; init; }

    /// <summary>Identifies the operation in logs and the notification.</summary>
    public required string RollbackId { get; init; }
}

/// <summary>What a rollback did.</summary>
public enum RollbackOutcome
{
    /// <summary>The alias points at the restored key; both keys are tagged.</summary>
    RolledBack,

    /// <summary>Nothing was changed; the reason says why.</summary>
    Refused,
}

/// <summary>The result of a rollback.</summary>
public sealed record RollbackResult
{
    public required string Alias { get; init; }

    public required RollbackOutcome Outcome { get; init; }

    /// <summary>The key the alias pointed at before (null when the alias does not exist).</summary>
    public string? FromKeyId { get; init; }

    public string? FromKeyArn { get; init; }

    /// <summary>The restored key (null when refused before a target was found).</summary>
    public string? ToKeyId { get; init; }

    public string? ToKeyArn { get; init; }

    public required string Reason { get; init; }

    /// <summary>Set when the notification could not be sent (the rollback itself is done).</summary>
    public string? NotificationError { get; init; }

    /// <summary>Set when the lifecycle event could not be put (the rollback itself is done).</summary>
    public string? EventError { get; init; }
}

/// <summary>One replica of a multi-Region primary, in its Region, and where that Region's alias points.</summary>
public sealed record ReplicaStatus
{
    public required string Region { get; init; }

    public required string KeyId { get; init; }

    public string? Arn { get; init; }

    /// <summary>KMS's key state of the replica there; "NotFound" when there is none.</summary>
    public string? KeyState { get; init; }

    /// <summary>The key the alias points at in that Region; null when the Region has no such alias.</summary>
    public string? AliasKeyId { get; init; }

    /// <summary>Why the Region could not be read (it is down, or no client); null when it was.</summary>
    public string? Error { get; init; }
}
