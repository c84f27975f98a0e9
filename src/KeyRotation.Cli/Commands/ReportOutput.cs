using System.Globalization;
using KeyRotation.Core;
using KeyRotation.Core.Compliance;

namespace KeyRotation.Cli.Commands;

/// <summary>The report's formats besides JSON (ComplianceReportJson): a table for people, CSV for spreadsheets, Markdown for tickets.</summary>
internal static class ReportOutput
{
    private static readonly string[] AliasColumns = ["Alias", "Standing", "Current key", "Age (days)", "Cryptoperiod (days)", "Last rotation", "Due by", "Next scheduled run", "Keys", "Cost a month"];

    private static readonly string[] GenerationColumns = ["Alias", "Generation", "Key id", "Role", "Lifecycle", "Last use", "Cost a month"];

    /// <summary>The generation table's column with --consumers.</summary>
    private const string ConsumersColumn = "Consumers";

    /// <summary>The CSV's columns with --consumers, after the others: the generation's count, and its alias's resources not checked.</summary>
    private static readonly string[] CsvConsumerColumns = ["consumers", "consumers_not_checked"];

    private static readonly string[] CsvColumns =
    [
        "account", "region", "alias", "standing", "current_key_id", "age_days", "cryptoperiod_days", "cryptoperiod_source", "material_since",
        "last_rotation", "due_by", "next_scheduled_run", "generation", "key_id", "role", "key_state", "lifecycle", "deletion_date",
        "last_use", "last_use_at", "monthly_dollars", "error",
    ];

    /// <summary>Two tables (the aliases, then every generation) and the summary line.</summary>
    public static void WriteTable(CliContext context, ComplianceReport report)
    {
        var across = report.Aliases.Any(a => a.Account is not null);
        Tabular.Write(context, [.. Prefix(across).Concat(AliasColumns).Select(h => new TabularColumn(h))], [.. report.Aliases.Select(a => (IReadOnlyList<TabularCell>)[.. Where(a, across).Concat(AliasCells(a)).Select(c => new TabularCell(c))])]);
        context.Stdout.WriteLine();
        var generations = report.Aliases.SelectMany(a => a.Generations.SelectMany(g => RowsOf(a, g, report.ConsumersRead)).Select(cells => (IReadOnlyList<TabularCell>)[.. Where(a, across).Concat(cells).Select(c => new TabularCell(c))])).ToList();
        if (generations.Count > 0)
        {
            Tabular.Write(context, [.. Prefix(across).Concat(GenerationHeader(report)).Select(h => new TabularColumn(h, Wraps: h is "Last use" or ConsumersColumn))], generations);
            context.Stdout.WriteLine();
        }

        context.Stdout.WriteLine(Header(report));
        context.Stdout.WriteLine(report.DescribeSummary());
    }

    /// <summary>RFC 4180: a header row, then one row per generation with its alias's fields repeated (an alias that could not be read: one row with its error).</summary>
    public static void WriteCsv(TextWriter output, ComplianceReport report)
    {
        output.Write(string.Join(',', report.ConsumersRead ? [.. CsvColumns, .. CsvConsumerColumns] : CsvColumns) + "\r\n");
        foreach (var alias in report.Aliases)
        {
            var period = alias.Cryptoperiod;
            string?[] aliasFields =
            [
                alias.Account, alias.Region, alias.Alias, period is null ? null : ComplianceReportJson.Standing(period.Standing), alias.Status?.Current.KeyId,
                period is null ? null : Days(period.Age), period?.CryptoperiodDays.ToString(CultureInfo.InvariantCulture), period?.CryptoperiodSource,
                Time(period?.MaterialSince), Time(alias.LastRotation), Time(period?.DueBy), Time(period?.NextScheduledRun),
            ];
            // With --consumers, each generation's row ends with its count and its alias's unchecked resources (a replica's row with none).
            string?[] Consumers(GenerationConsumers? consumers) => report.ConsumersRead
                ? [consumers?.Count.ToString(CultureInfo.InvariantCulture), consumers?.NotChecked.Count.ToString(CultureInfo.InvariantCulture)]
                : [];
            var rows = alias.Generations.Count == 0
                ? [[.. aliasFields, null, null, null, null, null, null, null, null, null, alias.Error, .. Consumers(null)]]
                : alias.Generations.SelectMany(g => new[]
                {
                    (string?[])[
                        .. aliasFields, g.Key.Generation.ToString(CultureInfo.InvariantCulture), g.Key.KeyId, g.Role, g.Key.Missing ? "NotFound" : g.Key.KeyState,
                        g.Lifecycle, Time(g.Key.DeletionDate), g.LastUse?.Kind, Time(g.LastUse?.At), g.MonthlyDollars.ToString("0.00", CultureInfo.InvariantCulture), alias.Error, .. Consumers(g.Consumers)],
                }.Concat(g.Replicas.Select(r => (string?[])[
                    .. aliasFields, g.Key.Generation.ToString(CultureInfo.InvariantCulture), r.KeyId, $"replica in {r.Region}", r.KeyState,
                    null, null, r.LastUse?.Kind, Time(r.LastUse?.At), null, alias.Error, .. Consumers(null)])));
            foreach (var row in rows)
            {
                output.Write(string.Join(',', row.Select(Csv)) + "\r\n");
            }
        }
    }

    /// <summary>A page for a ticket or an audit file: the settings, the summary, the aliases, then each alias's generations.</summary>
    public static void WriteMarkdown(TextWriter output, ComplianceReport report)
    {
        var across = report.Aliases.Any(a => a.Account is not null);
        output.WriteLine($"# Key rotation compliance report, {RecordedTime.Format(report.GeneratedAt)}");
        output.WriteLine();
        output.WriteLine(Header(report));
        output.WriteLine();
        output.WriteLine($"**{report.DescribeSummary()}**");
        output.WriteLine();
        MarkdownTable(output, [.. Prefix(across), .. AliasColumns], report.Aliases.Select(a => Where(a, across).Concat(AliasCells(a)).ToList()));
        foreach (var alias in report.Aliases.Where(a => a.Generations.Count > 0 || a.Error is not null))
        {
            output.WriteLine();
            output.WriteLine($"## {alias.Alias}{(alias.Account is null ? string.Empty : $" ({alias.Account} {alias.Region})")}");
            output.WriteLine();
            if (alias.Error is not null)
            {
                output.WriteLine($"Error: {alias.Error}");
                output.WriteLine();
            }

            if (alias.Generations.Count > 0)
            {
                MarkdownTable(output, GenerationHeader(report)[1..], alias.Generations.SelectMany(g => RowsOf(alias, g, report.ConsumersRead)).Select(cells => cells.Skip(1).ToList()));
            }
        }
    }

    private static string Header(ComplianceReport report) => string.Create(
        CultureInfo.InvariantCulture,
        $"Cryptoperiod {report.MaxKeyAgeDays} days (MAX_KEY_AGE_DAYS; an alias's tag keyrotation:max-key-age-days overrides it); schedule {report.Schedule.Describe()}{(report.Schedule.Period is { } p ? $", period {p.TotalDays:0.##} days" : string.Empty)}{(report.LastUseRead ? string.Empty : "; last use not read")}.");

    private static IEnumerable<string> Prefix(bool across) => across ? ["Account", "Region"] : [];

    private static IEnumerable<string> Where(AliasCompliance alias, bool across) => across ? [alias.Account ?? "-", alias.Region ?? "-"] : [];

    private static IEnumerable<string> AliasCells(AliasCompliance alias)
    {
        var period = alias.Cryptoperiod;
        return
        [
            alias.Alias,
            period is null ? $"not measured: {alias.Error}" : ComplianceReportJson.Standing(period.Standing),
            alias.Status?.Current.KeyId ?? "-",
            period is null ? "-" : Days(period.Age),
            period is null ? "-" : $"{period.CryptoperiodDays.ToString(CultureInfo.InvariantCulture)}{(period.CryptoperiodSource == Core.Configuration.SettingNames.MaxKeyAgeDays ? string.Empty : " (tag)")}",
            Time(alias.LastRotation) ?? (alias.Status is null ? "-" : "never"),
            Time(period?.DueBy) ?? "-",
            Time(period?.NextScheduledRun) ?? "-",
            alias.Cost is { } cost ? $"{cost.Enabled} enabled, {cost.Disabled} disabled, {cost.PendingDeletion} pending deletion" : "-",
            alias.Cost is { } charged ? Dollars(charged.MonthlyDollars) : "-",
        ];
    }

    /// <summary>The generation table's columns: with --consumers, one more.</summary>
    private static string[] GenerationHeader(ComplianceReport report) => report.ConsumersRead ? [.. GenerationColumns, ConsumersColumn] : GenerationColumns;

    private static IEnumerable<string> GenerationCells(AliasCompliance alias, GenerationCompliance generation, bool consumersRead) =>
    [
        alias.Alias,
        generation.Key.Generation.ToString(CultureInfo.InvariantCulture),
        generation.Key.KeyId,
        generation.Role,
        generation.Lifecycle,
        generation.LastUse?.Description ?? "not read",
        Dollars(generation.MonthlyDollars),
        .. consumersRead ? [generation.Consumers?.Describe() ?? "not read"] : Array.Empty<string>(),
    ];

    /// <summary>A generation's row, then, for a multi-Region current key, one row per replica with its own last use (its cost is not in status's count).</summary>
    private static IEnumerable<IReadOnlyList<string>> RowsOf(AliasCompliance alias, GenerationCompliance generation, bool consumersRead) =>
        new[] { (IReadOnlyList<string>)[.. GenerationCells(alias, generation, consumersRead)] }.Concat(generation.Replicas.Select(r => (IReadOnlyList<string>)
        [
            alias.Alias,
            generation.Key.Generation.ToString(CultureInfo.InvariantCulture),
            r.KeyId,
            $"replica in {r.Region}",
            r.KeyState ?? "-",
            r.LastUse?.Description ?? "not read",
            "-",
            .. consumersRead ? ["-"] : Array.Empty<string>(),
        ]));

    private static void MarkdownTable(TextWriter output, IReadOnlyList<string> header, IEnumerable<IReadOnlyList<string>> rows)
    {
        output.WriteLine("| " + string.Join(" | ", header.Select(MarkdownCell)) + " |");
        output.WriteLine("|" + string.Concat(header.Select(_ => "---|")));
        foreach (var row in rows)
        {
            output.WriteLine("| " + string.Join(" | ", row.Select(MarkdownCell)) + " |");
        }
    }

    private static string MarkdownCell(string text) => text.Replace("|", "\\|", StringComparison.Ordinal).ReplaceLineEndings(" ");

    private static string Csv(string? field) =>
        field is null ? string.Empty
        : field.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + field.Replace("\"", "\"\"", StringComparison.Ordinal) + "\""
        : field;

    private static string Days(TimeSpan age) => age.TotalDays.ToString("0.0", CultureInfo.InvariantCulture);

    private static string Dollars(decimal dollars) => "$" + dollars.ToString("0.00", CultureInfo.InvariantCulture);

    private static string? Time(DateTimeOffset? time) => time is { } t ? RecordedTime.Format(t) : null;
}
