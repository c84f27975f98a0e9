using System.CommandLine;
using System.CommandLine.Completions;
using System.CommandLine.Parsing;
using KeyRotation.Cli.Errors;

namespace KeyRotation.Cli;

/// <summary>
/// Reports a command line that does not parse as the AWS CLI and git do: one line that names the command and what was
/// wrong in it ("keyrotation rollback: missing argument ALIAS", "keyrotation rotate: unrecognized option '--forse' (did
/// you mean --force?)"), then the command's one usage line. The words are built from System.CommandLine's own errors
/// and results.
/// </summary>
internal static class ParseErrors
{
    /// <summary>What is wrong with the command line, each problem once; empty when it can run.</summary>
    public static IReadOnlyList<string> Of(ParseResult parsed)
    {
        ArgumentNullException.ThrowIfNull(parsed);
        return [.. Problems(parsed).Distinct(StringComparer.Ordinal)];
    }

    public static async Task WriteAsync(ParseResult parsed, IReadOnlyList<string> problems, TextWriter stderr)
    {
        ArgumentNullException.ThrowIfNull(parsed);
        ArgumentNullException.ThrowIfNull(problems);
        ArgumentNullException.ThrowIfNull(stderr);
        await stderr.WriteLineAsync($"{CommandNames.Path(parsed)}: {string.Join("; ", problems)}");
        await stderr.WriteLineAsync(CommandNames.Usage(parsed.CommandResult));
    }

    private static IEnumerable<string> Problems(ParseResult parsed)
    {
        // An option whose value was left out took the next option as its value, often without any parse error;
        // whatever else is wrong follows from that (the next option's own value became an alias), so it alone is reported.
        var missing = MissingValues(parsed).ToList();
        if (missing.Count > 0)
        {
            return missing;
        }

        // A token nothing matched is the real problem: a variadic argument that stopped at it (Arguments.StopAtOptions)
        // or a single argument that refused it leaves errors of its own that only follow from it.
        // An unknown option's value is unmatched too ('--max-concurency 3'): the option is named, not its value.
        if (parsed.UnmatchedTokens.Count > 0)
        {
            // A mistyped command comes first ('rotat --yes', 'rotat alias/x'): what follows was meant for the command
            // it names, so only the command is reported.
            var first = parsed.UnmatchedTokens[0];
            if (!first.StartsWith('-') && parsed.CommandResult.Command.Subcommands.Count > 0)
            {
                return [Unmatched(parsed.CommandResult, first)];
            }

            var options = parsed.UnmatchedTokens.Where(t => t.StartsWith('-')).ToList();
            return (options.Count > 0 ? options : parsed.UnmatchedTokens).Select(token => Unmatched(parsed.CommandResult, token));
        }

        return parsed.Errors.Select(Describe);
    }

    /// <summary>
    /// Options that take a value but were given one starting with "--": System.CommandLine hands an option the next
    /// token even when it is an option ('--output --all', '--mode --sandbox'), so that is a value left out. Checked
    /// here, on the parse result, for every option that takes a value, on the command and on the ones above it.
    /// </summary>
    private static IEnumerable<string> MissingValues(ParseResult parsed)
    {
        for (SymbolResult? at = parsed.CommandResult; at is not null; at = at.Parent)
        {
            if (at is not CommandResult command)
            {
                continue;
            }

            foreach (var option in command.Children.OfType<OptionResult>())
            {
                if (option.Option.Arity.MinimumNumberOfValues > 0 && option.Tokens.Any(t => t.Value.StartsWith("--", StringComparison.Ordinal)))
                {
                    yield return NeedsValue(option.Option);
                }
            }
        }
    }

    /// <summary>"--mode needs a value (MODE)"; an option that lists its allowed values as its help name ("json|text|table") names them as "is not one of" does.</summary>
    private static string NeedsValue(Option option)
    {
        var allowed = AllowedValues(option);
        var shown = option.HelpName is { } help && (allowed.Count == 0 || !help.Contains('|', StringComparison.Ordinal))
            ? help
            : allowed.Count > 0 ? string.Join(", ", allowed) : null;
        return $"{option.Name} needs a value{(shown is null ? string.Empty : $" ({shown})")}";
    }

    private static List<string> AllowedValues(Option option) => [.. option.GetCompletions(CompletionContext.Empty).Select(c => c.Label)];

    private static string Unmatched(CommandResult at, string token)
    {
        if (token.StartsWith('-'))
        {
            return $"unrecognized option '{token}'{ClosestNames.Hint(ClosestNames.Of(token, OptionNames(at)))}";
        }

        var command = at.Command;
        return command.Subcommands.Count > 0
            ? $"unknown command '{token}'{ClosestNames.Hint(ClosestNames.Of(token, command.Subcommands.Where(c => !c.Hidden).Select(c => c.Name)))}"
            : $"unexpected argument '{token}'";
    }

    /// <summary>Every option name and alias the command takes: its own, and the recursive ones of the commands above it.</summary>
    private static IEnumerable<string> OptionNames(CommandResult at)
    {
        var own = true;
        for (SymbolResult? result = at; result is not null; result = result.Parent)
        {
            if (result is CommandResult { Command: var command })
            {
                foreach (var option in command.Options.Where(o => !o.Hidden && (own || o.Recursive)))
                {
                    yield return option.Name;
                    foreach (var alias in option.Aliases.Where(a => a.StartsWith("--", StringComparison.Ordinal)))
                    {
                        yield return alias;
                    }
                }

                own = false;
            }
        }
    }

    private static string Describe(ParseError error)
    {
        switch (error.SymbolResult)
        {
            case OptionResult option:
                return DescribeOption(option.Option, option.Tokens, error);
            case ArgumentResult { Parent: OptionResult option }:
                return DescribeOption(option.Option, option.Tokens, error);
            case ArgumentResult { Tokens.Count: 0 } argument when argument.Argument.Arity.MinimumNumberOfValues > 0:
                return $"missing argument {argument.Argument.HelpName ?? argument.Argument.Name}";
            case ArgumentResult argument:
                return $"{argument.Argument.HelpName ?? argument.Argument.Name}: {error.Message}";
            case CommandResult command when MissingArguments(command) is { Count: > 0 } missing:
                return $"missing argument {string.Join(", ", missing)}";
            case CommandResult { Command: { Action: null, Subcommands.Count: > 0 } command }:
                return $"missing command ({string.Join(" or ", command.Subcommands.Where(c => !c.Hidden).Select(c => c.Name))})";
            default:
                return FirstLine(error.Message);
        }
    }

    /// <summary>"--output: 'yaml' is not one of json, text, table", "--mode needs a value (MODE)", else the option and the parser's words.</summary>
    private static string DescribeOption(Option option, IReadOnlyList<Token> tokens, ParseError error)
    {
        if (tokens.Count == 0)
        {
            return NeedsValue(option);
        }

        var allowed = AllowedValues(option);
        if (allowed.Count > 0)
        {
            return $"{option.Name}: '{tokens[^1].Value}' is not one of {string.Join(", ", allowed)}";
        }

        // The options' own validators (Targets/TargetOptions) already start their messages with the option's name.
        var message = FirstLine(error.Message);
        return message.StartsWith(option.Name + ":", StringComparison.Ordinal) ? message : $"{option.Name}: {message}";
    }

    private static List<string> MissingArguments(CommandResult command) =>
        [.. command.Command.Arguments
            .Where(a => a.Arity.MinimumNumberOfValues > 0 && command.GetResult(a) is not { Tokens.Count: > 0 })
            .Select(a => a.HelpName ?? a.Name)];

    private static string FirstLine(string message) => message.Split('\n')[0].TrimEnd('\r');
}
