using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using KeyRotation.Function.Tests.Template;

namespace KeyRotation.Function.Tests.Iam;

/// <summary>The README's section "Permissions: IAM and key policy": its statement table and its key policy statements.</summary>
internal static partial class ReadmePermissions
{
    private const string Heading = "## Permissions: IAM and key policy";

    public static string Section
    {
        get
        {
            var readme = RepositoryFiles.Read("README.md");
            var start = readme.IndexOf(Heading, StringComparison.Ordinal);
            Assert.True(start >= 0, $"README.md has no section \"{Heading}\"");
            var end = readme.IndexOf("\n## ", start + Heading.Length, StringComparison.Ordinal);
            return end < 0 ? readme[start..] : readme[start..end];
        }
    }

    /// <summary>The Sids the section's table describes (first column; several per row allowed).</summary>
    public static IReadOnlySet<string> DescribedSids =>
        Section.Split('\n')
            .Where(line => line.StartsWith("| `", StringComparison.Ordinal))
            .SelectMany(line => BacktickedName().Matches(line.Split('|')[1]).Select(m => m.Groups[1].Value))
            .ToHashSet(StringComparer.Ordinal);

    /// <summary>The JSON list of key policy statements the section requires, placeholder unchanged.</summary>
    public static string KeyPolicyStatementsJson
    {
        get
        {
            var block = JsonBlock().Matches(Section).Select(m => m.Groups[1].Value).Single(b => b.Contains("AllowKeyRotationFunction", StringComparison.Ordinal));
            Assert.NotNull(JsonNode.Parse(block)!.AsArray());
            return block;
        }
    }

    [GeneratedRegex("`([A-Za-z]+)`")]
    private static partial Regex BacktickedName();

    [GeneratedRegex("```json\\n(.*?)\\n```", RegexOptions.Singleline)]
    private static partial Regex JsonBlock();
}
