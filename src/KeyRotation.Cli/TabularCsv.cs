namespace KeyRotation.Cli;

/// <summary>
/// Rows as RFC 4180 CSV: a header row, CRLF line ends, and a field quoted (its quotes doubled) when it holds a comma,
/// a quote or a line break, so spreadsheets and csv readers take it as it is.
/// </summary>
internal static class TabularCsv
{
    public static void Write(TextWriter output, IReadOnlyList<TabularColumn> columns, IReadOnlyList<IReadOnlyList<TabularCell>> rows)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(columns);
        ArgumentNullException.ThrowIfNull(rows);
        Line(output, columns.Select(c => c.Header));
        foreach (var row in rows)
        {
            Line(output, row.Select(c => c.Text));
        }
    }

    public static string Field(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return text.AsSpan().IndexOfAny(",\"\r\n") < 0 ? text : $"\"{text.Replace("\"", "\"\"", StringComparison.Ordinal)}\"";
    }

    private static void Line(TextWriter output, IEnumerable<string> fields) => output.Write(string.Join(',', fields.Select(Field)) + "\r\n");
}
