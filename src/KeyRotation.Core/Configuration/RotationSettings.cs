using System.Globalization;
using KeyRotation.Core.Pacing;

namespace KeyRotation.Core.Configuration;

/// <summary>
/// The settings the function and the CLI share, under the same names (<see cref="SettingNames"/>), validated at start.
/// Core reads no environment itself: the caller passes the variables (and the CLI its flags) in.
/// </summary>
public sealed record RotationSettings
{
    /// <summary>The entries of ROTATION_ALIASES as configured: alias names and prefix patterns (alias/prod/*).</summary>
    public required IReadOnlyList<string> Aliases { get; init; }

    /// <summary>What <see cref="Aliases"/> selects; patterns are resolved per run.</summary>
    public AliasSelection Selection => field ??= new AliasSelection(Aliases);

    public required string NotificationTopicArn { get; init; }

    public required RotationOptions Options { get; init; }

    public bool DryRun { get; init; }

    /// <summary>The function's timeout, so the run stops starting aliases before Lambda stops it; null: no limit.</summary>
    public TimeSpan? Timeout { get; init; }

    public int KeyMaterialExpirationDays { get; init; }

    public string? EscrowBucket { get; init; }

    public string EscrowPrefix { get; init; } = string.Empty;

    public string? EscrowPublicKey { get; init; }

    public bool EscrowDisabled { get; init; }

    /// <summary>Requests per second allowed for each KMS operation (KMS's defaults unless KMS_REQUEST_QUOTAS raises them).</summary>
    public KmsRequestQuotas RequestQuotas { get; init; } = KmsRequestQuotas.Default;

    /// <summary>
    /// The SQS queue that takes the aliases a run could not start before its deadline (CONTINUATION_QUEUE_URL); null:
    /// they wait for the next run.
    /// </summary>
    public Uri? ContinuationQueueUrl { get; init; }

    /// <summary>The cryptoperiod (MAX_KEY_AGE_DAYS) and the schedule it is measured against.</summary>
    public Compliance.ComplianceSettings Compliance { get; init; } = Core.Compliance.ComplianceSettings.Default;
    /// <summary>Where lifecycle events go (EVENT_BUS_NAME, EVENT_SOURCE); off unless configured.</summary>
    public EventSettings Events { get; init; } = EventSettings.None;

    /// <summary>The most aliases rotated at once when MAX_CONCURRENCY is not set; the pacer sizes the run below it.</summary>
    public const int DefaultMaxConcurrency = 16;

    /// <summary>Validates every variable; throws one <see cref="ConfigurationException"/> naming each bad value.</summary>
    public static RotationSettings Parse(IReadOnlyDictionary<string, string> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var problems = new List<string>();
        string? Get(string name) => environment.TryGetValue(name, out var value) && !string.IsNullOrWhiteSpace(value) ? value.Trim() : null;

        var aliases = ParseAliases(Get(SettingNames.RotationAliases), problems);

        var topic = Get(SettingNames.NotificationTopicArn);
        ValidateTopic(topic, problems);

        var origin = Get(SettingNames.KeyMaterialOrigin) switch
        {
            null or "AWS_KMS" => KeyMaterialOrigin.AwsKms,
            "EXTERNAL" => KeyMaterialOrigin.External,
            var other => Invalid(problems, $"{SettingNames.KeyMaterialOrigin}: '{other}' is not a key material origin; use AWS_KMS or EXTERNAL.", KeyMaterialOrigin.AwsKms),
        };

        var strategy = Get(SettingNames.RotationStrategy) is { } strategyText
            ? RotationStrategyNames.TryParse(strategyText, out var parsedStrategy)
                ? parsedStrategy
                : Invalid(problems, $"{SettingNames.RotationStrategy}: '{strategyText}' is not a rotation strategy; use {RotationStrategyNames.Allowed}.", RotationStrategy.NewKey)
            : RotationStrategy.NewKey;
        var reserve = ParseInt(Get(SettingNames.RotationMaterialReserve), SettingNames.RotationMaterialReserve, 2, 0, 24, "on-demand rotations kept for a manual rotation", problems);
        var minAge = ParseInt(Get(SettingNames.MinKeyAgeHours), SettingNames.MinKeyAgeHours, 24, 0, 24 * 366, "hours", problems);
        var concurrency = ParseInt(Get(SettingNames.MaxConcurrency), SettingNames.MaxConcurrency, DefaultMaxConcurrency, 1, 32, "aliases at once", problems);
        var timeout = ParseInt(Get(SettingNames.FunctionTimeoutSeconds), SettingNames.FunctionTimeoutSeconds, 0, 1, 900, "seconds", problems);
        var expirationDays = ParseInt(Get(SettingNames.KeyMaterialExpirationDays), SettingNames.KeyMaterialExpirationDays, 0, 0, 365, "days (0: the material does not expire)", problems);
        var dryRun = ParseBool(Get(SettingNames.DryRun), SettingNames.DryRun, problems);
        var escrowDisabled = ParseBool(Get(SettingNames.EscrowDisabled), SettingNames.EscrowDisabled, problems);
        var quotas = KmsRequestQuotas.Parse(Get(SettingNames.KmsRequestQuotas), SettingNames.KmsRequestQuotas, problems);
        var continuationQueue = ParseQueueUrl(Get(SettingNames.ContinuationQueueUrl), problems);
        var compliance = Core.Compliance.ComplianceSettings.Parse(Get, problems);
        var hooks = Hooks.MoveHookOptions.Parse(Get, problems);
        var events = EventSettings.Parse(environment, problems);

        KeyMaterial.KeyMaterialOptions.Validate(origin, escrowDisabled, Get(SettingNames.EscrowBucket), Get(SettingNames.EscrowPrefix), Get(SettingNames.EscrowPublicKey), problems);

        if (problems.Count > 0)
        {
            throw new ConfigurationException("The configuration is invalid: " + string.Join(" ", problems));
        }

        return new RotationSettings
        {
            Aliases = aliases,
            NotificationTopicArn = topic!,
            DryRun = dryRun,
            Timeout = timeout == 0 ? null : TimeSpan.FromSeconds(timeout),
            KeyMaterialExpirationDays = expirationDays,
            EscrowBucket = Get(SettingNames.EscrowBucket),
            EscrowPrefix = Get(SettingNames.EscrowPrefix) ?? string.Empty,
            EscrowPublicKey = Get(SettingNames.EscrowPublicKey),
            EscrowDisabled = escrowDisabled,
            RequestQuotas = quotas!,
            ContinuationQueueUrl = continuationQueue,
            Compliance = compliance,
            Events = events,
            Options = new RotationOptions
            {
                MinKeyAge = TimeSpan.FromHours(minAge),
                MaxConcurrency = concurrency,
                KeyMaterialOrigin = origin,
                Strategy = strategy,
                MaterialReserve = reserve,
                RunTimeout = timeout == 0 ? new RotationOptions().RunTimeout : TimeSpan.FromSeconds(timeout),
                MoveHooks = hooks,
            },
        };
    }

    /// <summary>An SQS queue URL (https://sqs.REGION.amazonaws.com/ACCOUNT/NAME, or http(s) for a local endpoint), or null when unset.</summary>
    private static Uri? ParseQueueUrl(string? text, List<string> problems)
    {
        if (text is null)
        {
            return null;
        }

        if (Uri.TryCreate(text, UriKind.Absolute, out var url) && (url.Scheme == Uri.UriSchemeHttps || url.Scheme == Uri.UriSchemeHttp)
            && url.AbsolutePath.Trim('/').Split('/') is [var account, var name] && account.Length > 0 && name.Length > 0)
        {
            return url;
        }

        problems.Add($"{SettingNames.ContinuationQueueUrl}: '{text}' is not an SQS queue URL such as https://sqs.us-east-1.amazonaws.com/111122223333/key-rotation-continuation; leave it empty to let aliases a run could not start wait for the next run.");
        return null;
    }

    /// <summary>Adds a problem when the topic is missing, not an SNS topic ARN, or a FIFO topic.</summary>
    internal static void ValidateTopic(string? topic, List<string> problems)
    {
        if (topic is null)
        {
            problems.Add($"{SettingNames.NotificationTopicArn} is not set: it must name the SNS topic that receives rotation notifications.");
        }
        else if (!Notifications.NotificationTopicArn.TryParse(topic, out var parsedTopic, out var topicProblem))
        {
            problems.Add($"{SettingNames.NotificationTopicArn}: {topicProblem}");
        }
        else if (parsedTopic.IsFifo)
        {
            problems.Add($"{SettingNames.NotificationTopicArn}: {topic} is a FIFO topic; notifications go to a standard topic (FIFO topics need message groups and cannot deliver e-mail).");
        }
    }

    internal static List<string> ParseAliases(string? text, List<string> problems)
    {
        if (text is null)
        {
            problems.Add($"{SettingNames.RotationAliases} is not set: list the aliases to rotate, separated by commas (for example alias/app-data,alias/reports), or prefix patterns (alias/prod/*).");
            return [];
        }

        var aliases = new List<string>();
        foreach (var entry in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (AliasSelection.Validate(entry) is { } problem)
            {
                problems.Add($"{SettingNames.RotationAliases}: {problem}.");
            }
            else if (!aliases.Contains(entry, StringComparer.Ordinal))
            {
                aliases.Add(entry);
            }
        }

        if (aliases.Count == 0 && problems.Count == 0)
        {
            problems.Add($"{SettingNames.RotationAliases} names no alias.");
        }

        return aliases;
    }

    internal static int ParseInt(string? text, string name, int fallback, int min, int max, string unit, List<string> problems)
    {
        if (text is null)
        {
            return fallback;
        }

        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
        {
            problems.Add($"{name}: '{text}' is not a whole number from {min} to {max} ({unit}).");
            return fallback;
        }

        return value;
    }

    internal static bool ParseBool(string? text, string name, List<string> problems) => text?.ToUpperInvariant() switch
    {
        null or "FALSE" => false,
        "TRUE" => true,
        _ => Invalid(problems, $"{name}: '{text}' is not true or false.", false),
    };

    internal static T Invalid<T>(List<string> problems, string problem, T fallback)
    {
        problems.Add(problem);
        return fallback;
    }
}

/// <summary>A setting holds a bad value; the message names each one.</summary>
public sealed class ConfigurationException : Exception
{
    public ConfigurationException(string message)
        : base(message)
    {
    }

    public ConfigurationException()
    {
    }

    public ConfigurationException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
