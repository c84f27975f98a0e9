using System.CommandLine;
using System.CommandLine.Completions;
using System.CommandLine.Parsing;
using KeyRotation.Cli.Errors;

namespace KeyRotation.Cli;

/// <summary>
/// Reports a command line that does not parse as the AWS CLI and git do: one line that names the command and what was
/// wrong in it ("keyrotation rollback: missing argument ALIAS", "keyrotation rotate: unrecognized option '--forse' (did
/// you mean --force?)"), then the command's one usage line. The words are built from System.CommandLine's own errors.
/// </summary>
internal static class ParseErrors
{
    public static async Task WriteAsync(ParseResult parsed, TextWriter stderr)
    {
        ArgumentNullException.ThrowIfNull(parsed);
        ArgumentNullException.ThrowIfNull(stderr);
        var problems = Problems(parsed).Distinct(StringComparer.Ordinal).ToList();
        await stderr.WriteLineAsync($"{CommandNames.Path(parsed)}: {string.Join("; ", problems)}");
        await stderr.WriteLineAsync(CommandNames.Usage(parsed.CommandResult));
    }

    private static IEnumerable<string> Problems(ParseResult parsed)
    {
        // A token nothing matched is the real problem: a variadic argument that stopped at it (Arguments.StopAtOptions)
        // or a single argument that refused it leaves errors of its own that only follow from it.
        // An unknown option's value is unmatched too ('--max-concurency 3'): the option is named, not its value.
        if (parsed.UnmatchedTokens.Count > 0)
        {
            var options = parsed.UnmatchedTokens.Where(t => t.StartsWith('-')).ToList();
            return (options.Count > 0 ? options : parsed.UnmatchedTokens).Select(token => Unmatched(parsed.CommandResult, token));
        }

        return parsed.Errors.Select(Describe);
    }

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
            return $"{option.Name} needs a value{(option.HelpName is { } help ? $" ({help})" : string.Empty)}";
        }

        var allowed = option.GetCompletions(CompletionContext.Empty).Select(c => c.Label).ToList();
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
