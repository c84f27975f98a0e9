using KeyRotation.Core.KeyMaterial;

namespace KeyRotation.Core.Configuration;

/// <summary>What the retention function does with retired generations (<see cref="SettingNames.RetentionMode"/>).</summary>
public enum RetentionMode
{
    /// <summary>Nothing: retired keys stay enabled (the default).</summary>
    Off,

    /// <summary>Disable retired keys after <see cref="RetentionSettings.DisableAfterDays"/>; never delete.</summary>
    Disable,

    /// <summary>Disable, then schedule deletion after <see cref="RetentionSettings.DeleteAfterDays"/> more.</summary>
    DisableThenDelete,
}

/// <summary>
/// The retention function's settings (<see cref="SettingNames.Retention"/>), validated at start. The aliases, topic and
/// escrow location mean what they mean for the rotation function and are validated the same way.
/// </summary>
public sealed record RetentionSettings
{
    public const int DefaultDisableAfterDays = 30;
    public const int DefaultDeleteAfterDays = 90;
    public const int DefaultPendingWindowDays = 30;
    public const int DefaultRetireUnusedForDays = 30;

    /// <summary>The entries of ROTATION_ALIASES: names and prefix patterns (resolved per run through <see cref="Selection"/>).</summary>
    public required IReadOnlyList<string> Aliases { get; init; }

    /// <summary>What <see cref="Aliases"/> selects, as for the rotation function.</summary>
    public AliasSelection Selection => field ??= new AliasSelection(Aliases);

    public required string NotificationTopicArn { get; init; }

    public RetentionMode Mode { get; init; }

    /// <summary>Retired generations kept enabled right behind the current key; at least 1, so a rollback target always works.</summary>
    public int RetainGenerations { get; init; } = 1;

    /// <summary>Days from a key's retirement to its disabling.</summary>
    public int DisableAfterDays { get; init; } = DefaultDisableAfterDays;

    /// <summary>Days from a key's disabling to its scheduled deletion.</summary>
    public int DeleteAfterDays { get; init; } = DefaultDeleteAfterDays;

    /// <summary>The waiting period of ScheduleKeyDeletion (KMS accepts 7 to 30).</summary>
    public int PendingWindowDays { get; init; } = DefaultPendingWindowDays;

    /// <summary>
    /// Days of proven non-use (GetKeyLastUsage, on the key and each of its replicas) a key needs before retention
    /// disables it, and again before it schedules its deletion.
    /// </summary>
    public int RetireUnusedForDays { get; init; } = DefaultRetireUnusedForDays;

    /// <summary>Whether retention may retire the alias's first key (the one behind it before this tool's first move); off by default.</summary>
    public bool RetireOriginalKey { get; init; }

    /// <summary>
    /// Whether each retirement step also runs the consumer inventory of its alias (bucket default encryption, DynamoDB
    /// tables, SSM SecureString parameters, EBS volumes and snapshots) and refuses a generation any resource still
    /// references by key id or ARN; off by default, since it needs the inventory's read permissions.
    /// </summary>
    public bool CheckConsumers { get; init; }

    /// <summary>Where EXTERNAL keys' escrow copies are confirmed; null: no escrow, so no EXTERNAL key is ever retired.</summary>
    public EscrowLocation? Escrow { get; init; }

    /// <summary>Where the disabled, scheduled-for-deletion and re-enabled events go; off unless configured.</summary>
    public EventSettings Events { get; init; } = EventSettings.None;

    /// <summary>The <see cref="SettingNames.RetentionMode"/> value of a mode.</summary>
    public static string ModeValue(RetentionMode mode) => mode switch
    {
        RetentionMode.Disable => "disable",
        RetentionMode.DisableThenDelete => "disable-then-delete",
        _ => "off",
    };

    /// <summary>Validates every variable; throws one <see cref="ConfigurationException"/> naming each bad value.</summary>
    public static RetentionSettings Parse(IReadOnlyDictionary<string, string> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var problems = new List<string>();
        string? Get(string name) => environment.TryGetValue(name, out var value) && !string.IsNullOrWhiteSpace(value) ? value.Trim() : null;

        var aliases = RotationSettings.ParseAliases(Get(SettingNames.RotationAliases), problems);
        var topic = Get(SettingNames.NotificationTopicArn);
        RotationSettings.ValidateTopic(topic, problems);

        var mode = Get(SettingNames.RetentionMode) switch
        {
            null or "off" => RetentionMode.Off,
            "disable" => RetentionMode.Disable,
            "disable-then-delete" => RetentionMode.DisableThenDelete,
            var other => RotationSettings.Invalid(problems, $"{SettingNames.RetentionMode}: '{other}' is not a retention mode; use off, disable or disable-then-delete.", RetentionMode.Off),
        };

        var retain = RotationSettings.ParseInt(Get(SettingNames.RetainGenerations), SettingNames.RetainGenerations, 1, 1, 1000, "retired generations kept enabled behind the current key", problems);
        var disableAfter = RotationSettings.ParseInt(Get(SettingNames.DisableAfterDays), SettingNames.DisableAfterDays, DefaultDisableAfterDays, 0, 3650, "days from retirement to disabling", problems);
        var deleteAfter = RotationSettings.ParseInt(Get(SettingNames.DeleteAfterDays), SettingNames.DeleteAfterDays, DefaultDeleteAfterDays, 0, 3650, "days from disabling to scheduling deletion", problems);
        var window = RotationSettings.ParseInt(Get(SettingNames.PendingWindowDays), SettingNames.PendingWindowDays, DefaultPendingWindowDays, 7, 30, "days of KMS's deletion waiting period", problems);
        var unusedFor = RotationSettings.ParseInt(Get(SettingNames.RetireUnusedForDays), SettingNames.RetireUnusedForDays, DefaultRetireUnusedForDays, 0, 3650, "days a key must be proven unused before each retirement step", problems);
        var retireOriginal = RotationSettings.ParseBool(Get(SettingNames.RetireOriginalKey), SettingNames.RetireOriginalKey, problems);
        var checkConsumers = RotationSettings.ParseBool(Get(SettingNames.RetireCheckConsumers), SettingNames.RetireCheckConsumers, problems);

        var events = EventSettings.Parse(environment, problems);
        var bucket = Get(SettingNames.EscrowBucket);
        var prefix = Get(SettingNames.EscrowPrefix);
        if (bucket is not null && EscrowLocation.ValidateBucket(bucket) is { } bucketProblem)
        {
            problems.Add($"{SettingNames.EscrowBucket}: {bucketProblem}");
        }

        if (prefix is not null && EscrowLocation.ValidatePrefix(prefix) is { } prefixProblem)
        {
            problems.Add($"{SettingNames.EscrowPrefix}: {prefixProblem}");
        }

        if (bucket is null && prefix is not null)
        {
            problems.Add($"{SettingNames.EscrowPrefix} is set but {SettingNames.EscrowBucket} is not: the prefix names a place in the escrow bucket.");
        }

        if (problems.Count > 0)
        {
            throw new ConfigurationException("The configuration is invalid: " + string.Join(" ", problems));
        }

        return new RetentionSettings
        {
            Aliases = aliases,
            NotificationTopicArn = topic!,
            Mode = mode,
            RetainGenerations = retain,
            DisableAfterDays = disableAfter,
            DeleteAfterDays = deleteAfter,
            PendingWindowDays = window,
            RetireUnusedForDays = unusedFor,
            RetireOriginalKey = retireOriginal,
            CheckConsumers = checkConsumers,
            Escrow = bucket is null ? null : new EscrowLocation(bucket, prefix ?? string.Empty),
            Events = events,
        };
    }
}
