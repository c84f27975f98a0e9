using System.Text.Json.Nodes;

namespace KeyRotation.Function.Tests.Iam;

/// <summary>docs/permissions.md: its table of the role's statements and its required key policy statements.</summary>
internal static class PermissionsPage
{
    private const string Path = "docs/permissions.md";

    /// <summary>The section "The role's statements", whose table describes each statement by Sid.</summary>
    public static string StatementsSection => MarkdownPage.Load(Path).Section("## The role's statements");

    /// <summary>The section "Key policy (required)": the statements to add and the command that seals a key.</summary>
    public static string KeyPolicySection => MarkdownPage.Load(Path).Section("## Key policy (required)");

    /// <summary>The Sids the statement table describes (first column; several per row allowed).</summary>
    public static IReadOnlySet<string> DescribedSids =>
        MarkdownPage.TableRows(StatementsSection).SelectMany(row => MarkdownPage.CodeNames(row[0])).ToHashSet(StringComparer.Ordinal);

    /// <summary>The JSON list of key policy statements the page requires, placeholder unchanged.</summary>
    public static string KeyPolicyStatementsJson
    {
        get
        {
            var block = MarkdownPage.JsonBlocks(KeyPolicySection).Single(b => b.Contains("AllowKeyRotationFunction", StringComparison.Ordinal));
            Assert.NotNull(JsonNode.Parse(block)!.AsArray());
            return block;
        }
    }
}
