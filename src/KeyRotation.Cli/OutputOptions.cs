using System.CommandLine;

namespace KeyRotation.Cli;

/// <summary>
/// A command's own <c>--output</c> that also offers csv (consumers, migrate): it takes the place of the global option
/// on that command, so the other commands keep theirs (json, table, text) unchanged.
/// </summary>
internal static class OutputOptions
{
    public static Option<string> WithCsv()
    {
        var option = new Option<string>("--output")
        {
            Description = "table (for people; plain aligned columns when redirected), text (tab-separated lines), json (one document) or csv (RFC 4180, with a header row).",
            DefaultValueFactory = _ => "table",
            HelpName = "csv|json|text|table",
        };
        option.AcceptOnlyFromAmong("csv", "json", "text", "table");
        return option;
    }

    /// <summary>The value of the command's own --output when it has one, else of the global option.</summary>
    public static string? FormatOf(ParseResult parsed, Option<string> global)
    {
        ArgumentNullException.ThrowIfNull(parsed);
        var own = parsed.CommandResult.Command.Options.OfType<Option<string>>().FirstOrDefault(o => o != global && o.Name == global.Name);
        return own is not null ? parsed.GetValue(own) : parsed.GetValue(global);
    }
}
