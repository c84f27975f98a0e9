using System.Text;
using Spectre.Console;

namespace KeyRotation.Cli;

/// <summary>One column of a <see cref="Tabular"/>: ids and names never wrap; free text (a reason) may.</summary>
internal sealed record TabularColumn(string Header, bool Wraps = false);

/// <summary>One cell: its text, and a Spectre colour for terminals.</summary>
internal readonly record struct TabularCell(string Text, string? Colour = null)
{
    public static implicit operator TabularCell(string text) => new(text);
}

/// <summary>
/// Rows written the way the output format and the screen call for, as the AWS CLI does: <c>--output text</c> is one
/// tab-separated line per row; <c>--output table</c> on a terminal is a bordered table whose ids never wrap, or, when
/// the terminal is too narrow for that, one block per row (stacked); redirected, it is plain text in aligned columns
/// with a header line and no separator lines; <c>--output csv</c> (where a command offers it) is RFC 4180 CSV with a header row.
/// </summary>
internal static class Tabular
{
    /// <summary>The narrowest a wrapping column gets in a bordered table before the stacked layout is used instead.</summary>
    private const int MinWrappingWidth = 24;

    public static void Write(CliContext context, IReadOnlyList<TabularColumn> columns, IReadOnlyList<IReadOnlyList<TabularCell>> rows)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(columns);
        ArgumentNullException.ThrowIfNull(rows);
        if (context.Format == OutputFormat.Csv)
        {
            TabularCsv.Write(context.Stdout, columns, rows);
            return;
        }

        if (context.Format == OutputFormat.Text)
        {
            foreach (var row in rows)
            {
                context.Stdout.WriteLine(string.Join('\t', row.Select(c => c.Text.ReplaceLineEndings(" "))));
            }

            return;
        }

        if (!context.Host.StdoutIsTerminal)
        {
            WriteAligned(context.Stdout, columns, rows);
            return;
        }

        var widths = Widths(columns, rows);
        var needed = widths.Select((w, i) => columns[i].Wraps ? Math.Min(w, MinWrappingWidth) : w).Sum() + (3 * columns.Count) + 1;
        if (needed <= context.Console.Profile.Width)
        {
            WriteBordered(context.Console, columns, rows);
        }
        else
        {
            WriteStacked(context.Console, columns, rows);
        }
    }

    private static int[] Widths(IReadOnlyList<TabularColumn> columns, IReadOnlyList<IReadOnlyList<TabularCell>> rows) =>
        [.. columns.Select((c, i) => rows.Select(r => r[i].Text.Length).Append(c.Header.Length).Max())];

    private static void WriteAligned(TextWriter output, IReadOnlyList<TabularColumn> columns, IReadOnlyList<IReadOnlyList<TabularCell>> rows)
    {
        var widths = Widths(columns, rows);
        void Line(IEnumerable<string> cells)
        {
            var line = new StringBuilder();
            foreach (var (text, i) in cells.Select((t, i) => (t.ReplaceLineEndings(" "), i)))
            {
                line.Append(i == columns.Count - 1 ? text : text.PadRight(widths[i] + 2));
            }

            output.WriteLine(line.ToString().TrimEnd());
        }

        Line(columns.Select(c => c.Header));
        foreach (var row in rows)
        {
            Line(row.Select(c => c.Text));
        }
    }

    private static void WriteBordered(IAnsiConsole console, IReadOnlyList<TabularColumn> columns, IReadOnlyList<IReadOnlyList<TabularCell>> rows)
    {
        var table = new Table { Border = TableBorder.Rounded };
        foreach (var column in columns)
        {
            var added = new TableColumn(Markup.Escape(column.Header));
            table.AddColumn(column.Wraps ? added : added.NoWrap());
        }

        foreach (var row in rows)
        {
            table.AddRow([.. row.Select(Render)]);
        }

        console.Write(table);
    }

    private static void WriteStacked(IAnsiConsole console, IReadOnlyList<TabularColumn> columns, IReadOnlyList<IReadOnlyList<TabularCell>> rows)
    {
        var labelWidth = columns.Skip(1).Select(c => c.Header.Length).DefaultIfEmpty(0).Max() + 1;
        foreach (var row in rows)
        {
            console.MarkupLine($"[bold]{Markup.Escape(row[0].Text)}[/]");
            for (var i = 1; i < columns.Count; i++)
            {
                console.MarkupLine($"  {Markup.Escape((columns[i].Header + ":").PadRight(labelWidth))} {Render(row[i])}");
            }

            console.WriteLine();
        }
    }

    private static string Render(TabularCell cell) =>
        cell.Colour is null ? Markup.Escape(cell.Text) : $"[{cell.Colour}]{Markup.Escape(cell.Text)}[/]";
}
