namespace KeyRotation.Function.Tests.Template;

/// <summary>template.yaml as a service-managed StackSet deploys it: central topic and escrow, and the status role.</summary>
public sealed class TemplateOrganizationTests
{
    private const string CentralTopic = "arn:aws:sns:eu-west-1:999988887777:key-rotation-hub";
    private const string TrustedPrincipal = "arn:aws:iam::999988887777:role/security-audit";

    private static CloudFormationTemplate Template => RotationStack.Template;

    private static string? ResourceCondition(string logicalId) =>
        (string?)CloudFormationTemplate.Map(Template.Resources[logicalId]).GetValueOrDefault("Condition");

    [Theory]
    [InlineData("", true)]
    [InlineData(CentralTopic, false)]
    public void NotificationTopic_WithOrWithoutCentralTopic_IsCreatedOnlyWithout(string centralTopic, bool created)
    {
        var parameters = new Dictionary<string, string> { ["CentralNotificationTopicArn"] = centralTopic, ["NotificationEmail"] = "ops@example.com" };

        Assert.Equal(created, TemplateConditions.Holds(Template, ResourceCondition("NotificationTopic")!, parameters));
        Assert.Equal(created, TemplateConditions.Holds(Template, ResourceCondition("NotificationEmailSubscription")!, parameters));
    }

    [Fact]
    public void EscrowBucket_WithCentralEscrowBucket_IsNotCreated()
    {
        var parameters = new Dictionary<string, string>
        {
            ["KeyMaterialOrigin"] = "EXTERNAL",
            ["EscrowPublicKey"] = "MIIB",
            ["CentralEscrowBucketName"] = "org-escrow-bucket",
        };

        Assert.False(TemplateConditions.Holds(Template, ResourceCondition("EscrowBucket")!, parameters));
        Assert.True(TemplateConditions.Holds(Template, "CreatesEscrowBucket", new Dictionary<string, string> { ["KeyMaterialOrigin"] = "EXTERNAL", ["EscrowPublicKey"] = "MIIB" }));
    }

    [Fact]
    public void OneEscrowBucketRule_BothBucketsNamed_Refuses()
    {
        var rule = CloudFormationTemplate.Map(Template.Section("Rules")["OneEscrowBucket"]);
        var parameters = new Dictionary<string, string> { ["CentralEscrowBucketName"] = "org-escrow-bucket", ["EscrowBucketName"] = "account-escrow-bucket" };

        Assert.True(TemplateConditions.Evaluate(Template, rule["RuleCondition"], parameters));
        Assert.False(TemplateConditions.Evaluate(Template, CloudFormationTemplate.Map(CloudFormationTemplate.List(rule["Assertions"]).Single())["Assert"], parameters));
    }

    [Theory]
    [InlineData("", false)]
    [InlineData(TrustedPrincipal, true)]
    public void StatusRole_OnlyWithATrustedPrincipal_IsCreated(string principal, bool created)
    {
        var parameters = new Dictionary<string, string> { ["StatusRoleTrustedPrincipalArn"] = principal };

        Assert.Equal(created, TemplateConditions.Holds(Template, ResourceCondition("StatusRole")!, parameters));
        Assert.Equal("CreatesStatusRole", CloudFormationTemplate.Map(Template.Section("Outputs")["StatusRoleArn"])["Condition"]);
    }

    [Theory]
    [InlineData("", false)]
    [InlineData("audit-7f3a", true)]
    public void StatusRoleTrust_IsTheConfiguredPrincipal_WithTheExternalIdOnlyWhenSet(string externalId, bool requiresExternalId)
    {
        var parameters = new Dictionary<string, string> { ["StatusRoleTrustedPrincipalArn"] = TrustedPrincipal, ["StatusRoleExternalId"] = externalId };
        var trust = CloudFormationTemplate.Map(TemplateConditions.Resolve(Template, Template.Properties("StatusRole")["AssumeRolePolicyDocument"], parameters));
        var statement = CloudFormationTemplate.Map(CloudFormationTemplate.List(trust["Statement"]).Single());

        Assert.Equal("Allow", statement["Effect"]);
        Assert.Equal("sts:AssumeRole", statement["Action"]);
        Assert.Equal(TrustedPrincipal, CloudFormationTemplate.Map(statement["Principal"])["AWS"]);
        if (requiresExternalId)
        {
            Assert.Equal(externalId, CloudFormationTemplate.Map(CloudFormationTemplate.Map(statement["Condition"])["StringEquals"])["sts:ExternalId"]);
        }
        else
        {
            Assert.Equal<object?>(new Dictionary<string, object?> { ["Ref"] = "AWS::NoValue" }, statement["Condition"], new IntrinsicComparer());
        }
    }

    [Fact]
    public void StatusRolePolicy_InTemplate_AllowsOnlyTheReadOnlyKmsActions()
    {
        var statements = CloudFormationTemplate.List(Template.Properties("StatusRole")["Policies"])
            .SelectMany(policy => CloudFormationTemplate.List(CloudFormationTemplate.Map(CloudFormationTemplate.Map(policy)["PolicyDocument"])["Statement"]))
            .Select(CloudFormationTemplate.Map)
            .ToList();

        var statement = Assert.Single(statements);
        Assert.Equal("Allow", statement["Effect"]);
        Assert.Equal(Core.KmsPermissions.StatusRead, RotationStack.Actions(statement));
        Assert.Equal("*", statement["Resource"]);
    }

    [Fact]
    public void StatusRoleName_InTemplate_IsOnePerAccountAndRegion()
    {
        Assert.Equal<object?>(
            new Dictionary<string, object?> { ["Fn::Sub"] = "keyrotation-status-${AWS::Region}" },
            Template.Properties("StatusRole")["RoleName"],
            new IntrinsicComparer());
    }

    [Fact]
    public void ScheduleName_ForAStackSetInstance_FitsTheSchedulerLimitWhateverTheStackName()
    {
        // StackSet instances are named StackSet-<stack set name>-<uuid>; schedule names allow 64 characters.
        const string StackId = "arn:aws:cloudformation:eu-west-1:111122223333:stack/StackSet-key-rotation-organization-0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0/12345678-90ab-cdef-1234-567890abcdef";
        var join = CloudFormationTemplate.List(CloudFormationTemplate.Intrinsic(RotationStack.ScheduleEvent["Name"])!.Value.Argument);
        var select = CloudFormationTemplate.List(CloudFormationTemplate.Intrinsic(CloudFormationTemplate.List(join[1])[1])!.Value.Argument);
        var split = CloudFormationTemplate.List(CloudFormationTemplate.Intrinsic(select[1])!.Value.Argument);
        Assert.Equal<object?>(new Dictionary<string, object?> { ["Ref"] = "AWS::StackId" }, split[1], new IntrinsicComparer());

        var name = string.Join((string)join[0]!, (string)CloudFormationTemplate.List(join[1])[0]!, StackId.Split((string)split[0]!)[int.Parse((string)select[0]!, System.Globalization.CultureInfo.InvariantCulture)]);

        Assert.Equal("key-rotation-12345678-90ab-cdef-1234-567890abcdef", name);
        Assert.True(name.Length <= 64);
    }
}
