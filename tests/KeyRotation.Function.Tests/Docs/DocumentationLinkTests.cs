namespace KeyRotation.Function.Tests.Docs;

/// <summary>
/// README.md is the front door and docs/ holds one page per topic: every relative link and anchor between them
/// resolves, the README stays short and links every page, and its test command is the one CI runs.
/// </summary>
public sealed class DocumentationLinkTests
{
    private const string TestCommand = "dotnet test KeyRotation.sln --configuration Release";

    [Fact]
    public void RelativeLinks_InReadmeAndDocs_ResolveToFilesAndAnchors()
    {
        var pages = MarkdownPage.Documentation;
        var anchors = pages.ToDictionary(p => p.RelativePath, p => p.Headings.Select(h => h.Anchor).ToHashSet(StringComparer.Ordinal), StringComparer.Ordinal);
        var broken = new List<string>();

        foreach (var page in pages)
        {
            foreach (var (line, target) in page.Links.Where(l => !IsExternal(l.Target)))
            {
                var (path, anchor) = Split(target);
                var resolved = path.Length == 0
                    ? page.RelativePath
                    : Path.GetRelativePath(MarkdownPage.RepositoryRoot, Path.GetFullPath(Path.Combine(MarkdownPage.RepositoryRoot, Path.GetDirectoryName(page.RelativePath)!, Uri.UnescapeDataString(path)))).Replace('\\', '/');
                var full = Path.Combine(MarkdownPage.RepositoryRoot, resolved);
                if (resolved.StartsWith("..", StringComparison.Ordinal) || !(File.Exists(full) || Directory.Exists(full)))
                {
                    broken.Add($"{page.RelativePath}:{line}: {target} (no file {resolved})");
                }
                else if (anchor.Length > 0 && !(anchors.TryGetValue(resolved, out var known) && known.Contains(anchor)))
                {
                    broken.Add($"{page.RelativePath}:{line}: {target} (no heading with anchor #{anchor} in {resolved})");
                }
            }
        }

        Assert.True(broken.Count == 0, "Broken links:\n" + string.Join('\n', broken));
    }

    [Fact]
    public void Readme_IsAtMost250Lines()
    {
        var text = MarkdownPage.Load("README.md").Text;
        var lines = text.Count(c => c == '\n') + (text.EndsWith('\n') ? 0 : 1);

        Assert.True(lines <= 250, $"README.md has {lines} lines; keep it a front door and move the detail into docs/");
    }

    [Fact]
    public void Readme_LinksEveryDocsPage()
    {
        var linked = MarkdownPage.Load("README.md").Links.Select(l => Split(l.Target).Path).ToHashSet(StringComparer.Ordinal);
        var unlinked = MarkdownPage.Documentation.Select(p => p.RelativePath)
            .Where(p => p.StartsWith("docs/", StringComparison.Ordinal) && !linked.Contains(p)).ToList();

        Assert.True(unlinked.Count == 0, "README.md does not link " + string.Join(", ", unlinked));
    }

    [Fact]
    public void Readme_TestCommand_IsTheOneCiRuns()
    {
        Assert.Contains(TestCommand, MarkdownPage.Load("README.md").Section("## Test"), StringComparison.Ordinal);
        Assert.Contains(TestCommand, File.ReadAllText(Path.Combine(MarkdownPage.RepositoryRoot, ".ci", "run")), StringComparison.Ordinal);
    }

    private static (string Path, string Anchor) Split(string target)
    {
        var at = target.IndexOf('#', StringComparison.Ordinal);
        return at < 0 ? (target, string.Empty) : (target[..at], target[(at + 1)..]);
    }

    private static bool IsExternal(string target) =>
        target.StartsWith("https://", StringComparison.Ordinal) || target.StartsWith("http://", StringComparison.Ordinal) || target.StartsWith("mailto:", StringComparison.Ordinal);
}
