using System.Collections;
using System.Globalization;
using KeyRotation.Core;

namespace KeyRotation.Function;

/// <summary>The function's settings, read from its environment and validated once per container.</summary>
internal sealed record FunctionConfiguration
{
    public required IReadOnlyList<string> Aliases { get; init; }

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

    /// <summary>Reads the process environment.</summary>
    public static FunctionConfiguration FromEnvironment() => Parse(ReadEnvironment());

    public static IReadOnlyDictionary<string, string> ReadEnvironment()
    {
        var variables = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (DictionaryEntry entry in Environment.GetEnvironmentVariables())
        {
            variables[(string)entry.Key] = entry.Value as string ?? string.Empty;
        }

        return variables;
    }

    /// <summary>Validates every variable; throws one <see cref="ConfigurationException"/> naming each bad value.</summary>
    public static FunctionConfiguration Parse(IReadOnlyDictionary<string, string> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var problems = new List<string>();
        string? Get(string name) => environment.TryGetValue(name, out var value) && !string.IsNullOrWhiteSpace(value) ? value.Trim() : null;

        var aliases = ParseAliases(Get(FunctionEnvironment.RotationAliases), problems);

        var topic = Get(FunctionEnvironment.NotificationTopicArn);
        if (topic is null)
        {
            problems.Add($"{FunctionEnvironment.NotificationTopicArn} is not set: it must name the SNS topic that receives rotation notifications.");
        }
        else if (!Core.Notifications.NotificationTopicArn.TryParse(topic, out var parsedTopic, out var topicProblem))
        {
            problems.Add($"{FunctionEnvironment.NotificationTopicArn}: {topicProblem}");
        }
        else if (parsedTopic.IsFifo)
        {
            problems.Add($"{FunctionEnvironment.NotificationTopicArn}: {topic} is a FIFO topic; notifications go to a standard topic (FIFO topics need message groups and cannot deliver e-mail).");
        }

        var origin = Get(FunctionEnvironment.KeyMaterialOrigin) switch
        {
            null or "AWS_KMS" => KeyMaterialOrigin.AwsKms,
            "EXTERNAL" => KeyMaterialOrigin.External,
            var other => Invalid(problems, $"{FunctionEnvironment.KeyMaterialOrigin}: '{other}' is not a key material origin; use AWS_KMS or EXTERNAL.", KeyMaterialOrigin.AwsKms),
        };

        var minAge = ParseInt(Get(FunctionEnvironment.MinKeyAgeHours), FunctionEnvironment.MinKeyAgeHours, 24, 0, 24 * 366, "hours", problems);
        var concurrency = ParseInt(Get(FunctionEnvironment.MaxConcurrency), FunctionEnvironment.MaxConcurrency, 4, 1, 32, "aliases at once", problems);
        var timeout = ParseInt(Get(FunctionEnvironment.FunctionTimeoutSeconds), FunctionEnvironment.FunctionTimeoutSeconds, 0, 1, 900, "seconds", problems);
        var expirationDays = ParseInt(Get(FunctionEnvironment.KeyMaterialExpirationDays), FunctionEnvironment.KeyMaterialExpirationDays, 0, 0, 365, "days (0: the material does not expire)", problems);
        var dryRun = ParseBool(Get(FunctionEnvironment.DryRun), FunctionEnvironment.DryRun, problems);
        var escrowDisabled = ParseBool(Get(FunctionEnvironment.EscrowDisabled), FunctionEnvironment.EscrowDisabled, problems);

        if (problems.Count > 0)
        {
            throw new ConfigurationException("The function's configuration is invalid: " + string.Join(" ", problems));
        }

        return new FunctionConfiguration
        {
            Aliases = aliases,
            NotificationTopicArn = topic!,
            DryRun = dryRun,
            Timeout = timeout == 0 ? null : TimeSpan.FromSeconds(timeout),
            KeyMaterialExpirationDays = expirationDays,
            EscrowBucket = Get(FunctionEnvironment.EscrowBucket),
            EscrowPrefix = Get(FunctionEnvironment.EscrowPrefix) ?? string.Empty,
            EscrowPublicKey = Get(FunctionEnvironment.EscrowPublicKey),
            EscrowDisabled = escrowDisabled,
            Options = new RotationOptions
            {
                MinKeyAge = TimeSpan.FromHours(minAge),
                MaxConcurrency = concurrency,
                KeyMaterialOrigin = origin,
            },
        };
    }

    private static List<string> ParseAliases(string? text, List<string> problems)
    {
        if (text is null)
        {
            problems.Add($"{FunctionEnvironment.RotationAliases} is not set: list the aliases to rotate, separated by commas (for example alias/app-data,alias/reports).");
            return [];
        }

        var aliases = new List<string>();
        foreach (var entry in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (AliasNames.Validate(entry) is { } problem)
            {
                problems.Add($"{FunctionEnvironment.RotationAliases}: {problem}.");
            }
            else if (!aliases.Contains(entry, StringComparer.Ordinal))
            {
                aliases.Add(entry);
            }
        }

        if (aliases.Count == 0 && problems.Count == 0)
        {
            problems.Add($"{FunctionEnvironment.RotationAliases} names no alias.");
        }

        return aliases;
    }

    private static int ParseInt(string? text, string name, int fallback, int min, int max, string unit, List<string> problems)
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

    private static bool ParseBool(string? text, string name, List<string> problems) => text?.ToUpperInvariant() switch
    {
        null or "FALSE" => false,
        "TRUE" => true,
        _ => Invalid(problems, $"{name}: '{text}' is not true or false.", false),
    };

    private static T Invalid<T>(List<string> problems, string problem, T fallback)
    {
        problems.Add(problem);
        return fallback;
    }
}

/// <summary>The function's environment holds a bad value; the message names each one.</summary>
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
