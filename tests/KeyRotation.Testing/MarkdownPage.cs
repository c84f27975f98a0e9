using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace KeyRotation.Testing;

/// <summary>
/// A Markdown page of the repository (README.md or a page under docs/), read as GitHub renders it: headings and links
/// count only outside fenced code blocks, and each heading's anchor is GitHub's slug of its text. Contract tests read
/// the tables and JSON blocks of a page through this one reader.
/// </summary>
internal sealed partial class MarkdownPage
{
    private MarkdownPage(string relativePath, string text)
    {
        RelativePath = relativePath.Replace('\\', '/');
        Text = text.Replace("\r\n", "\n", StringComparison.Ordinal);
        Lines = Text.Split('\n');
        Prose = [.. ProseLinesOf(Lines)];
        Headings = [.. HeadingsOf(Prose)];
    }

    /// <summary>The repository root: the first directory above the test binaries that holds KeyRotation.sln.</summary>
    public static string RepositoryRoot { get; } = FindRoot();

    /// <summary>The path from the repository root, with forward slashes.</summary>
    public string RelativePath { get; }

    public string Text { get; }

    public IReadOnlyList<string> Lines { get; }

    /// <summary>The lines outside fenced code blocks, with their 1-based line numbers.</summary>
    public IReadOnlyList<(int Number, string Line)> Prose { get; }

    /// <summary>The headings, in order: level, text, and the anchor GitHub gives it.</summary>
    public IReadOnlyList<(int Number, int Level, string Text, string Anchor)> Headings { get; }

    /// <summary>README.md and every page under docs/.</summary>
    public static IReadOnlyList<MarkdownPage> Documentation =>
        [Load("README.md"), .. Directory.GetFiles(Path.Combine(RepositoryRoot, "docs"), "*.md").Order(StringComparer.Ordinal).Select(path => Load(Path.GetRelativePath(RepositoryRoot, path)))];

    public static MarkdownPage Load(string relativePath) =>
        new(relativePath, File.ReadAllText(Path.Combine(RepositoryRoot, relativePath)));

    /// <summary>
    /// The section a heading opens (given as written, for example "## Key policy (required)"): from that heading to the
    /// next heading of the same or a higher level.
    /// </summary>
    public string Section(string heading)
    {
        var start = Headings.FirstOrDefault(h => new string('#', h.Level) + " " + h.Text == heading);
        if (start == default)
        {
            throw new InvalidOperationException($"{RelativePath} has no heading \"{heading}\"");
        }

        var end = Headings.FirstOrDefault(h => h.Number > start.Number && h.Level <= start.Level).Number;
        var last = end == 0 ? Lines.Count : end - 1;
        return string.Join('\n', Lines.Skip(start.Number - 1).Take(last - start.Number + 1));
    }

    /// <summary>The targets of the inline links (and images) outside code, with their line numbers.</summary>
    public IEnumerable<(int Number, string Target)> Links =>
        Prose.SelectMany(p => InlineLink().Matches(CodeSpan().Replace(p.Line, string.Empty)).Select(m => (p.Number, m.Groups[1].Value)));

    /// <summary>The rows of the first table in <paramref name="section"/>, cells trimmed, without the header and separator.</summary>
    public static IReadOnlyList<IReadOnlyList<string>> TableRows(string section) =>
        [.. section.Split('\n')
            .SkipWhile(line => !line.StartsWith('|'))
            .TakeWhile(line => line.StartsWith('|'))
            .Skip(2)
            .Select(line => (IReadOnlyList<string>)[.. CellSeparator().Split(line.Trim().Trim('|')).Select(cell => cell.Trim())])];

    /// <summary>The names a cell gives in backticks (`A`, `B`), in order.</summary>
    public static IReadOnlyList<string> CodeNames(string cell) => [.. CodeSpan().Matches(cell).Select(m => m.Value.Trim('`'))];

    /// <summary>The JSON documents of the section's ```json blocks, in order.</summary>
    public static IReadOnlyList<string> JsonBlocks(string section) => [.. JsonBlock().Matches(section).Select(m => m.Groups[1].Value)];

    /// <summary>GitHub's anchor for a heading: lower case, punctuation dropped (hyphens and underscores kept), spaces to hyphens.</summary>
    public static string Slug(string heading)
    {
        var text = new StringBuilder();
        foreach (var c in heading.ToLowerInvariant())
        {
            var category = char.GetUnicodeCategory(c);
            if (c is ' ' or '-' || char.IsLetterOrDigit(c) || category is UnicodeCategory.ConnectorPunctuation or UnicodeCategory.NonSpacingMark)
            {
                text.Append(c == ' ' ? '-' : c);
            }
        }

        return text.ToString();
    }

    private static IEnumerable<(int, string)> ProseLinesOf(IReadOnlyList<string> lines)
    {
        string? fence = null;
        for (var i = 0; i < lines.Count; i++)
        {
            var trimmed = lines[i].TrimStart();
            if (trimmed.StartsWith("```", StringComparison.Ordinal) || trimmed.StartsWith("~~~", StringComparison.Ordinal))
            {
                var marker = trimmed[..3];
                fence = fence is null ? marker : fence == marker ? null : fence;
                continue;
            }

            if (fence is null)
            {
                yield return (i + 1, lines[i]);
            }
        }
    }

    private static IEnumerable<(int, int, string, string)> HeadingsOf(IEnumerable<(int Number, string Line)> prose)
    {
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (number, line) in prose)
        {
            if (HeadingLine().Match(line) is not { Success: true } match)
            {
                continue;
            }

            var text = match.Groups[2].Value.Trim();
            var slug = Slug(text);
            var anchor = seen.TryGetValue(slug, out var count) ? $"{slug}-{count}" : slug;
            seen[slug] = count + 1;
            yield return (number, match.Groups[1].Length, text, anchor);
        }
    }

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "KeyRotation.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"no KeyRotation.sln above {AppContext.BaseDirectory}");
    }

    [GeneratedRegex(@"^(#{1,6}) (.+)$")]
    private static partial Regex HeadingLine();

    [GeneratedRegex(@"\[[^\]]*\]\(([^)\s]+)(?:\s+""[^""]*"")?\)")]
    private static partial Regex InlineLink();

    [GeneratedRegex("`[^`]+`")]
    private static partial Regex CodeSpan();

    [GeneratedRegex(@"(?<!\\)\|")]
    private static partial Regex CellSeparator();

    [GeneratedRegex("```json\\n(.*?)\\n```", RegexOptions.Singleline)]
    private static partial Regex JsonBlock();
}
