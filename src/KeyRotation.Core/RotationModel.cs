namespace KeyRotation.Core;

/// <summary>Where a new key's material comes from.</summary>
public enum KeyMaterialOrigin
{
    /// <summary>KMS generates the material (the default).</summary>
    AwsKms,

    /// <summary>This tool generates the material, escrows it and imports it (BYOK).</summary>
    External,
}

/// <summary>What happened to one alias in a run.</summary>
public enum RotationOutcome
{
    /// <summary>The alias now points at a new key (or an interrupted rotation was finished).</summary>
    Rotated,

    /// <summary>Nothing to do, or not now; the reason says which.</summary>
    Skipped,

    /// <summary>Dry run: the reason says what a real run would do.</summary>
    Planned,

    /// <summary>The alias could not be rotated; nothing unsafe was left behind; the reason says what to check.</summary>
    Failed,
}

/// <summary>Settings of the engine that do not change between runs.</summary>
public sealed record RotationOptions
{
    /// <summary>A key younger than this is not rotated unless the run is forced (default 24 hours).</summary>
    public TimeSpan MinKeyAge { get; init; } = TimeSpan.FromHours(24);

    /// <summary>How many aliases are rotated at once (default 4).</summary>
    public int MaxConcurrency { get; init; } = 4;

    /// <summary>Where new keys' material comes from.</summary>
    public KeyMaterialOrigin KeyMaterialOrigin { get; init; } = KeyMaterialOrigin.AwsKms;

    /// <summary>
    /// The longest a run may live (the function's timeout; the CLI's deadline). A run writes nothing after it.
    /// Default: 15 minutes, Lambda's maximum.
    /// </summary>
    public TimeSpan RunTimeout { get; init; } = TimeSpan.FromMinutes(15);

    /// <summary>Added to <see cref="RunTimeout"/> for <see cref="ClaimTimeout"/>: room for clock skew and a call in flight at the deadline.</summary>
    public TimeSpan ClaimMargin { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// How long a claim on a move keeps other runs off, on KMS's clock: <see cref="RunTimeout"/> plus
    /// <see cref="ClaimMargin"/>. The run that made the claim has stopped writing by then, so taking it over is safe.
    /// </summary>
    public TimeSpan ClaimTimeout => RunTimeout + ClaimMargin;

    /// <summary>
    /// First wait before retrying a step that KMS denied on a key this run just created, tagged or aliased (doubling,
    /// up to 30 seconds, for at most KMS's documented five minutes and never past the deadline).
    /// </summary>
    public TimeSpan AuthorizationRetryDelay { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>An alias is not started when less than this is left before the run's deadline.</summary>
    public TimeSpan TimeNeededPerAlias { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// What a failed rotation's notice tells people to check, one line per element; null: the function's advice (its logs
    /// and its role). The operator CLI runs with a person's own credentials and says so instead.
    /// </summary>
    public IReadOnlyList<string>? FailureAdvice { get; init; }

    /// <summary>
    /// List the previous key's grants (ListGrants) in a rotated alias's notice, since grants are not carried over to the
    /// new key. The function and the CLI turn it on; off, no ListGrants call is made.
    /// </summary>
    public bool ListPreviousKeyGrants { get; init; }

    /// <summary>How aliases are rotated unless their current key's strategy tag (<see cref="Protocol.KeyRecord.Strategy"/>) says otherwise (default: new-key).</summary>
    public RotationStrategy Strategy { get; init; } = RotationStrategy.NewKey;

    /// <summary>
    /// On-demand rotations <see cref="RotationStrategy.Auto"/> leaves unused on a key (of KMS's 25 per key), so a manual
    /// rotation stays possible: when one more material rotation would leave fewer, auto creates a new key instead.
    /// </summary>
    public int MaterialReserve { get; init; } = 2;

    /// <summary>
    /// First wait while an on-demand rotation of the key is in progress (ConflictException, or one started by a run that
    /// died); doubling up to 30 seconds, never past the run's deadline. On the engine's TimeProvider.
    /// </summary>
    public TimeSpan MaterialRotationPollDelay { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>The pre- and post-move hooks every alias gets unless its key's tags name others (docs/hooks.md); default: none.</summary>
    public Hooks.MoveHookOptions MoveHooks { get; init; } = Hooks.MoveHookOptions.None;
}

/// <summary>One run: which aliases, and how.</summary>
public sealed record RotationRequest
{
    /// <summary>Identifies the run in tags, logs and notifications.</summary>
    public required string RotationId { get; init; }

    /// <summary>Aliases to rotate, already validated with <see cref="AliasNames.Validate"/>.</summary>
    public required IReadOnlyList<string> Aliases { get; init; }

    /// <summary>Compute and report the plan; change nothing.</summary>
    public bool DryRun { get; init; }

    /// <summary>Rotate even when the key is younger than the minimum age or the slot was already rotated.</summary>
    public bool Force { get; init; }

    /// <summary>The schedule slot of a scheduled run; null for a manual run.</summary>
    public DateTimeOffset? ScheduleSlot { get; init; }

    /// <summary>
    /// Create the new key with the configured origin even when the current key has the other one (imported material
    /// replaced by KMS-generated material, or the other way round). Without it such an alias is refused.
    /// </summary>
    public bool ChangeOrigin { get; init; }

    /// <summary>No alias is started after this time minus <see cref="RotationOptions.TimeNeededPerAlias"/>; null: no limit.</summary>
    public DateTimeOffset? Deadline { get; init; }

    /// <summary>
    /// For dry runs only: every alias's target from one ListAliases, so planning many aliases reads their marker aliases
    /// from it rather than with a DescribeKey each. A run that writes ignores it and reads KMS afresh.
    /// </summary>
    internal Protocol.AliasSnapshot? Snapshot { get; init; }
}

/// <summary>The result for one alias; the response and the notification are built from it.</summary>
public sealed record AliasRotationResult
{
    public required string Alias { get; init; }

    public required RotationOutcome Outcome { get; init; }

    /// <summary>Key id the alias pointed at before (null when the alias could not be resolved).</summary>
    public string? PreviousKeyId { get; init; }

    /// <summary>Key id the alias points at now, or would (dry run); null when no new key exists.</summary>
    public string? NewKeyId { get; init; }

    public string? PreviousKeyArn { get; init; }

    public string? NewKeyArn { get; init; }

    /// <summary>Why, in words a person can act on.</summary>
    public required string Reason { get; init; }

    /// <summary>True when this run finished a rotation that an earlier, interrupted run started.</summary>
    public bool Resumed { get; init; }

    /// <summary>True when the run did not start this alias because its deadline was too close (it changed nothing).</summary>
    public bool NotStartedBeforeDeadline { get; init; }

    /// <summary>Set when the notification for this alias could not be published.</summary>
    public string? NotificationError { get; init; }

    /// <summary>Set when the post-move hook could not be invoked; the move stands (docs/hooks.md).</summary>
    public string? PostMoveHookError { get; init; }

    /// <summary>The post-move hook for this alias (configured, or named by its key's tag), resolved when the run read the alias.</summary>
    internal Hooks.MoveHookArn? PostMoveHook { get; init; }
    /// <summary>Set when this alias's lifecycle events could not be put (the rotation itself stands; docs/events.md).</summary>
    public string? EventError { get; init; }

    /// <summary>The generation (keyrotation:generation) a new-key move of this run makes: the key the alias points at once it moved.</summary>
    public long? Generation { get; init; }

    /// <summary>The key's spec (for the notification: asymmetric keys' consumers must refetch the public key).</summary>
    public string? KeySpec { get; init; }

    /// <summary>The claim this run holds on the move it made (set on Rotated); checked again before the notification.</summary>
    internal Protocol.RunClaim? Claim { get; init; }

    /// <summary>How the alias was (or would be) rotated; null when it was not (refused, skipped before deciding).</summary>
    public RotationMethod? Method { get; init; }

    /// <summary>Why the strategy chose <see cref="Method"/> when that is worth saying (auto falling back to a new key).</summary>
    public string? MethodReason { get; init; }

    /// <summary>Extra lines the notification carries (for example where the escrow copy of imported material is).</summary>
    public IReadOnlyList<string> Notes { get; init; } = [];
}

/// <summary>The result of a run.</summary>
public sealed record RotationReport(string RotationId, bool DryRun, IReadOnlyList<AliasRotationResult> Results)
{
    /// <summary>Aliases that failed, or whose notification failed: the run must end in an error.</summary>
    public IEnumerable<AliasRotationResult> Problems =>
        Results.Where(r => r.Outcome == RotationOutcome.Failed || r.NotificationError is not null);
}

/// <summary>The notification could not be published; the message says why, in the transport's own words.</summary>
public sealed class NotificationFailedException : Exception
{
    public NotificationFailedException(string message)
        : base(message)
    {
    }

    public NotificationFailedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public NotificationFailedException()
    {
    }
}

/// <summary>A rotation step that cannot go on, with a message a person can act on.</summary>
public sealed class RotationException : Exception
{
    public RotationException(string message)
        : base(message)
    {
    }

    public RotationException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public RotationException()
    {
    }
}
