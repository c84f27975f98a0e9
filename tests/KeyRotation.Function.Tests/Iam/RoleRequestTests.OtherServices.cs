namespace KeyRotation.Function.Tests.Iam;

/// <summary>Beyond KMS keys: the stack's own topic, topic keys, log group, queue and escrow prefix, and the role's name and boundary.</summary>
public sealed partial class RoleRequestTests
{
    [Fact]
    public void OtherServices_OnlyTheStacksTopicLogGroupQueueAndEscrowPrefix_AreAllowed()
    {
        var stack = RotationRole.ExternalStack;
        var kms = RotationRole.Kms(stack);
        var topic = (string)stack.Resolve(System.Text.Json.Nodes.JsonNode.Parse("""{"Ref":"NotificationTopic"}"""))!;
        var bucket = (string)stack.Resolve(System.Text.Json.Nodes.JsonNode.Parse("""{"Ref":"EscrowBucket"}"""))!;
        bool Allows(string action, string resource, params (string Key, string[] Values)[] context) =>
            kms.AllowsByIam(new IamRequest(stack.RoleArn, action, resource, context.ToDictionary(c => c.Key, c => (IReadOnlyList<string>)c.Values)));

        Assert.True(Allows("sns:Publish", topic));
        Assert.False(Allows("sns:Publish", topic + "-other"));
        Assert.True(Allows("s3:PutObject", $"arn:aws:s3:::{bucket}/key-escrow/app-data/k.json", ("s3:if-none-match", ["*"])));
        Assert.False(Allows("s3:PutObject", $"arn:aws:s3:::{bucket}/key-escrow/app-data/k.json"));
        Assert.False(Allows("s3:PutObject", $"arn:aws:s3:::{bucket}/elsewhere/k.json", ("s3:if-none-match", ["*"])));
        Assert.True(Allows("s3:GetObject", $"arn:aws:s3:::{bucket}/key-escrow/app-data/k.json"));
        Assert.False(Allows("s3:DeleteObject", $"arn:aws:s3:::{bucket}/key-escrow/app-data/k.json"));
        Assert.True(Allows("logs:PutLogEvents", $"arn:aws:logs:eu-west-1:{RotationRole.Account}:log-group:key-rotation-FunctionLogGroup:log-stream:2026/12/01/x"));
        Assert.False(Allows("logs:PutLogEvents", $"arn:aws:logs:eu-west-1:{RotationRole.Account}:log-group:other:log-stream:x"));
        Assert.True(Allows("sqs:SendMessage", $"arn:aws:sqs:eu-west-1:{RotationRole.Account}:key-rotation-DeadLetterQueue"));
        Assert.False(Allows("sqs:SendMessage", $"arn:aws:sqs:eu-west-1:{RotationRole.Account}:other"));
    }

    [Fact]
    public void SnsPublish_DataKeyOfTheStacksAwsManagedTopicKey_IsAllowedOnlyThroughSns()
    {
        // The key policy KMS gives the AWS managed key aws/sns: any principal of the account, through SNS only.
        var stack = RotationRole.Stack;
        var awsSns = """[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":["kms:Encrypt","kms:Decrypt","kms:ReEncrypt*","kms:GenerateDataKey*","kms:CreateGrant","kms:DescribeKey"],"Resource":"*","Condition":{"StringEquals":{"kms:CallerAccount":"ACCOUNT","kms:ViaService":"sns.REGION.amazonaws.com"}}}]"""
            .Replace("ACCOUNT", RotationRole.Account, StringComparison.Ordinal).Replace("REGION", RotationRole.Region, StringComparison.Ordinal);
        var world = SimulatedAccount.Empty(RotationRole.Kms(stack), RotationRole.Region).WithKey("aws/sns", SimulatedAccount.Policy(stack.RoleArn, awsSns));
        var viaSns = ("kms:ViaService", new[] { $"sns.{RotationRole.Region}.amazonaws.com" });

        Assert.True(world.Allows("kms:GenerateDataKey", world.Key("aws/sns"), viaSns));
        Assert.True(world.Allows("kms:Decrypt", world.Key("aws/sns"), viaSns));
        Assert.False(world.Allows("kms:GenerateDataKey", world.Key("aws/sns")));
        Assert.False(world.Allows("kms:Decrypt", world.Key("aws/sns")));
        Assert.False(world.Allows("kms:Decrypt", world.Key("aws/sns"), ("kms:ViaService", [$"s3.{RotationRole.Region}.amazonaws.com"])));
    }

    [Fact]
    public void SnsPublish_DataKeyOfTheCentralTopicsKeyInTheHubAccount_IsAllowedOnlyThroughSnsAndOnlyOnThatKey()
    {
        const string HubAccount = "444455556666";
        var stack = new StackInstance(SamTranslation.Template, new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["AliasNames"] = RotationRole.AppData,
            ["CentralNotificationTopicArn"] = $"arn:aws:sns:{RotationRole.Region}:{HubAccount}:keyrotation",
            ["CentralNotificationTopicKeyArn"] = $"arn:aws:kms:{RotationRole.Region}:{HubAccount}:key/hub",
        });
        // hub.yaml's TopicKey policy: principals of the organization, through SNS only.
        var hubPolicy = """[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":["kms:GenerateDataKey*","kms:Decrypt"],"Resource":"*","Condition":{"StringLike":{"kms:ViaService":"sns.*.amazonaws.com"}}}]""";
        var world = SimulatedAccount.Empty(RotationRole.Kms(stack), RotationRole.Region)
            .WithKey("hub", SimulatedAccount.Policy(stack.RoleArn, hubPolicy), account: HubAccount)
            .WithKey("other-hub-key", SimulatedAccount.Policy(stack.RoleArn, hubPolicy), account: HubAccount);
        var viaSns = ("kms:ViaService", new[] { $"sns.{RotationRole.Region}.amazonaws.com" });

        Assert.True(world.Allows("kms:GenerateDataKey", world.Key("hub"), viaSns));
        Assert.True(world.Allows("kms:Decrypt", world.Key("hub"), viaSns));
        Assert.False(world.Allows("kms:Decrypt", world.Key("hub")));
        Assert.False(world.Allows("kms:GenerateDataKey", world.Key("other-hub-key"), viaSns));
        Assert.False(RotationRole.Stack.Condition("HasCentralTopicKey"));
    }

    [Fact]
    public void Role_RoleNameAndPermissionsBoundary_AreSetOnlyWhenGiven()
    {
        var generated = RotationRole.Stack.Properties(StackInstance.RoleId);
        var named = RotationRole.ExternalStack.Properties(StackInstance.RoleId);

        Assert.False(generated.ContainsKey("RoleName"));
        Assert.False(generated.ContainsKey("PermissionsBoundary"));
        Assert.Equal("key-rotation-function", (string?)named["RoleName"]);
        Assert.Equal($"arn:aws:iam::{RotationRole.Account}:policy/boundary", (string?)named["PermissionsBoundary"]);
        Assert.Equal($"arn:aws:iam::{RotationRole.Account}:role/key-rotation-function", RotationRole.ExternalStack.RoleArn);
    }
}
