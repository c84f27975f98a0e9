using System.CommandLine;
using System.CommandLine.Parsing;

namespace KeyRotation.Cli.Errors;

/// <summary>How errors name the command at fault ("keyrotation retention plan") and show its one usage line.</summary>
internal static class CommandNames
{
    public const string Program = "keyrotation";

    /// <summary>The command that was parsed, from the program name down: "keyrotation rollback".</summary>
    public static string Path(ParseResult parsed)
    {
        ArgumentNullException.ThrowIfNull(parsed);
        return Path(parsed.CommandResult);
    }

    public static string Path(CommandResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var names = new List<string>();
        for (SymbolResult? at = result; at is not null; at = at.Parent)
        {
            if (at is CommandResult { Command: var command })
            {
                names.Insert(0, command is RootCommand ? Program : command.Name);
            }
        }

        return string.Join(' ', names);
    }

    /// <summary>"Usage: keyrotation rollback ALIAS [options]", from the command's own arguments and subcommands.</summary>
    public static string Usage(CommandResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var command = result.Command;
        var parts = new List<string> { Path(result) };
        if (command.Subcommands.Count > 0)
        {
            parts.Add(command is RootCommand ? "<command>" : "<" + string.Join('|', command.Subcommands.Where(c => !c.Hidden).Select(c => c.Name)) + ">");
        }

        foreach (var argument in command.Arguments.Where(a => !a.Hidden))
        {
            var name = argument.HelpName ?? argument.Name;
            var many = argument.Arity.MaximumNumberOfValues > 1 ? name + "..." : name;
            parts.Add(argument.Arity.MinimumNumberOfValues > 0 ? many : $"[{many}]");
        }

        parts.Add("[options]");
        return "Usage: " + string.Join(' ', parts);
    }
}
