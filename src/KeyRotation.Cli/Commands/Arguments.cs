using System.CommandLine;
using System.CommandLine.Parsing;
using KeyRotation.Core;
using KeyRotation.Core.Configuration;

namespace KeyRotation.Cli.Commands;

/// <summary>Arguments and options more than one command takes.</summary>
internal static class Arguments
{
    public static Argument<string[]> Aliases(string description) => new("ALIAS")
    {
        Description = description,
        Arity = ArgumentArity.ZeroOrMore,
        HelpName = "ALIAS",
        CustomParser = StopAtOptions,
    };

    /// <summary>
    /// A variadic argument otherwise swallows unknown options ('--forse' would become an alias name): it stops at the
    /// first token that looks like an option, which System.CommandLine then reports as unrecognized, with suggestions.
    /// </summary>
    private static string[] StopAtOptions(ArgumentResult result)
    {
        var values = result.Tokens.TakeWhile(t => !t.Value.StartsWith('-')).Select(t => t.Value).ToArray();
        if (values.Length < result.Tokens.Count)
        {
            result.OnlyTake(values.Length);
        }

        return values;
    }

    /// <summary>A single value that is not an option name: '--forse' in its place is reported as an unrecognized option.</summary>
    public static Argument<string> Single(string name, string description) => new(name)
    {
        Description = description,
        CustomParser = result =>
        {
            if (result.Tokens is [{ Value: var value }] && value.StartsWith('-'))
            {
                result.OnlyTake(0);
                return null!;
            }

            return result.Tokens.Count > 0 ? result.Tokens[0].Value : null!;
        },
    };

    public static Option<bool> Yes() => new("--yes", "-y") { Description = "Do not ask for confirmation (required when stdin is not a terminal)." };

    public static Option<string?> TopicArn() => new("--notification-topic-arn")
    {
        Description = "SNS topic for notifications (default: NOTIFICATION_TOPIC_ARN; neither set: notifications are printed).",
    };

    /// <summary>Overrides MIN_KEY_AGE_HOURS; validated with the same rules and message as the function's variable.</summary>
    public static Option<string?> MinKeyAgeHours() => new("--min-key-age-hours")
    {
        Description = "Skip keys younger than this many hours unless --force (default: MIN_KEY_AGE_HOURS, else 24).",
    };

    /// <summary>Overrides MAX_CONCURRENCY.</summary>
    public static Option<string?> MaxConcurrency() => new("--max-concurrency")
    {
        Description = "The most aliases rotated at once, 1 to 32; the run sizes itself below it from the KMS quotas (default: MAX_CONCURRENCY, else 16).",
    };

    /// <summary>The flag that overrides a setting variable, for messages about its value.</summary>
    public static string FlagOf(string settingName) => settingName switch
    {
        SettingNames.MinKeyAgeHours => "--min-key-age-hours",
        SettingNames.MaxConcurrency => "--max-concurrency",
        _ => settingName,
    };

    /// <summary>The setting flags of plan and rotate, as setting names and values that override the environment.</summary>
    public static IReadOnlyDictionary<string, string> SettingOverrides(ParseResult parsed, Option<string?> minKeyAgeHours, Option<string?> maxConcurrency)
    {
        ArgumentNullException.ThrowIfNull(parsed);
        var overrides = new Dictionary<string, string>(StringComparer.Ordinal);
        if (parsed.GetValue(minKeyAgeHours) is { } age)
        {
            overrides[SettingNames.MinKeyAgeHours] = age;
        }

        if (parsed.GetValue(maxConcurrency) is { } concurrency)
        {
            overrides[SettingNames.MaxConcurrency] = concurrency;
        }

        return overrides;
    }

    /// <summary>ROTATION_ALIASES (names and prefix patterns) as a selection; null when unset; a bad entry is bad usage (exit 2).</summary>
    public static AliasSelection? ConfiguredSelection(IReadOnlyDictionary<string, string> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var entries = environment.GetValueOrDefault(SettingNames.RotationAliases)?.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Distinct(StringComparer.Ordinal).ToList();
        if (entries is null || entries.Count == 0)
        {
            return null;
        }

        var problems = entries.Select(AliasSelection.Validate).OfType<string>().ToList();
        return problems.Count > 0 ? throw new UsageException($"Invalid {SettingNames.RotationAliases}: " + string.Join("; ", problems) + ".") : new AliasSelection(entries);
    }

    /// <summary>Checks alias syntax before anything is called; a bad name is bad usage (exit 2).</summary>
    public static IReadOnlyList<string> ValidAliases(IEnumerable<string>? aliases)
    {
        var list = (aliases ?? []).Distinct(StringComparer.Ordinal).ToList();
        var problems = list.Select(AliasNames.Validate).OfType<string>().ToList();
        return problems.Count > 0 ? throw new UsageException("Invalid alias: " + string.Join("; ", problems) + ".") : list;
    }
}
