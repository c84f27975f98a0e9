namespace KeyRotation.Core.Retention;

/// <summary>What retention does with one key or marker alias.</summary>
public enum RetentionAction
{
    /// <summary>Left as it is; the reason says why.</summary>
    Keep,

    /// <summary>Prove the key (and each replica) unused, tag it disabled (when, by which run, the proof), then DisableKey.</summary>
    Disable,

    /// <summary>Prove it unused again, tag it (when, by which run, the proof), then ScheduleKeyDeletion with the configured waiting period.</summary>
    ScheduleDeletion,

    /// <summary>Delete a marker alias of a finished move.</summary>
    DeleteMarkerAlias,

    /// <summary>Cancel a scheduled deletion (if any), tag why, and EnableKey: someone still uses the key.</summary>
    Reenable,
}

/// <summary>One decision of the retention planner.</summary>
public sealed record RetentionStep
{
    public required string Alias { get; init; }

    public required RetentionAction Action { get; init; }

    /// <summary>The key acted on or kept (for a marker alias, the key it points at).</summary>
    public required string KeyId { get; init; }

    /// <summary>The key's ARN when known (the resources of its lifecycle event).</summary>
    public string? KeyArn { get; init; }

    /// <summary>The key's place in the chain (0 for a marker alias).</summary>
    public long Generation { get; init; }

    /// <summary>For <see cref="RetentionAction.DeleteMarkerAlias"/>: the alias to delete.</summary>
    public string? MarkerAlias { get; init; }

    public required string Reason { get; init; }

    /// <summary>
    /// The proof of non-use read for a <see cref="RetentionAction.Disable"/> or <see cref="RetentionAction.ScheduleDeletion"/>
    /// step (or for the step it refused); null for other steps and for a plan that did not read it yet.
    /// </summary>
    public RetirementProof? Proof { get; init; }

    /// <summary>
    /// Set on a kept key whose retirement step the proof of non-use refused (a use within RETIRE_UNUSED_FOR_DAYS): the
    /// step it would have been. <see cref="Reason"/> then says which use.
    /// </summary>
    public RetentionAction? Refused { get; init; }

    /// <summary>The Regions of the key's replicas (a multi-Region primary), whose last use the proof reads too.</summary>
    internal IReadOnlyList<string> ReplicaRegions { get; init; } = [];

    /// <summary>True for the steps that need a proof of non-use just before their KMS call.</summary>
    internal bool NeedsProof => Action is RetentionAction.Disable or RetentionAction.ScheduleDeletion;
}

/// <summary>What happened to one step.</summary>
public enum RetentionOutcome
{
    /// <summary>The step's calls were made (or had already been made by an earlier run).</summary>
    Done,

    /// <summary>A dry run: what would be done.</summary>
    Planned,

    /// <summary>Nothing to do for this key.</summary>
    Kept,

    /// <summary>The step failed; the error says why. Later steps of the same alias were not attempted.</summary>
    Failed,
}

/// <summary>One step and its outcome.</summary>
public sealed record RetentionResult
{
    public required RetentionStep Step { get; init; }

    public required RetentionOutcome Outcome { get; init; }

    /// <summary>Set when <see cref="Outcome"/> is <see cref="RetentionOutcome.Failed"/>.</summary>
    public string? Error { get; init; }

    /// <summary>For a re-enabled key: true when its scheduled deletion was cancelled first.</summary>
    public bool DeletionCancelled { get; init; }
}

/// <summary>Everything a retention run (or an attempted-use event) did.</summary>
public sealed record RetentionReport
{
    public required string RunId { get; init; }

    public required bool DryRun { get; init; }

    public required IReadOnlyList<RetentionResult> Results { get; init; }

    /// <summary>Aliases that were left alone as a whole (mid-rotation, broken chain, missing), with the reason.</summary>
    public required IReadOnlyList<RetentionResult> Skipped { get; init; }

    /// <summary>Set when the notification could not be sent (the actions themselves are done).</summary>
    public string? NotificationError { get; init; }

    /// <summary>Set when lifecycle events could not be put (the actions themselves are done).</summary>
    public string? EventError { get; init; }

    /// <summary>The steps that changed something (or would, in a dry run).</summary>
    public IEnumerable<RetentionResult> Acted => Results.Where(r => r.Step.Action != RetentionAction.Keep && r.Outcome is RetentionOutcome.Done or RetentionOutcome.Planned);

    public IEnumerable<RetentionResult> Failed => Results.Where(r => r.Outcome == RetentionOutcome.Failed);

    /// <summary>Kept keys whose retirement step the proof of non-use refused: still in use.</summary>
    public IEnumerable<RetentionResult> Refused => Results.Where(r => r.Step.Refused is not null);
}
