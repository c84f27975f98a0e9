using KeyRotation.Core.Configuration;
using KeyRotation.Core.Consumers;
using KeyRotation.Function.Tests.Template;

namespace KeyRotation.Function.Tests.Iam;

/// <summary>
/// RetireCheckConsumers: the parameter maps to the setting the code parses, and on, the retention role (as SAM translates
/// and CloudFormation resolves it) gains exactly <see cref="ConsumerPermissions.RetirementCheck"/>, read-only, in two
/// statements docs/permissions.md describes; off (the default), it gains nothing, and the rotation role gains nothing either way.
/// </summary>
public sealed class RetirementConsumerRoleTests
{
    private static readonly string[] Sids = ["ListConsumersBeforeRetiring", "ReadConsumersBeforeRetiring"];

    private static readonly Lazy<StackInstance> Checking = new(() => new StackInstance(SamTranslation.Template, new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["AliasNames"] = $"{RotationRole.AppData},{RotationRole.Billing}",
        ["RetireCheckConsumers"] = "true",
    }));

    private static IReadOnlyList<string> ActionsOf(StackInstance stack, string roleId) =>
        [.. stack.RolePolicy(roleId).Statements.Where(s => s.Sid is { } sid && Sids.Contains(sid)).SelectMany(s => s.Actions ?? [])];

    private static bool Allows(StackInstance stack, string roleId, string action, string resource) =>
        new KmsAuthorization(stack.RolePolicy(roleId), RetentionRole.Arn).AllowsByIam(new IamRequest(string.Empty, action, resource, new Dictionary<string, IReadOnlyList<string>>()));

    [Fact]
    public void Parameter_DefaultsToFalse_AndEachValueIsWhatTheCodeParses()
    {
        var parameter = CloudFormationTemplate.Map(RotationStack.Template.Section("Parameters")["RetireCheckConsumers"]);
        var variables = CloudFormationTemplate.Map(CloudFormationTemplate.Map(RotationStack.Template.Properties("RetentionFunction")["Environment"])["Variables"]);

        Assert.Equal("false", parameter["Default"]);
        Assert.Equal(["true", "false"], CloudFormationTemplate.List(parameter["AllowedValues"]).Cast<string>());
        Assert.Equal("RetireCheckConsumers", CloudFormationTemplate.Map(variables[SettingNames.RetireCheckConsumers])["Ref"]);
        foreach (var value in new[] { "true", "false" })
        {
            var settings = RetentionSettings.Parse(new Dictionary<string, string>
            {
                [SettingNames.RotationAliases] = RotationRole.AppData,
                [SettingNames.NotificationTopicArn] = "arn:aws:sns:eu-west-1:111122223333:key-rotation",
                [SettingNames.RetireCheckConsumers] = value,
            });
            Assert.Equal(value == "true", settings.CheckConsumers);
        }
    }

    [Fact]
    public void RetentionRole_WithTheSettingOn_IsGrantedExactlyTheInventoryActionsRetirementCalls()
    {
        Assert.Equal(ConsumerPermissions.RetirementCheck.Order(StringComparer.Ordinal), ActionsOf(Checking.Value, RetentionRole.RoleId).Order(StringComparer.Ordinal));
        Assert.DoesNotContain("s3:GetObject", ConsumerPermissions.RetirementCheck);
    }

    [Fact]
    public void RetentionRole_WithTheSettingOff_HasNoConsumerStatement()
    {
        Assert.Empty(ActionsOf(RotationRole.Stack, RetentionRole.RoleId));
        Assert.Empty(ActionsOf(RotationRole.ExternalStack, RetentionRole.RoleId));
    }

    [Fact]
    public void RetentionRole_WithTheSettingOn_ReadsTablesAndBucketsButChangesAndReadsNoData()
    {
        var stack = Checking.Value;
        var table = $"arn:aws:dynamodb:{StackInstance.Region}:{StackInstance.AccountId}:table/orders";

        Assert.True(Allows(stack, RetentionRole.RoleId, "dynamodb:DescribeTable", table));
        Assert.True(Allows(stack, RetentionRole.RoleId, "s3:GetEncryptionConfiguration", "arn:aws:s3:::app-uploads"));
        Assert.True(Allows(stack, RetentionRole.RoleId, "ssm:DescribeParameters", "*"));
        Assert.False(Allows(stack, RetentionRole.RoleId, "dynamodb:DescribeTable", $"arn:aws:dynamodb:us-west-2:{StackInstance.AccountId}:table/orders"));
        foreach (var action in ConsumerPermissions.All.SelectMany(c => c.Migration).Concat(["s3:GetObject", "s3:ListBucket", "ssm:GetParameter", "dynamodb:Scan", "dynamodb:GetItem"]).Where(a => !a.StartsWith("kms:", StringComparison.Ordinal)))
        {
            Assert.False(Allows(stack, RetentionRole.RoleId, action, "*"), action);
            Assert.False(Allows(stack, RetentionRole.RoleId, action, table), action);
        }
    }

    [Fact]
    public void RotationRole_WithTheSettingOn_GainsNothing()
    {
        Assert.Empty(ActionsOf(Checking.Value, StackInstance.RoleId));
        Assert.Equal(
            RotationRole.Stack.RolePolicy().Statements.SelectMany(s => s.Actions ?? []).Order(StringComparer.Ordinal),
            Checking.Value.RolePolicy().Statements.SelectMany(s => s.Actions ?? []).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void PermissionsPage_RowsOfTheTwoStatements_NameExactlyTheirActions()
    {
        var rows = MarkdownPage.TableRows(MarkdownPage.Load("docs/permissions.md").Section("## The retention role"));
        var stack = Checking.Value;
        foreach (var sid in Sids)
        {
            var row = Assert.Single(rows, r => MarkdownPage.CodeNames(r[0]).Contains(sid));
            var documented = MarkdownPage.CodeNames(row[1]).Where(n => n.Contains(':', StringComparison.Ordinal));
            var granted = stack.RolePolicy(RetentionRole.RoleId).Statements.Single(s => s.Sid == sid).Actions ?? [];
            Assert.Equal(granted.Order(StringComparer.Ordinal), documented.Order(StringComparer.Ordinal));
        }
    }
}
