using System.Globalization;
using KeyRotation.Core.Compliance;
using KeyRotation.Core.Configuration;

namespace KeyRotation.Function.Tests.Template;

/// <summary>The cryptoperiod in the template: the MaxKeyAgeDays parameter, the schedule passed to the function, and the overdue alarm.</summary>
public sealed class TemplateCryptoperiodTests
{
    private static CloudFormationTemplate Template => RotationStack.Template;

    private static readonly IntrinsicComparer Intrinsics = new();

    [Fact]
    public void MaxKeyAgeDays_Parameter_HasTheCodesDefaultAndBoundsAndReachesTheFunction()
    {
        var parameter = CloudFormationTemplate.Map(Template.Parameters["MaxKeyAgeDays"]);

        Assert.Equal(
            (ComplianceSettings.DefaultMaxKeyAgeDays, ComplianceSettings.MinMaxKeyAgeDays, ComplianceSettings.MaxMaxKeyAgeDays),
            (Number(parameter["Default"]), Number(parameter["MinValue"]), Number(parameter["MaxValue"])));
        Assert.Equal<object?>(new Dictionary<string, object?> { ["Ref"] = "MaxKeyAgeDays" }, RotationStack.Environment[SettingNames.MaxKeyAgeDays], Intrinsics);
    }

    [Fact]
    public void RotationSchedule_Variables_AreTheSchedulesOwnExpressionAndTimeZone()
    {
        Assert.Equal(RotationStack.ScheduleEvent["ScheduleExpression"], RotationStack.Environment[SettingNames.RotationSchedule], Intrinsics);
        Assert.Equal(RotationStack.ScheduleEvent["ScheduleExpressionTimezone"], RotationStack.Environment[SettingNames.RotationScheduleTimezone], Intrinsics);
    }

    [Theory]
    [InlineData("Monthly", 31)]
    [InlineData("Quarterly", 92)]
    public void DefaultMaxKeyAgeDays_OnEachFrequency_IsAcceptedAtStart(string frequency, int periodDays)
    {
        var expression = (string)CloudFormationTemplate.Map(CloudFormationTemplate.Map(Template.Section("Mappings")["RotationSchedules"])[frequency])["Expression"]!;
        var environment = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [SettingNames.RotationAliases] = "alias/orders",
            [SettingNames.NotificationTopicArn] = "arn:aws:sns:eu-west-1:111122223333:key-rotation",
            [SettingNames.RotationSchedule] = expression,
            [SettingNames.MaxKeyAgeDays] = (string)CloudFormationTemplate.Map(Template.Parameters["MaxKeyAgeDays"])["Default"]!,
        };

        var settings = RotationSettings.Parse(environment);

        Assert.Equal(TimeSpan.FromDays(periodDays), settings.Compliance.Schedule.Period);
    }

    [Fact]
    public void AliasesOverdueAlarm_InTemplate_FiresOnTheFirstOverdueAliasToTheAlarmTopicAndHoldsBetweenRuns()
    {
        var alarm = Template.Properties("AliasesOverdueAlarm");
        var dimension = CloudFormationTemplate.Map(CloudFormationTemplate.List(alarm["Dimensions"]).Single());

        Assert.Equal((JsonLinesLog.MetricNamespace, JsonLinesLog.CryptoperiodMetrics[0]), ((string)alarm["Namespace"]!, (string)alarm["MetricName"]!));
        Assert.Equal(JsonLinesLog.FunctionNameDimension, dimension["Name"]);
        Assert.Equal<object?>(new Dictionary<string, object?> { ["Ref"] = RotationStack.FunctionId }, dimension["Value"], Intrinsics);
        Assert.Equal(("1", "GreaterThanOrEqualToThreshold"), ((string)alarm["Threshold"]!, (string)alarm["ComparisonOperator"]!));

        // Scheduled runs are a month apart: between them there is no data, and the alarm keeps its state.
        Assert.Equal("ignore", alarm["TreatMissingData"]);
        Assert.Equal<object?>(new List<object?> { new Dictionary<string, object?> { ["Ref"] = "AlarmTopic" } }, alarm["AlarmActions"], Intrinsics);
        Assert.Equal<object?>(new Dictionary<string, object?> { ["Ref"] = "AliasesOverdueAlarm" }, CloudFormationTemplate.Map(Template.Section("Outputs")["AliasesOverdueAlarmName"])["Value"], Intrinsics);
    }

    private static int Number(object? value) => int.Parse((string)value!, CultureInfo.InvariantCulture);
}
