using KeyRotation.Core;

namespace KeyRotation.Function.Tests.Template;

/// <summary>SNS and S3 in the function's policies: only the topic it publishes to, only put and get below the escrow prefix.</summary>
public sealed partial class TemplateIamTests
{
    [Theory]
    [InlineData("")]
    [InlineData("arn:aws:sns:eu-west-1:999988887777:key-rotation-hub")]
    public void SnsPublish_InFunctionPolicies_IsOnlyOnTheTopicTheFunctionPublishesTo(string centralTopic)
    {
        var statement = Assert.Single(Allows, s => RotationStack.Actions(s).Any(a => a.StartsWith("sns:", StringComparison.Ordinal)));
        var parameters = new Dictionary<string, string> { ["CentralNotificationTopicArn"] = centralTopic };

        Assert.Equal(["sns:Publish"], RotationStack.Actions(statement));
        Assert.Equal<object?>(
            TemplateConditions.Resolve(RotationStack.Template, RotationStack.Environment["NOTIFICATION_TOPIC_ARN"], parameters),
            TemplateConditions.Resolve(RotationStack.Template, statement["Resource"], parameters),
            new IntrinsicComparer());
    }

    [Fact]
    public void S3Actions_InFunctionPolicies_AreOnlyPutAndGetBelowTheEscrowPrefix()
    {
        var statements = Allows.Where(s => RotationStack.Actions(s).Any(a => a.StartsWith("s3:", StringComparison.Ordinal))).ToList();

        Assert.Equal(KmsPermissions.EscrowObjects.Order(StringComparer.Ordinal), statements.SelectMany(RotationStack.Actions).Order(StringComparer.Ordinal));
        foreach (var statement in statements)
        {
            var resource = CloudFormationTemplate.Intrinsic(statement["Resource"]);
            Assert.Equal("Fn::Sub", resource?.Name);
            var pattern = (string)CloudFormationTemplate.List(resource!.Value.Argument)[0]!;
            Assert.EndsWith("/${Prefix}*", pattern, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData("org-escrow-bucket")]
    public void S3Actions_InFunctionPolicies_AreOnTheBucketAndPrefixTheFunctionUses(string centralBucket)
    {
        var parameters = new Dictionary<string, string>
        {
            ["KeyMaterialOrigin"] = "EXTERNAL",
            ["EscrowPublicKey"] = "MIIB",
            ["EscrowBucketName"] = centralBucket.Length == 0 ? "account-escrow-bucket" : string.Empty,
            ["CentralEscrowBucketName"] = centralBucket,
        };
        var bucket = TemplateConditions.Resolve(RotationStack.Template, RotationStack.Environment["ESCROW_BUCKET"], parameters);
        var prefix = TemplateConditions.Resolve(RotationStack.Template, RotationStack.Environment["ESCROW_PREFIX"], parameters);

        foreach (var statement in Allows.Where(s => RotationStack.Actions(s).Any(a => a.StartsWith("s3:", StringComparison.Ordinal))))
        {
            var variables = CloudFormationTemplate.Map(CloudFormationTemplate.List(CloudFormationTemplate.Intrinsic(statement["Resource"])!.Value.Argument)[1]);
            Assert.Equal(bucket, TemplateConditions.Resolve(RotationStack.Template, variables["Bucket"], parameters));
            Assert.Equal<object?>(prefix, TemplateConditions.Resolve(RotationStack.Template, variables["Prefix"], parameters), new IntrinsicComparer());
        }

        Assert.Equal(centralBucket.Length == 0 ? "account-escrow-bucket" : centralBucket, bucket);
        Assert.Equal<object?>(
            centralBucket.Length == 0 ? "key-escrow/" : new Dictionary<string, object?> { ["Fn::Sub"] = "${EscrowPrefix}${AWS::AccountId}/" },
            prefix,
            new IntrinsicComparer());
    }

    [Fact]
    public void S3PutObject_InFunctionPolicies_RequiresIfNoneMatchSoEscrowCopiesAreNeverOverwritten()
    {
        var put = Assert.Single(Allows, s => RotationStack.Actions(s).Contains("s3:PutObject"));

        Assert.Equal(["s3:PutObject"], RotationStack.Actions(put));
        Assert.Equal("false", CloudFormationTemplate.Map(CloudFormationTemplate.Map(put["Condition"])["Null"])["s3:if-none-match"]);
    }

    [Fact]
    public void EscrowPrefix_Parameter_EndsWithASlashAndHasNoWildcards()
    {
        var parameter = CloudFormationTemplate.Map(RotationStack.Template.Parameters["EscrowPrefix"]);
        var pattern = new System.Text.RegularExpressions.Regex((string)parameter["AllowedPattern"]!);

        Assert.Equal("key-escrow/", parameter["Default"]);
        Assert.Matches(pattern, "key-escrow/");
        Assert.DoesNotMatch(pattern, "key-escrow");
        Assert.DoesNotMatch(pattern, "*/");
    }
}
