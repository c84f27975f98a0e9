using System.Text.Json;

namespace KeyRotation.Function.Tests.Template;

public sealed class TemplateScheduleTests
{
    private static readonly DateTime From = new(2025, 1, 15, 12, 0, 0, DateTimeKind.Unspecified);

    private static string Expression(string frequency)
    {
        var mappings = RotationStack.Template.Section("Mappings");
        var schedules = CloudFormationTemplate.Map(mappings["RotationSchedules"]);
        return (string)CloudFormationTemplate.Map(schedules[frequency])["Expression"]!;
    }

    [Fact]
    public void MonthlyExpression_FromMidJanuary_FiresAt0300OnTheFirstOfEachMonth()
    {
        var cron = EventBridgeCron.Parse(Expression("Monthly"));

        Assert.Equal(
            [new DateTime(2025, 2, 1, 3, 0, 0), new DateTime(2025, 3, 1, 3, 0, 0), new DateTime(2025, 4, 1, 3, 0, 0), new DateTime(2025, 5, 1, 3, 0, 0)],
            cron.NextOccurrences(From, 4));
    }

    [Fact]
    public void QuarterlyExpression_FromMidJanuary_FiresAt0300OnTheFirstOfAprilJulyOctoberJanuary()
    {
        var cron = EventBridgeCron.Parse(Expression("Quarterly"));

        Assert.Equal(
            [new DateTime(2025, 4, 1, 3, 0, 0), new DateTime(2025, 7, 1, 3, 0, 0), new DateTime(2025, 10, 1, 3, 0, 0), new DateTime(2026, 1, 1, 3, 0, 0)],
            cron.NextOccurrences(From, 4));
    }

    [Fact]
    public void RotationFrequency_Description_StatesTheTimeAndDaysTheExpressionsFire()
    {
        var description = (string)CloudFormationTemplate.Map(RotationStack.Template.Parameters["RotationFrequency"])["Description"]!;

        Assert.Contains("03:00 on the 1st of every month", description, StringComparison.Ordinal);
        Assert.Contains("03:00 on the 1st of January, April, July and October", description, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Monthly", "", "cron(0 3 1 * ? *)")]
    [InlineData("Quarterly", "", "cron(0 3 1 1,4,7,10 ? *)")]
    [InlineData("Quarterly", "cron(0 3 15 * ? *)", "cron(0 3 1 1,4,7,10 ? *)")]
    [InlineData("Custom", "cron(0 3 15 * ? *)", "cron(0 3 15 * ? *)")]
    public void ScheduleExpression_ForEachFrequency_UsesItsMappingOrTheCustomParameter(string frequency, string custom, string expected)
    {
        var parameters = new Dictionary<string, string> { ["RotationFrequency"] = frequency, ["CustomScheduleExpression"] = custom };

        var resolved = TemplateConditions.Resolve(RotationStack.Template, RotationStack.ScheduleEvent["ScheduleExpression"], parameters);

        Assert.Equal(expected, resolved);
    }

    [Fact]
    public void ScheduleExpression_CustomWithoutExpression_IsRefusedByARule()
    {
        var rule = CloudFormationTemplate.Map(RotationStack.Template.Section("Rules")["CustomScheduleNeedsExpression"]);
        var parameters = new Dictionary<string, string> { ["RotationFrequency"] = "Custom", ["CustomScheduleExpression"] = "" };

        var applies = TemplateConditions.Evaluate(RotationStack.Template, rule["RuleCondition"], parameters);
        var holds = CloudFormationTemplate.List(rule["Assertions"])
            .All(assertion => TemplateConditions.Evaluate(RotationStack.Template, CloudFormationTemplate.Map(assertion)["Assert"], parameters));

        Assert.True(applies);
        Assert.False(holds);
    }

    [Fact]
    public void ScheduleInput_PassesTheSchedulersScheduledTimeAsTheSlot()
    {
        using var input = JsonDocument.Parse((string)RotationStack.ScheduleEvent["Input"]!);

        Assert.Equal("schedule", input.RootElement.GetProperty("trigger").GetString());
        Assert.Equal("<aws.scheduler.scheduled-time>", input.RootElement.GetProperty("scheduledTime").GetString());
        Assert.Equal(2, input.RootElement.EnumerateObject().Count());
    }

    [Fact]
    public void Schedule_InTemplate_HasNoFlexibleWindowARetryPolicyAndTheDeadLetterQueue()
    {
        var schedule = RotationStack.ScheduleEvent;

        Assert.Equal("ScheduleV2", CloudFormationTemplate.Map(CloudFormationTemplate.Map(RotationStack.Function["Events"])[RotationStack.ScheduleEventId])["Type"]);
        Assert.Equal("OFF", CloudFormationTemplate.Map(schedule["FlexibleTimeWindow"])["Mode"]);
        Assert.Contains("MaximumRetryAttempts", CloudFormationTemplate.Map(schedule["RetryPolicy"]).Keys);
        Assert.Equal<object?>(TemplateFunctionTests.DeadLetterQueueArn, CloudFormationTemplate.Map(schedule["DeadLetterConfig"])["Arn"], new IntrinsicComparer());
        Assert.Equal<object?>(new Dictionary<string, object?> { ["Ref"] = "ScheduleTimezone" }, schedule["ScheduleExpressionTimezone"], new IntrinsicComparer());
    }
}

public sealed class EventBridgeCronTests
{
    [Theory]
    [InlineData("cron(0 3 1 * ? )")]
    [InlineData("cron(0 3 1 * MON *)")]
    [InlineData("cron(0 3 ? * ? *)")]
    [InlineData("cron(60 3 1 * ? *)")]
    [InlineData("cron(0 3 1 13 ? *)")]
    [InlineData("0 3 1 * ? *")]
    public void Parse_InvalidExpression_Throws(string expression)
    {
        Assert.Throws<FormatException>(() => EventBridgeCron.Parse(expression));
    }

    [Fact]
    public void NextOccurrences_WeekdayNamesAndRanges_FireOnThoseWeekdays()
    {
        var cron = EventBridgeCron.Parse("cron(30 9 ? * MON-FRI *)");

        var fires = cron.NextOccurrences(new DateTime(2025, 1, 3, 10, 0, 0), 3);

        Assert.Equal([new DateTime(2025, 1, 6, 9, 30, 0), new DateTime(2025, 1, 7, 9, 30, 0), new DateTime(2025, 1, 8, 9, 30, 0)], fires);
    }

    [Fact]
    public void NextOccurrences_IncrementInMonths_SkipsBetweenThem()
    {
        var cron = EventBridgeCron.Parse("cron(0 0 1 1/6 ? 2025-2026)");

        var fires = cron.NextOccurrences(new DateTime(2024, 12, 31), 4);

        Assert.Equal([new DateTime(2025, 1, 1), new DateTime(2025, 7, 1), new DateTime(2026, 1, 1), new DateTime(2026, 7, 1)], fires);
    }
}
