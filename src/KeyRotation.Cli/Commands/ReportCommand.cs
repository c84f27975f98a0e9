using System.CommandLine;
using KeyRotation.Cli.Errors;
using KeyRotation.Cli.Targets;
using KeyRotation.Core.Compliance;
using KeyRotation.Core.Configuration;
using KeyRotation.Core.Protocol;

namespace KeyRotation.Cli.Commands;

/// <summary>
/// <c>report [ALIAS...]</c>: the compliance report (docs/report.md): per alias its key's age against the cryptoperiod,
/// the last rotation, the next scheduled run, where it stands, and every generation with its last use and cost; as a
/// table, JSON, CSV or Markdown. Reads only; GetKeyLastUsage runs with the operator's credentials.
/// </summary>
internal static class ReportCommand
{
    private const string Formats = "table|json|csv|markdown";

    public static Command Create(CliContextFactory factory)
    {
        var aliases = Arguments.Aliases("Aliases to report on (default: ROTATION_ALIASES; with --sandbox, the demo aliases).");

        // The report's own --output: the global one knows no csv or markdown. Given before the command, the global one counts.
        var output = new Option<string>("--output") { Description = "table (for people), json (docs/report.schema.json), csv (one row per generation) or markdown.", HelpName = Formats, DefaultValueFactory = _ => "table" };
        output.AcceptOnlyFromAmong("table", "json", "csv", "markdown");
        var skipLastUse = new Option<bool>("--skip-last-use") { Description = "Do not call GetKeyLastUsage (for credentials without kms:GetKeyLastUsage, such as the status role)." };
        var consumers = ReportConsumersOption.Create();
        var command = new Command("report", "Show each alias's key age against its cryptoperiod (MAX_KEY_AGE_DAYS), its last rotation and due dates, and every generation's state, last use and cost; changes nothing.") { aliases, output, skipLastUse, consumers };
        command.SetAction(async (parsed, ct) =>
        {
            var context = factory.For(parsed);
            var format = FormatOf(parsed, output, context);
            var compliance = ComplianceSettings.Parse(context.Environment);
            var names = Arguments.ValidAliases(parsed.GetValue(aliases));
            var configured = names.Count > 0 || context.IsSandbox ? null : Arguments.ConfiguredSelection(context.Environment);
            if (names.Count == 0 && context.IsSandbox)
            {
                names = Sandbox.DemoAliases;
            }

            if (names.Count == 0 && configured is null)
            {
                throw new UsageException($"No alias to report on: name aliases (for example alias/app-data) or set {SettingNames.RotationAliases}.");
            }

            ComplianceReport report;
            if (context.Targets.AccountsFile is not null)
            {
                ReportConsumersOption.RefuseAcrossAccounts(parsed, consumers);
                if (configured is { Prefixes.Count: > 0 })
                {
                    throw new UsageException($"--accounts reads each account's aliases by name: {SettingNames.RotationAliases} holds a pattern ({configured.Prefixes[0]}*); name the aliases on the command line.");
                }

                report = await ReportAcrossAccounts.ReadAsync(context, configured?.Names ?? names, compliance, !parsed.GetValue(skipLastUse), ct);
            }
            else
            {
                var (kms, sandbox) = await context.ConnectAsync(ct);
                var snapshot = await context.WaitAsync("Listing aliases", () => AliasSnapshot.ReadAsync(kms, ct));
                if (configured is not null)
                {
                    names = configured.Resolve(snapshot.Names);
                }

                UnknownAliases.Refuse(context, snapshot, names);
                var reporter = new ComplianceReporter(kms, compliance, context.Host.Time, !parsed.GetValue(skipLastUse), context.RegionClients(sandbox));
                report = await context.WaitAsync("Reading the aliases", () => reporter.ReportAsync(names, snapshot, ct));
                report = await ReportConsumersOption.AddIfAskedAsync(context, parsed, consumers, kms, report, ct);
            }

            Write(context, format, report);
            foreach (var alias in report.Aliases.Where(a => a.Error is not null))
            {
                // An alias that could not be read or measured is an error: on stderr, one line each, whatever the format.
                context.Error($"{CommandNames.Path(parsed)}: {(alias.Account is null ? string.Empty : $"{alias.Account} {alias.Region} ")}{(alias.Error!.StartsWith(alias.Alias, StringComparison.Ordinal) ? alias.Error : $"{alias.Alias}: {alias.Error}")}");
            }

            return report.Aliases.Any(a => a.Error is not null) ? ExitCodes.Failed : ExitCodes.Success;
        });
        return command;
    }

    /// <summary>The report's --output when given after the command, else the global one's json or table; text has no report form.</summary>
    private static string FormatOf(ParseResult parsed, Option<string> output, CliContext context)
    {
        if (parsed.GetResult(output) is { Implicit: false })
        {
            return parsed.GetValue(output)!;
        }

        return context.Format switch
        {
            OutputFormat.Json => "json",
            OutputFormat.Text => throw new UsageException($"--output: the report has no text form; use {Formats}."),
            _ => "table",
        };
    }

    private static void Write(CliContext context, string format, ComplianceReport report)
    {
        switch (format)
        {
            case "json":
                context.WriteJson(ComplianceReportJson.ToJson(report));
                break;
            case "csv":
                ReportOutput.WriteCsv(context.Stdout, report);
                break;
            case "markdown":
                ReportOutput.WriteMarkdown(context.Stdout, report);
                break;
            default:
                ReportOutput.WriteTable(context, report);
                break;
        }
    }
}
