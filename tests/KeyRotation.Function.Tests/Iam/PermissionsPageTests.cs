using System.Text.Json.Nodes;
using KeyRotation.Core;
using KeyRotation.Function.Tests.Template;

namespace KeyRotation.Function.Tests.Iam;

/// <summary>docs/permissions.md and the role stay in step: every statement described, nothing else; the key policy and the seal as the code has them.</summary>
public sealed class PermissionsPageTests
{
    [Fact]
    public void PermissionsSection_DescribesExactlyTheStatementsOfTheRole()
    {
        // Every statement of every parameter combination (both branches of each Fn::If).
        var sids = RotationStack.FunctionStatements.Select(s => (string?)s["Sid"] ?? "(a statement without Sid)").ToHashSet(StringComparer.Ordinal);

        Assert.Equal(sids.Order(StringComparer.Ordinal), PermissionsPage.DescribedSids.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void KeyPolicyStatements_OnThePermissionsPage_GrantExactlyWhatKmsPermissionsNames()
    {
        var statements = JsonNode.Parse(PermissionsPage.KeyPolicyStatementsJson)!.AsArray().Select(s => s!.AsObject()).ToList();
        IReadOnlyList<string> Actions(string sid) =>
            [.. statements.Single(s => (string?)s["Sid"] == sid)["Action"]!.AsArray().Select(a => (string)a!)];

        Assert.Equal([KmsPermissions.KeyPolicyStatementSid, KmsPermissions.NewKeySetupStatementSid], statements.Select(s => (string?)s["Sid"]));
        Assert.Equal(KmsPermissions.KeyPolicyStatement.Order(StringComparer.Ordinal), Actions(KmsPermissions.KeyPolicyStatementSid).Order(StringComparer.Ordinal));
        Assert.Equal(KmsPermissions.NewKeySetupStatement.Order(StringComparer.Ordinal), Actions(KmsPermissions.NewKeySetupStatementSid).Order(StringComparer.Ordinal));
        Assert.Equal(
            KmsPermissions.All.Except(KmsPermissions.GrantedByIamPolicy).Order(StringComparer.Ordinal),
            KmsPermissions.KeyPolicyStatement.Concat(KmsPermissions.NewKeySetupStatement).Except(KmsPermissions.GrantedByIamPolicy).Distinct().Order(StringComparer.Ordinal));
    }

    [Fact]
    public void SealTag_NamedOnThePermissionsPage_IsTheOneTheCodeWritesAndTheRoleDenies()
    {
        Assert.Contains($"TagKey={RotationTags.Sealed},TagValue={RotationTags.SealedValue}", PermissionsPage.KeyPolicySection, StringComparison.Ordinal);
        var sealedDenies = RotationStack.FunctionStatements.Where(s => (string?)s["Effect"] == "Deny")
            .Where(s => CloudFormationTemplate.Descendants(s.GetValueOrDefault("Condition")).OfType<Dictionary<string, object?>>().Any(m => m.ContainsKey("aws:ResourceTag/" + RotationTags.Sealed)));

        Assert.Equal(["kms:PutKeyPolicy", "kms:TagResource"], sealedDenies.SelectMany(RotationStack.Actions).Order(StringComparer.Ordinal));
    }
}
