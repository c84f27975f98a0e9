namespace KeyRotation.Core.Configuration;

/// <summary>
/// The names of the settings, shared by the function's environment variables and the CLI's environment,
/// so one name means one thing everywhere. The template is checked against <see cref="All"/>.
/// </summary>
public static class SettingNames
{
    public const string RotationAliases = "ROTATION_ALIASES";
    public const string NotificationTopicArn = "NOTIFICATION_TOPIC_ARN";
    public const string KeyMaterialOrigin = "KEY_MATERIAL_ORIGIN";
    public const string MinKeyAgeHours = "MIN_KEY_AGE_HOURS";
    public const string DryRun = "DRY_RUN";
    public const string MaxConcurrency = "MAX_CONCURRENCY";
    public const string FunctionTimeoutSeconds = "FUNCTION_TIMEOUT_SECONDS";
    public const string KeyMaterialExpirationDays = "KEY_MATERIAL_EXPIRATION_DAYS";
    public const string EscrowBucket = "ESCROW_BUCKET";
    public const string EscrowPrefix = "ESCROW_PREFIX";
    public const string EscrowPublicKey = "ESCROW_PUBLIC_KEY";
    public const string EscrowDisabled = "ESCROW_DISABLED";
    public const string KmsRequestQuotas = "KMS_REQUEST_QUOTAS";
    public const string ContinuationQueueUrl = "CONTINUATION_QUEUE_URL";
    public const string RotationStrategy = "ROTATION_STRATEGY";
    public const string RotationMaterialReserve = "ROTATION_MATERIAL_RESERVE";
    public const string RetentionMode = "RETENTION_MODE";
    public const string RetainGenerations = "RETAIN_GENERATIONS";
    public const string DisableAfterDays = "DISABLE_AFTER_DAYS";
    public const string DeleteAfterDays = "DELETE_AFTER_DAYS";
    public const string PendingWindowDays = "PENDING_WINDOW_DAYS";
    public const string EventBusName = "EVENT_BUS_NAME";
    public const string EventSource = "EVENT_SOURCE";

    // Retirement proof (docs/retention.md, "Proof of non-use").
    public const string RetireUnusedForDays = "RETIRE_UNUSED_FOR_DAYS";
    public const string RetireOriginalKey = "RETIRE_ORIGINAL_KEY";

    // The consumer inventory before each retirement (docs/retention.md, "Consumers that still reference a key").
    public const string RetireCheckConsumers = "RETIRE_CHECK_CONSUMERS";

    // The cryptoperiod and the schedule it is measured against (Compliance/ComplianceSettings).
    public const string MaxKeyAgeDays = "MAX_KEY_AGE_DAYS";
    public const string RotationSchedule = "ROTATION_SCHEDULE";
    public const string RotationScheduleTimezone = "ROTATION_SCHEDULE_TIMEZONE";
    // The move hooks (docs/hooks.md).
    public const string PreMoveHookArn = "PRE_MOVE_HOOK_ARN";
    public const string PostMoveHookArn = "POST_MOVE_HOOK_ARN";
    public const string MoveHookTimeoutSeconds = "MOVE_HOOK_TIMEOUT_SECONDS";

    /// <summary>Every setting the rotation function reads.</summary>
    public static IReadOnlyList<string> All { get; } =
    [
        RotationAliases, NotificationTopicArn, KeyMaterialOrigin, MinKeyAgeHours, DryRun, MaxConcurrency,
        FunctionTimeoutSeconds, KeyMaterialExpirationDays, EscrowBucket, EscrowPrefix, EscrowPublicKey, EscrowDisabled,
        KmsRequestQuotas, ContinuationQueueUrl, RotationStrategy, RotationMaterialReserve,
        MaxKeyAgeDays, RotationSchedule, RotationScheduleTimezone,
        PreMoveHookArn, PostMoveHookArn, MoveHookTimeoutSeconds,
        EventBusName, EventSource,
    ];

    /// <summary>
    /// Every setting the retention function reads: the aliases, the topic and the escrow location mean what they mean
    /// for the rotation function (the escrow location is where retention confirms an EXTERNAL key's copy exists).
    /// </summary>
    public static IReadOnlyList<string> Retention { get; } =
    [
        RotationAliases, NotificationTopicArn, EscrowBucket, EscrowPrefix,
        RetentionMode, RetainGenerations, DisableAfterDays, DeleteAfterDays, PendingWindowDays,
        RetireUnusedForDays, RetireOriginalKey,
        EventBusName, EventSource,
        RetireCheckConsumers,

        // Read only with RETIRE_CHECK_CONSUMERS on, for the report event (the cryptoperiods it measures).
        MaxKeyAgeDays, RotationSchedule, RotationScheduleTimezone,
    ];
}
