using System.Text.Json.Nodes;
using KeyRotation.Core;

namespace KeyRotation.Function.Tests.Template;

/// <summary>The README's status role (permissions and trust policy, in the CLI's Across accounts section) is the template's.</summary>
public sealed class ReadmeStatusRoleTests
{
    private const string Heading = "### Across accounts: `--role-arn` and `--accounts`";

    private static CloudFormationTemplate Template => RotationStack.Template;

    /// <summary>The section's JSON documents, in order: the permissions policy, then the trust policy.</summary>
    private static IReadOnlyList<JsonObject> Documents
    {
        get
        {
            var readme = RepositoryFiles.Read("README.md");
            var start = readme.IndexOf(Heading, StringComparison.Ordinal);
            Assert.True(start >= 0, $"README.md has no section \"{Heading}\"");
            var end = readme.IndexOf("\n## ", start, StringComparison.Ordinal);
            var section = readme[start..end];
            return [.. section.Split("```json\n").Skip(1).Select(block => JsonNode.Parse(block[..block.IndexOf("```", StringComparison.Ordinal)])!.AsObject())];
        }
    }

    private static JsonObject Statement(JsonObject document) => document["Statement"]!.AsArray().Single()!.AsObject();

    [Fact]
    public void PermissionsPolicy_InTheReadme_IsTheTemplatesStatusRolePolicy()
    {
        var readme = Statement(Documents[0]);
        var template = CloudFormationTemplate.List(Template.Properties("StatusRole")["Policies"])
            .SelectMany(policy => CloudFormationTemplate.List(CloudFormationTemplate.Map(CloudFormationTemplate.Map(policy)["PolicyDocument"])["Statement"]))
            .Select(CloudFormationTemplate.Map)
            .Single();

        Assert.Equal((string?)template["Sid"], (string?)readme["Sid"]);
        Assert.Equal("Allow", (string?)readme["Effect"]);
        Assert.Equal("*", (string?)readme["Resource"]);
        Assert.Equal(KmsPermissions.StatusRead, readme["Action"]!.AsArray().Select(a => (string)a!));
    }

    [Fact]
    public void TrustPolicy_InTheReadme_IsTheTemplatesStatusRoleTrust()
    {
        var readme = Statement(Documents[1]);
        var template = CloudFormationTemplate.Map(CloudFormationTemplate.List(CloudFormationTemplate.Map(Template.Properties("StatusRole")["AssumeRolePolicyDocument"])["Statement"]).Single());

        Assert.Equal((string?)template["Sid"], (string?)readme["Sid"]);
        Assert.Equal("Allow", (string?)readme["Effect"]);
        Assert.Equal("sts:AssumeRole", (string?)readme["Action"]);
        Assert.NotNull(readme["Principal"]!["AWS"]);
        Assert.NotNull(readme["Condition"]!["StringEquals"]!["sts:ExternalId"]);
    }
}
