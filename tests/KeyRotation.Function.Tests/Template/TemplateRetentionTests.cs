using System.Reflection;
using KeyRotation.Core.Configuration;
using KeyRotation.Core.Retention;

namespace KeyRotation.Function.Tests.Template;

/// <summary>template.yaml's retention function, its parameters, schedule, CloudTrail rule and role, checked against the code.</summary>
public sealed class TemplateRetentionTests
{
    private const string FunctionId = "RetentionFunction";
    private const string RoleId = "RetentionFunctionRole";

    private static Dictionary<string, object?> Function => RotationStack.Template.Properties(FunctionId);

    private static Dictionary<string, object?> Event(string id) =>
        CloudFormationTemplate.Map(CloudFormationTemplate.Map(CloudFormationTemplate.Map(Function["Events"])[id])["Properties"]);

    private static Dictionary<string, object?> Parameter(string name) => CloudFormationTemplate.Map(RotationStack.Template.Section("Parameters")[name]);

    private static List<Dictionary<string, object?>> Statements() =>
        [.. CloudFormationTemplate.List(RotationStack.Template.Properties(RoleId)["Policies"])
            .SelectMany(p => CloudFormationTemplate.List(CloudFormationTemplate.Map(CloudFormationTemplate.Map(p)["PolicyDocument"])["Statement"]))
            .Select(s => CloudFormationTemplate.Intrinsic(s) is ("Fn::If", List<object?> args) ? args[1] : s)
            .Select(CloudFormationTemplate.Map)];

    [Fact]
    public void Handler_ResolvesToThePublicRetentionHandlerStreamMethod()
    {
        var parts = ((string)Function["Handler"]!).Split("::");
        var type = Assembly.Load(new AssemblyName(parts[0])).GetType(parts[1], throwOnError: true)!;

        Assert.Equal(typeof(RetentionHandler), type);
        Assert.NotNull(type.GetConstructor(Type.EmptyTypes));
        var method = Assert.Single(type.GetMethods(BindingFlags.Public | BindingFlags.Instance), m => m.Name == parts[2]);
        Assert.Equal([typeof(Stream)], method.GetParameters().Select(p => p.ParameterType));
        Assert.Equal(typeof(Task<Stream>), method.ReturnType);
    }

    [Fact]
    public void Environment_SetsExactlyTheRetentionSettings()
    {
        var variables = CloudFormationTemplate.Map(CloudFormationTemplate.Map(Function["Environment"])["Variables"]);

        Assert.Equal(SettingNames.Retention.Order(StringComparer.Ordinal), variables.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void RetentionMode_DefaultsToOff_AndEveryValueMapsToAModeTheCodeParses()
    {
        var parameter = Parameter("RetentionMode");
        Assert.Equal("Off", parameter["Default"]);
        var mappings = CloudFormationTemplate.Map(RotationStack.Template.Section("Mappings")["RetentionModes"]);

        var parsed = CloudFormationTemplate.List(parameter["AllowedValues"]).Cast<string>().ToDictionary(
            value => value,
            value => RetentionSettings.Parse(new Dictionary<string, string>
            {
                [SettingNames.RotationAliases] = "alias/app-data",
                [SettingNames.NotificationTopicArn] = "arn:aws:sns:eu-west-1:111122223333:key-rotation",
                [SettingNames.RetentionMode] = (string)CloudFormationTemplate.Map(mappings[value])["Value"]!,
            }).Mode);

        Assert.Equal(new Dictionary<string, RetentionMode> { ["Off"] = RetentionMode.Off, ["Disable"] = RetentionMode.Disable, ["DisableThenDelete"] = RetentionMode.DisableThenDelete }, parsed);
        var variable = CloudFormationTemplate.Intrinsic(CloudFormationTemplate.Map(CloudFormationTemplate.Map(Function["Environment"])["Variables"])[SettingNames.RetentionMode]);
        var lookup = Assert.IsType<List<object?>>(Assert.NotNull(variable).Argument);
        Assert.Equal(["RetentionModes", new Dictionary<string, object?> { ["Ref"] = "RetentionMode" }, "Value"], lookup);
    }

    [Theory]
    [InlineData("RetainGenerations", "1", "1")]
    [InlineData("DisableAfterDays", "0", "30")]
    [InlineData("DeleteAfterDays", "0", "90")]
    [InlineData("PendingWindowDays", "7", "30")]
    public void NumericParameters_HaveTheCodesRangeAndDefaults(string name, string min, string fallback)
    {
        var parameter = Parameter(name);

        Assert.Equal((min, fallback), (parameter["MinValue"]?.ToString(), parameter["Default"]?.ToString()));
    }

    [Fact]
    public void Schedule_IsItsOwnAndWeeklyByDefault()
    {
        var schedule = Event("RetentionSchedule");

        Assert.Equal(("Ref", (object?)"RetentionScheduleExpression"), CloudFormationTemplate.Intrinsic(schedule["ScheduleExpression"]));
        Assert.Equal("cron(0 4 ? * MON *)", Parameter("RetentionScheduleExpression")["Default"]);
        Assert.Contains("\"trigger\":\"schedule\"", (string)schedule["Input"]!, StringComparison.Ordinal);
    }

    [Fact]
    public void AttemptedUseRule_MatchesFailedKmsCallsOnDisabledOrPendingDeletionKeys()
    {
        var pattern = CloudFormationTemplate.Map(Event("AttemptedUse")["Pattern"]);
        var detail = CloudFormationTemplate.Map(pattern["detail"]);

        Assert.Equal(["aws.kms"], CloudFormationTemplate.List(pattern["source"]));
        Assert.Equal([RetentionEvent.CloudTrailDetailType], CloudFormationTemplate.List(pattern["detail-type"]));
        Assert.Equal(AttemptedUse.ErrorCodes, CloudFormationTemplate.List(detail["errorCode"]).Cast<string>());
    }

    [Fact]
    public void Role_AllowsExactlyTheKmsActionsRetentionCalls()
    {
        // Apart from the central topic's data keys, which SNS asks for in the publisher's name (through SNS only).
        var allowed = Statements().Where(s => (string?)s["Effect"] == "Allow" && (string?)s["Sid"] != "EncryptCentralTopicMessagesThroughSns")
            .SelectMany(RotationStack.Actions).Where(a => a.StartsWith("kms:", StringComparison.Ordinal)).Distinct();

        Assert.Equal(RetentionPermissions.Kms.Order(StringComparer.Ordinal), allowed.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Role_TagsOnlyRetentionsOwnTagKeys()
    {
        var tagging = Assert.Single(Statements(), s => (string?)s["Effect"] == "Allow" && RotationStack.Actions(s).Contains("kms:TagResource"));
        var keys = CloudFormationTemplate.Map(CloudFormationTemplate.Map(tagging["Condition"])["ForAllValues:StringEquals"])["aws:TagKeys"];

        Assert.Equal(RetentionPermissions.TagKeys, CloudFormationTemplate.List(keys).Cast<string>());
    }

    [Fact]
    public void Role_DeniesEveryForbiddenActionExplicitly()
    {
        var denied = Statements().Where(s => (string?)s["Effect"] == "Deny" && !s.ContainsKey("Condition") && !s.ContainsKey("NotResource")).SelectMany(RotationStack.Actions);

        Assert.Empty(RetentionPermissions.Forbidden.Except(denied, StringComparer.Ordinal));
    }

    [Fact]
    public void Role_DeniesDataKeysAndDecryptExceptThroughSns()
    {
        var statement = Assert.Single(Statements(), s => (string?)s["Sid"] == "NeverUseKeysExceptThroughSns");
        var condition = CloudFormationTemplate.Map(CloudFormationTemplate.Map(statement["Condition"])["StringNotLike"]);

        Assert.Equal("Deny", statement["Effect"]);
        Assert.Equal(RetentionPermissions.DeniedExceptThroughSns, RotationStack.Actions(statement));
        Assert.Equal("sns.*.amazonaws.com", condition["kms:ViaService"]);
    }

    [Fact]
    public void RotationRole_StillDeniesDisablingAndDeleting()
    {
        var denied = RotationStack.FunctionStatements.Where(s => (string?)s["Effect"] == "Deny" && !s.ContainsKey("Condition")).SelectMany(RotationStack.Actions).ToList();

        Assert.Contains("kms:DisableKey", denied);
        Assert.Contains("kms:ScheduleKeyDeletion", denied);
        Assert.Contains("kms:DeleteAlias", denied);
    }
}
