using System.Globalization;
using System.Text.Json;

namespace KeyRotation.Function.Tests.Template;

/// <summary>The missed-run alarm: a check after each slot, the function's own success metric, and the composite alarm.</summary>
public sealed class TemplateMissedRunTests
{
    private const int MaximumAlarmWindowSeconds = 604_800; // CloudWatch: Period x EvaluationPeriods, periods of an hour or more

    private static CloudFormationTemplate Template => RotationStack.Template;

    private static Dictionary<string, object?> Properties(string logicalId) => Template.Properties(logicalId);

    private static string Mapping(string frequency, string key) =>
        (string)CloudFormationTemplate.Map(CloudFormationTemplate.Map(Template.Section("Mappings")["RotationSchedules"])[frequency])[key]!;

    private static int Seconds(string logicalId, string property) =>
        int.Parse((string)Properties(logicalId)[property]!, CultureInfo.InvariantCulture);

    [Theory]
    [InlineData("Monthly")]
    [InlineData("Quarterly")]
    public void CheckExpression_ForEachFrequency_FiresTwoHoursAfterEachSlot(string frequency)
    {
        var from = new DateTime(2025, 1, 15, 12, 0, 0, DateTimeKind.Unspecified);

        var slots = EventBridgeCron.Parse(Mapping(frequency, "Expression")).NextOccurrences(from, 8);
        var checks = EventBridgeCron.Parse(Mapping(frequency, "CheckExpression")).NextOccurrences(from, 8);

        Assert.Equal(slots.Select(slot => slot.AddHours(2)), checks);
    }

    [Theory]
    [InlineData("Monthly", "", "cron(0 5 1 * ? *)")]
    [InlineData("Quarterly", "", "cron(0 5 1 1,4,7,10 ? *)")]
    [InlineData("Quarterly", "cron(0 5 15 * ? *)", "cron(0 5 1 1,4,7,10 ? *)")]
    [InlineData("Custom", "cron(0 5 15 * ? *)", "cron(0 5 15 * ? *)")]
    public void MissedRunCheck_ForEachFrequency_UsesItsCheckExpressionInTheScheduleTimezone(string frequency, string check, string expected)
    {
        var parameters = new Dictionary<string, string>
        {
            ["RotationFrequency"] = frequency,
            ["CustomScheduleExpression"] = "cron(0 3 15 * ? *)",
            ["MissedRunCheckExpression"] = check,
        };

        Assert.True(TemplateConditions.Holds(Template, "ChecksMissedRuns", parameters));
        Assert.Equal(expected, TemplateConditions.Resolve(Template, Properties("MissedRunCheck")["ScheduleExpression"], parameters));
        Assert.Equal<object?>(RotationStack.ScheduleEvent["ScheduleExpressionTimezone"], Properties("MissedRunCheck")["ScheduleExpressionTimezone"], new IntrinsicComparer());
    }

    [Fact]
    public void MissedRunAlarm_CustomWithoutCheckExpression_IsNotCreated()
    {
        var parameters = new Dictionary<string, string> { ["RotationFrequency"] = "Custom", ["CustomScheduleExpression"] = "rate(7 days)" };

        Assert.False(TemplateConditions.Holds(Template, "ChecksMissedRuns", parameters));
        Assert.All(
            ["MissedRunCheckRole", "MissedRunCheck", "ScheduledRunDueAlarm", "ScheduledRunSucceededAlarm", "MissedRunAlarm"],
            id => Assert.Equal("ChecksMissedRuns", CloudFormationTemplate.Map(Template.Resources[id])["Condition"]));
    }

    [Fact]
    public void MissedRunCheck_Target_RecordsScheduledRunDueForThisFunction()
    {
        var target = CloudFormationTemplate.Map(Properties("MissedRunCheck")["Target"]);
        var input = (string)CloudFormationTemplate.Intrinsic(target["Input"])!.Value.Argument!;
        using var document = JsonDocument.Parse(input.Replace("${RotationFunction}", "the-function", StringComparison.Ordinal));
        var datum = document.RootElement.GetProperty("MetricData").EnumerateArray().Single();

        Assert.Equal<object?>(new Dictionary<string, object?> { ["Fn::Sub"] = "arn:${AWS::Partition}:scheduler:::aws-sdk:cloudwatch:putMetricData" }, target["Arn"], new IntrinsicComparer());
        Assert.Equal(JsonLinesLog.MetricNamespace, document.RootElement.GetProperty("Namespace").GetString());
        Assert.Equal(Properties("ScheduledRunDueAlarm")["MetricName"], datum.GetProperty("MetricName").GetString());
        var dimension = datum.GetProperty("Dimensions").EnumerateArray().Single();
        Assert.Equal(JsonLinesLog.FunctionNameDimension, dimension.GetProperty("Name").GetString());
        Assert.Equal("the-function", dimension.GetProperty("Value").GetString());
        Assert.Equal(1, datum.GetProperty("Value").GetInt32());
        Assert.Equal<object?>(TemplateFunctionTests.DeadLetterQueueArn, CloudFormationTemplate.Map(target["DeadLetterConfig"])["Arn"], new IntrinsicComparer());
    }

    [Theory]
    [InlineData("ScheduledRunDueAlarm", "ScheduledRunDue")]
    [InlineData("ScheduledRunSucceededAlarm", JsonLinesLog.ScheduledRunSucceededMetric)]
    public void InputAlarms_InTemplate_WatchTheFunctionsMetricAndNotifyNobody(string logicalId, string metric)
    {
        var alarm = Properties(logicalId);
        var dimension = CloudFormationTemplate.Map(CloudFormationTemplate.List(alarm["Dimensions"]).Single());

        Assert.Equal(JsonLinesLog.MetricNamespace, alarm["Namespace"]);
        Assert.Equal(metric, alarm["MetricName"]);
        Assert.Equal(JsonLinesLog.FunctionNameDimension, dimension["Name"]);
        Assert.Equal<object?>(new Dictionary<string, object?> { ["Ref"] = RotationStack.FunctionId }, dimension["Value"], new IntrinsicComparer());
        Assert.Equal(("Sum", "1", "GreaterThanOrEqualToThreshold"), ((string)alarm["Statistic"]!, (string)alarm["Threshold"]!, (string)alarm["ComparisonOperator"]!));
        Assert.False(alarm.ContainsKey("AlarmActions"));
        Assert.True(Seconds(logicalId, "Period") * Seconds(logicalId, "EvaluationPeriods") <= MaximumAlarmWindowSeconds);
    }

    [Fact]
    public void SuccessWindow_InTemplate_CoversTheCheckWindowAndTheMargin()
    {
        var slot = EventBridgeCron.Parse(Mapping("Monthly", "Expression")).NextOccurrences(new DateTime(2025, 1, 1), 1).Single();
        var check = EventBridgeCron.Parse(Mapping("Monthly", "CheckExpression")).NextOccurrences(new DateTime(2025, 1, 1), 1).Single();
        var margin = (int)(check - slot).TotalSeconds;

        // A run that succeeded at its slot must still count while the check is recent.
        Assert.True(Seconds("ScheduledRunSucceededAlarm", "Period") >= margin + Seconds("ScheduledRunDueAlarm", "Period"));
    }

    [Fact]
    public void MissedRunAlarm_Rule_FiresWhenARunWasDueAndNoneSucceeded()
    {
        var alarm = Properties("MissedRunAlarm");

        Assert.Equal("AWS::CloudWatch::CompositeAlarm", CloudFormationTemplate.Map(Template.Resources["MissedRunAlarm"])["Type"]);
        Assert.Equal<object?>(
            new Dictionary<string, object?> { ["Fn::Sub"] = "ALARM(\"${ScheduledRunDueAlarm}\") AND NOT ALARM(\"${ScheduledRunSucceededAlarm}\")" },
            alarm["AlarmRule"],
            new IntrinsicComparer());
        Assert.Equal<object?>(new List<object?> { new Dictionary<string, object?> { ["Ref"] = "AlarmTopic" } }, alarm["AlarmActions"], new IntrinsicComparer());
    }

    [Fact]
    public void MissedRunCheckRole_InTemplate_MayOnlyPutKeyRotationMetricsAndDeadLetter()
    {
        var role = Properties("MissedRunCheckRole");
        var trust = CloudFormationTemplate.Map(CloudFormationTemplate.List(CloudFormationTemplate.Map(role["AssumeRolePolicyDocument"])["Statement"]).Single());
        var statements = CloudFormationTemplate.List(role["Policies"])
            .SelectMany(p => CloudFormationTemplate.List(CloudFormationTemplate.Map(CloudFormationTemplate.Map(p)["PolicyDocument"])["Statement"]))
            .Select(CloudFormationTemplate.Map)
            .ToDictionary(s => string.Join(",", RotationStack.Actions(s)), StringComparer.Ordinal);

        Assert.Equal("scheduler.amazonaws.com", CloudFormationTemplate.Map(trust["Principal"])["Service"]);
        Assert.Equal(["cloudwatch:PutMetricData", "sqs:SendMessage"], statements.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(JsonLinesLog.MetricNamespace, CloudFormationTemplate.Map(CloudFormationTemplate.Map(statements["cloudwatch:PutMetricData"]["Condition"])["StringEquals"])["cloudwatch:namespace"]);
        Assert.Equal<object?>(TemplateFunctionTests.DeadLetterQueueArn, statements["sqs:SendMessage"]["Resource"], new IntrinsicComparer());
    }
}
