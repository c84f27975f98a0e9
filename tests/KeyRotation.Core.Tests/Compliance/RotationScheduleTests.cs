using KeyRotation.Core.Compliance;
using KeyRotation.Core.Configuration;

namespace KeyRotation.Core.Tests.Compliance;

public sealed class RotationScheduleTests
{
    private static RotationSchedule Parse(string expression, string zone = "UTC")
    {
        var problems = new List<string>();
        var schedule = RotationSchedule.Parse(expression, zone, problems);
        Assert.Empty(problems);
        return schedule!;
    }

    [Theory]
    [InlineData("cron(0 3 1 * ? *)", 31)]
    [InlineData("cron(0 3 1 1,4,7,10 ? *)", 92)]
    [InlineData("cron(0 3 15 * ? *)", 31)]
    [InlineData("cron(0 4 ? * MON *)", 7)]
    [InlineData("rate(30 days)", 30)]
    [InlineData("rate(36 hours)", 1.5)]
    public void Period_TheTemplatesSchedulesAndCustomOnes_IsTheLongestGapBetweenTwoRuns(string expression, double days)
    {
        Assert.Equal(TimeSpan.FromDays(days), Parse(expression).Period);
    }

    [Fact]
    public void Period_TwoRunsADay_IsTheLongerGapOfTheDay()
    {
        Assert.Equal(TimeSpan.FromHours(20), Parse("cron(0 2,6 * * ? *)").Period);
    }

    [Fact]
    public void NextRunAfter_Monthly_IsTheFirstOfTheNextMonthAt0300()
    {
        var next = Parse("cron(0 3 1 * ? *)").NextRunAfter(new DateTimeOffset(2026, 12, 1, 3, 0, 0, TimeSpan.Zero));

        Assert.Equal(new DateTimeOffset(2027, 1, 1, 3, 0, 0, TimeSpan.Zero), next);
    }

    [Fact]
    public void NextRunAfter_InAnotherTimeZone_IsThatZonesLocalTimeInUtc()
    {
        var next = Parse("cron(0 3 1 * ? *)", "Europe/Berlin").NextRunAfter(new DateTimeOffset(2026, 12, 15, 0, 0, 0, TimeSpan.Zero));

        Assert.Equal(new DateTimeOffset(2027, 1, 1, 2, 0, 0, TimeSpan.Zero), next);
    }

    [Fact]
    public void NextRunAfter_OneTimeScheduleInThePast_IsNoneAndHasNoPeriod()
    {
        var schedule = Parse("at(2026-01-01T03:00:00)");

        Assert.Null(schedule.NextRunAfter(new DateTimeOffset(2026, 6, 1, 0, 0, 0, TimeSpan.Zero)));
        Assert.Null(schedule.Period);
    }

    [Fact]
    public void Parse_CronWithLastDayOfMonth_IsAcceptedButNotEvaluated()
    {
        var schedule = Parse("cron(0 3 L * ? *)");

        Assert.False(schedule.Evaluated);
        Assert.Null(schedule.Period);
        Assert.Null(schedule.NextRunAfter(new DateTimeOffset(2026, 6, 1, 0, 0, 0, TimeSpan.Zero)));
    }

    [Theory]
    [InlineData("cron(0 3 1 * *)", SettingNames.RotationSchedule)]
    [InlineData("cron(0 25 1 * ? *)", SettingNames.RotationSchedule)]
    [InlineData("rate(0 days)", SettingNames.RotationSchedule)]
    [InlineData("monthly", SettingNames.RotationSchedule)]
    public void Parse_BadExpression_NamesTheSettingAndTheValue(string expression, string setting)
    {
        var problems = new List<string>();

        Assert.Null(RotationSchedule.Parse(expression, "UTC", problems));

        var problem = Assert.Single(problems);
        Assert.StartsWith(setting + ":", problem, StringComparison.Ordinal);
        Assert.Contains(expression, problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_UnknownTimeZone_NamesTheTimeZoneSetting()
    {
        var problems = new List<string>();

        RotationSchedule.Parse("cron(0 3 1 * ? *)", "Mars/Olympus", problems);

        Assert.StartsWith(SettingNames.RotationScheduleTimezone + ": 'Mars/Olympus'", Assert.Single(problems), StringComparison.Ordinal);
    }
}
