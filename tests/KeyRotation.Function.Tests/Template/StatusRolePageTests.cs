using System.Text.Json.Nodes;
using KeyRotation.Core;

namespace KeyRotation.Function.Tests.Template;

/// <summary>The status role documented in docs/cli.md (permissions and trust policy, section "The roles") is the template's.</summary>
public sealed class StatusRolePageTests
{
    private static CloudFormationTemplate Template => RotationStack.Template;

    /// <summary>The section's JSON documents, in order: the permissions policy, then the trust policy.</summary>
    private static IReadOnlyList<JsonObject> Documents =>
        [.. MarkdownPage.JsonBlocks(MarkdownPage.Load("docs/cli.md").Section("## The roles")).Select(block => JsonNode.Parse(block)!.AsObject())];

    private static JsonObject Statement(JsonObject document) => document["Statement"]!.AsArray().Single()!.AsObject();

    [Fact]
    public void PermissionsPolicy_InTheCliPage_IsTheTemplatesStatusRolePolicy()
    {
        var documented = Statement(Documents[0]);
        var template = CloudFormationTemplate.List(Template.Properties("StatusRole")["Policies"])
            .SelectMany(policy => CloudFormationTemplate.List(CloudFormationTemplate.Map(CloudFormationTemplate.Map(policy)["PolicyDocument"])["Statement"]))
            .Select(CloudFormationTemplate.Map)
            .Single();

        Assert.Equal((string?)template["Sid"], (string?)documented["Sid"]);
        Assert.Equal("Allow", (string?)documented["Effect"]);
        Assert.Equal("*", (string?)documented["Resource"]);
        Assert.Equal(KmsPermissions.StatusRead, documented["Action"]!.AsArray().Select(a => (string)a!));
    }

    [Fact]
    public void TrustPolicy_InTheCliPage_IsTheTemplatesStatusRoleTrust()
    {
        var documented = Statement(Documents[1]);
        var template = CloudFormationTemplate.Map(CloudFormationTemplate.List(CloudFormationTemplate.Map(Template.Properties("StatusRole")["AssumeRolePolicyDocument"])["Statement"]).Single());

        Assert.Equal((string?)template["Sid"], (string?)documented["Sid"]);
        Assert.Equal("Allow", (string?)documented["Effect"]);
        Assert.Equal("sts:AssumeRole", (string?)documented["Action"]);
        Assert.NotNull(documented["Principal"]!["AWS"]);
        Assert.NotNull(documented["Condition"]!["StringEquals"]!["sts:ExternalId"]);
    }
}
