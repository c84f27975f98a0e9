using System.Text.RegularExpressions;

namespace KeyRotation.Function.Tests.Template;

/// <summary>hub.yaml: the organization's central topic, escrow bucket and alarms, open to the organization only.</summary>
public sealed class HubTemplateTests
{
    private static readonly Lazy<CloudFormationTemplate> Loaded = new(() => CloudFormationTemplate.Load("hub.yaml"));

    private static CloudFormationTemplate Hub => Loaded.Value;

    private static Dictionary<string, object?> OrgCondition => new() { ["aws:PrincipalOrgID"] = new Dictionary<string, object?> { ["Ref"] = "OrganizationId" } };

    private static List<Dictionary<string, object?>> Statements(object? policyDocument) =>
        CloudFormationTemplate.List(CloudFormationTemplate.Map(policyDocument)["Statement"]).Select(CloudFormationTemplate.Map).ToList();

    private static IEnumerable<Dictionary<string, object?>> ResourcePolicyStatements() =>
        Statements(Hub.Properties("TopicKey")["KeyPolicy"])
            .Concat(Statements(Hub.Properties("NotificationTopicPolicy")["PolicyDocument"]))
            .Concat(Statements(Hub.Properties("AlarmTopicPolicy")["PolicyDocument"]))
            .Concat(Statements(Hub.Properties("EscrowBucketPolicy")["PolicyDocument"]));

    [Fact]
    public void Hub_IsPlainCloudFormation_WithoutTransform()
    {
        Assert.False(Hub.Root.ContainsKey("Transform"));
        Assert.All(Hub.Resources.Values, r => Assert.DoesNotContain("AWS::Serverless", (string)CloudFormationTemplate.Map(r)["Type"]!, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("o-a1b2c3d4e5", true)]
    [InlineData("123456789012", false)]
    [InlineData("", false)]
    public void OrganizationId_Pattern_AcceptsOnlyOrganizationIds(string value, bool accepted)
    {
        var pattern = (string)CloudFormationTemplate.Map(Hub.Parameters["OrganizationId"])["AllowedPattern"]!;

        Assert.Equal(accepted, Regex.IsMatch(value, pattern));
    }

    [Fact]
    public void ResourcePolicies_AnyAllowToEveryPrincipal_IsLimitedToTheOrganization()
    {
        var open = ResourcePolicyStatements()
            .Where(s => (string)s["Effect"]! == "Allow" && s["Principal"] is Dictionary<string, object?> p && Equals(p.GetValueOrDefault("AWS"), "*"))
            .ToList();

        Assert.Equal(3, open.Count);
        Assert.All(open, s => Assert.Equal<object?>(OrgCondition, CloudFormationTemplate.Map(s["Condition"])["StringEquals"] is Dictionary<string, object?> eq
            ? new Dictionary<string, object?> { ["aws:PrincipalOrgID"] = eq["aws:PrincipalOrgID"] }
            : null, new IntrinsicComparer()));
    }

    [Fact]
    public void NotificationTopic_InHub_IsPublishableByTheOrganizationAndEncryptedWithTheHubKey()
    {
        var statement = Assert.Single(Statements(Hub.Properties("NotificationTopicPolicy")["PolicyDocument"]));

        Assert.Equal("sns:Publish", statement["Action"]);
        Assert.Equal<object?>(OrgCondition, CloudFormationTemplate.Map(statement["Condition"])["StringEquals"], new IntrinsicComparer());
        Assert.Equal<object?>(new Dictionary<string, object?> { ["Ref"] = "TopicKey" }, Hub.Properties("NotificationTopic")["KmsMasterKeyId"], new IntrinsicComparer());
    }

    [Fact]
    public void TopicKey_ForTheOrganization_IsUsableOnlyThroughSns()
    {
        var statement = Assert.Single(Statements(Hub.Properties("TopicKey")["KeyPolicy"]), s => (string?)s["Sid"] == "OrganizationPublishesThroughSns");
        var equals = CloudFormationTemplate.Map(CloudFormationTemplate.Map(statement["Condition"])["StringEquals"]);

        Assert.Equal(["kms:Decrypt", "kms:GenerateDataKey*"], RotationStack.Actions(statement));
        Assert.Equal<object?>(new Dictionary<string, object?> { ["Fn::Sub"] = "sns.${AWS::Region}.amazonaws.com" }, equals["kms:ViaService"], new IntrinsicComparer());
    }

    [Fact]
    public void EscrowBucket_InHub_IsVersionedEncryptedPrivateAndRetained()
    {
        var bucket = CloudFormationTemplate.Map(Hub.Resources["EscrowBucket"]);
        var properties = Hub.Properties("EscrowBucket");

        Assert.Equal("Retain", bucket["DeletionPolicy"]);
        Assert.Equal("Enabled", CloudFormationTemplate.Map(properties["VersioningConfiguration"])["Status"]);
        Assert.All(CloudFormationTemplate.Map(properties["PublicAccessBlockConfiguration"]).Values, value => Assert.Equal("true", value));
        Assert.Contains("ServerSideEncryptionConfiguration", CloudFormationTemplate.Map(properties["BucketEncryption"]).Keys);
    }

    [Fact]
    public void EscrowBucketPolicy_WriteWithoutIfNoneMatch_IsDeniedToEveryone()
    {
        var deny = Assert.Single(Statements(Hub.Properties("EscrowBucketPolicy")["PolicyDocument"]), s => (string)s["Effect"]! == "Deny" && Equals(s["Action"], "s3:PutObject"));

        Assert.Equal("*", deny["Principal"]);
        Assert.Equal("true", CloudFormationTemplate.Map(CloudFormationTemplate.Map(deny["Condition"])["Null"])["s3:if-none-match"]);
        Assert.Equal<object?>(new Dictionary<string, object?> { ["Fn::Sub"] = "${EscrowBucket.Arn}/*" }, deny["Resource"], new IntrinsicComparer());
    }

    [Fact]
    public void EscrowBucketPolicy_Organization_WritesAndReadsOnlyItsOwnAccountsPrefix()
    {
        var allow = Assert.Single(Statements(Hub.Properties("EscrowBucketPolicy")["PolicyDocument"]), s => (string)s["Effect"]! == "Allow");

        Assert.Equal(["s3:PutObject", "s3:GetObject"], RotationStack.Actions(allow));
        Assert.Equal<object?>(new Dictionary<string, object?> { ["Fn::Sub"] = "${EscrowBucket.Arn}/${EscrowPrefix}${!aws:PrincipalAccount}/*" }, allow["Resource"], new IntrinsicComparer());
    }

    [Fact]
    public void EscrowPrefix_MemberStacks_WriteBelowThePrefixTheHubAllows()
    {
        var member = RotationStack.Environment["ESCROW_PREFIX"];
        var parameters = new Dictionary<string, string> { ["KeyMaterialOrigin"] = "EXTERNAL", ["EscrowPublicKey"] = "MIIB", ["CentralEscrowBucketName"] = "org-escrow-bucket" };

        // The member's ${AWS::AccountId} is the hub's ${aws:PrincipalAccount} for that member's requests.
        Assert.Equal<object?>(
            new Dictionary<string, object?> { ["Fn::Sub"] = "${EscrowPrefix}${AWS::AccountId}/" },
            TemplateConditions.Resolve(RotationStack.Template, member, parameters),
            new IntrinsicComparer());
        Assert.Equal(
            CloudFormationTemplate.Map(RotationStack.Template.Parameters["EscrowPrefix"])["Default"],
            CloudFormationTemplate.Map(Hub.Parameters["EscrowPrefix"])["Default"]);
    }

    [Fact]
    public void Alarms_InHub_PublishToTheHubAlarmTopic()
    {
        var alarms = Hub.Resources.Where(r => (string)CloudFormationTemplate.Map(r.Value)["Type"]! == "AWS::CloudWatch::Alarm").Select(r => r.Key).ToList();

        Assert.Equal(["NotificationDeliveryAlarm", "EscrowRefusedRequestsAlarm"], alarms);
        Assert.All(alarms, id => Assert.Equal<object?>(
            new List<object?> { new Dictionary<string, object?> { ["Ref"] = "AlarmTopic" } },
            Hub.Properties(id)["AlarmActions"],
            new IntrinsicComparer()));
    }
}
