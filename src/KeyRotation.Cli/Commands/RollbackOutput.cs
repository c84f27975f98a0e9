using KeyRotation.Core.History;
using Spectre.Console;

namespace KeyRotation.Cli.Commands;

/// <summary>
/// What a rollback prints, as rotate does: with --verbose the notification texts first; then the result table and its
/// one-line summary, so the result is what stays on screen; without --verbose a last line says what was left out.
/// </summary>
internal static class RollbackOutput
{
    public static void Write(CliContext context, string rollbackId, RollbackResult result, Notices notices, bool verbose)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(notices);
        if (verbose)
        {
            RotationRun.WriteNotices(context, notices);
            if (context.Format == OutputFormat.Table && notices.Printed.Count > 0)
            {
                context.Console.WriteLine();
            }
        }

        TabularColumn[] columns = [new("Alias"), new("Outcome"), new("From key"), new("To key"), new("Reason", Wraps: true)];
        Tabular.Write(context, columns, [[result.Alias, new TabularCell(result.Outcome.ToString(), "green"), result.FromKeyId ?? "-", result.ToKeyId ?? "-", result.Reason]]);
        if (context.Format == OutputFormat.Table)
        {
            context.Console.WriteLine($"Rollback {rollbackId}: 1 rolled back.");
        }

        if (!verbose)
        {
            VerboseOption.WriteLeftOut(context, notices.Printed.Count, sandboxDetails: false);
        }
    }
}
