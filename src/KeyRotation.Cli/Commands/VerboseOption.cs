using System.CommandLine;
using Spectre.Console;

namespace KeyRotation.Cli.Commands;

/// <summary>
/// --verbose (or --show-notifications) of rotate and rollback: the printed notification texts, escrow details and, in
/// the sandbox, the keys before and after with their tags. Without it a run ends with its result table and summary, so
/// the result stays on screen, and one last line says what was left out and how to see it.
/// </summary>
internal static class VerboseOption
{
    public static Option<bool> Create() => new("--verbose", "--show-notifications")
    {
        Description = "Also print the notification texts and escrow details (and, in the sandbox, the keys before and after, their tags and the decryption checks).",
    };

    /// <summary>The last line when details were left out: how many notifications, and the flag that shows them.</summary>
    public static void WriteLeftOut(CliContext context, int notifications, bool sandboxDetails)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (notifications == 0 && !sandboxDetails)
        {
            return;
        }

        var what = new List<string>();
        if (notifications > 0)
        {
            what.Add(notifications == 1 ? "1 notification text" : $"{notifications} notification texts (escrow details included)");
        }

        if (sandboxDetails)
        {
            what.Add("the sandbox's keys before and after with their tags and decryption checks");
        }

        var line = $"Not shown: {string.Join(" and ", what)}; add --verbose to see {(notifications == 1 && !sandboxDetails ? "it" : "them")}.";
        if (context.Format == OutputFormat.Text)
        {
            // Text output is data lines for scripts: what a person should read goes to stderr.
            context.Error(line);
        }
        else
        {
            context.Console.WriteLine(line);
        }
    }
}
