using System.CommandLine;
using System.CommandLine.Invocation;
using System.CommandLine.Parsing;

namespace KeyRotation.Cli;

/// <summary>
/// Reports a command line that does not parse with System.CommandLine's own words: its errors first ("Unrecognized
/// command or argument '--forse'."), then its typo corrections (the closest valid option), then where help is.
/// </summary>
internal static class ParseErrors
{
    public static async Task WriteAsync(ParseResult parsed, TextWriter stderr)
    {
        ArgumentNullException.ThrowIfNull(parsed);
        ArgumentNullException.ThrowIfNull(stderr);

        // A variadic argument that stopped at an unknown option (Arguments.StopAtOptions) leaves an error of its own
        // about converting the rest; the unrecognized option is the real problem, so only that is shown.
        var errors = parsed.Errors
            .Where(e => !(parsed.UnmatchedTokens.Count > 0 && e.SymbolResult is ArgumentResult))
            .Select(e => e.Message)
            .Distinct(StringComparer.Ordinal)
            .ToList();
        foreach (var message in errors)
        {
            await stderr.WriteLineAsync(message);
        }

        foreach (var line in await TypoCorrectionsAsync(parsed))
        {
            await stderr.WriteLineAsync(line);
        }

        var command = parsed.CommandResult.Command;
        var name = command is RootCommand ? "keyrotation" : "keyrotation " + command.Name;
        await stderr.WriteLineAsync($"Run '{name} --help' for usage.");
    }

    /// <summary>System.CommandLine's suggestions ("'--forse' was not matched. Did you mean one of the following?" and the options).</summary>
    private static async Task<IReadOnlyList<string>> TypoCorrectionsAsync(ParseResult parsed)
    {
        if (parsed.Action is not ParseErrorAction action)
        {
            return [];
        }

        action.ShowHelp = false;
        action.ShowTypoCorrections = true;
        using var output = new StringWriter();
        await parsed.InvokeAsync(new InvocationConfiguration { Output = output, Error = output });
        var errors = parsed.Errors.SelectMany(e => e.Message.Split('\n')).Select(l => l.TrimEnd('\r')).ToHashSet(StringComparer.Ordinal);
        return [.. output.ToString().Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.Length > 0 && !errors.Contains(l))];
    }
}
