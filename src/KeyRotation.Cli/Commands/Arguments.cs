using System.CommandLine;
using KeyRotation.Core;

namespace KeyRotation.Cli.Commands;

/// <summary>Arguments and options more than one command takes.</summary>
internal static class Arguments
{
    public static Argument<string[]> Aliases(string description) => new("ALIAS")
    {
        Description = description,
        Arity = ArgumentArity.ZeroOrMore,
    };

    public static Option<bool> Yes() => new("--yes", "-y") { Description = "Do not ask for confirmation (required when stdin is not a terminal)." };

    public static Option<string?> TopicArn() => new("--notification-topic-arn")
    {
        Description = "SNS topic for notifications (default: NOTIFICATION_TOPIC_ARN; neither set: notifications are printed).",
    };

    /// <summary>Checks alias syntax before anything is called; a bad name is bad usage (exit 2).</summary>
    public static IReadOnlyList<string> ValidAliases(IEnumerable<string>? aliases)
    {
        var list = (aliases ?? []).Distinct(StringComparer.Ordinal).ToList();
        var problems = list.Select(AliasNames.Validate).OfType<string>().ToList();
        return problems.Count > 0 ? throw new UsageException("Invalid alias: " + string.Join("; ", problems) + ".") : list;
    }
}
