using System.Text.Json.Nodes;
using KeyRotation.Core;

namespace KeyRotation.Function.Tests.Docs;

/// <summary>docs/consumers.md's policy for <c>keyrotation reencrypt</c> grants exactly what the code calls (<see cref="KmsPermissions.OperatorReencryption"/>).</summary>
public sealed class ReencryptionPageTests
{
    private static JsonArray Statements =>
        JsonNode.Parse(MarkdownPage.JsonBlocks(MarkdownPage.Load("docs/consumers.md").Section("## Re-encrypting stored ciphertexts")).Single())!["Statement"]!.AsArray();

    private static IEnumerable<string> Actions(JsonNode statement) =>
        statement["Action"] is JsonArray list ? list.Select(a => (string)a!) : [(string)statement["Action"]!];

    [Fact]
    public void OperatorPolicy_InTheConsumersPage_AllowsExactlyTheActionsReencryptCalls()
    {
        var documented = Statements.SelectMany(s => Actions(s!)).Order(StringComparer.Ordinal);

        Assert.All(Statements, s => Assert.Equal("Allow", (string?)s!["Effect"]));
        Assert.Equal(KmsPermissions.OperatorReencryption.Order(StringComparer.Ordinal), documented);
    }

    [Fact]
    public void OperatorPolicy_ReEncryptsOnlyToKeysBehindTheAlias()
    {
        var to = Statements.Single(s => Actions(s!).Contains("kms:ReEncryptTo"))!;

        Assert.Equal(["kms:ReEncryptTo"], Actions(to));
        Assert.Equal("alias/app-data", (string?)to["Condition"]!["ForAnyValue:StringEquals"]!["kms:ResourceAliases"]);
    }

    [Fact]
    public void RotationRole_IsDeniedEveryReEncrypt()
    {
        Assert.Contains("kms:ReEncrypt*", KmsPermissions.Forbidden);
        Assert.DoesNotContain(KmsPermissions.All, a => a.StartsWith("kms:ReEncrypt", StringComparison.Ordinal));
    }
}
