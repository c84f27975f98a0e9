using System.Text;

namespace KeyRotation.Function.Tests;

public sealed class InvocationEventTests
{
    [Fact]
    public async Task ReadAsync_ScheduledEventSample_IsScheduledWithTimeAsSlot()
    {
        var parsed = await ReadSampleAsync("scheduled-event.json");

        Assert.Equal(InvocationKind.ScheduledEvent, parsed.Kind);
        Assert.Equal(new DateTimeOffset(2026, 12, 1, 3, 0, 0, TimeSpan.Zero), parsed.ScheduleSlot);
        Assert.Null(parsed.Aliases);
        Assert.False(parsed.Force);
    }

    [Fact]
    public async Task ReadAsync_SchedulerSample_IsSchedulerWithScheduledTimeAsSlot()
    {
        var parsed = await ReadSampleAsync("scheduler.json");

        Assert.Equal(InvocationKind.Scheduler, parsed.Kind);
        Assert.Equal(new DateTimeOffset(2026, 12, 1, 3, 0, 0, TimeSpan.Zero), parsed.ScheduleSlot);
    }

    [Fact]
    public async Task ReadAsync_ManualAllSample_RotatesEveryConfiguredAlias()
    {
        var parsed = await ReadSampleAsync("manual-all.json");

        Assert.Equal(InvocationKind.Manual, parsed.Kind);
        Assert.Null(parsed.Aliases);
        Assert.Null(parsed.DryRun);
        Assert.Null(parsed.ScheduleSlot);
    }

    [Fact]
    public async Task ReadAsync_ManualDryRunSample_LimitsAliasesAndSetsDryRun()
    {
        var parsed = await ReadSampleAsync("manual-dry-run.json");

        Assert.Equal(["alias/app-data"], parsed.Aliases);
        Assert.True(parsed.DryRun);
        Assert.False(parsed.Force);
    }

    [Fact]
    public async Task ReadAsync_ManualForceSample_SetsForce()
    {
        var parsed = await ReadSampleAsync("manual-force.json");

        Assert.True(parsed.Force);
        Assert.False(parsed.DryRun);
    }

    [Fact]
    public async Task ReadAsync_SlotWithSeconds_TruncatesToTheMinute()
    {
        var parsed = await ReadAsync("""{"trigger":"schedule","scheduledTime":"2026-12-01T03:00:41.123Z"}""");

        Assert.Equal(new DateTimeOffset(2026, 12, 1, 3, 0, 0, TimeSpan.Zero), parsed.ScheduleSlot);
    }

    [Fact]
    public async Task ReadAsync_DuplicateAliases_AreRotatedOnce()
    {
        var parsed = await ReadAsync("""{"aliases":["alias/a","alias/a"]}""");

        Assert.Equal(["alias/a"], parsed.Aliases);
    }

    [Theory]
    [InlineData("", "not valid JSON")]
    [InlineData("{", "not valid JSON")]
    [InlineData("[]", "must be a JSON object, not an array")]
    [InlineData("\"rotate\"", "must be a JSON object, not a string")]
    [InlineData("null", "must be a JSON object, not null")]
    [InlineData("""{"alias":"alias/a"}""", "A manual event has no field \"alias\"")]
    [InlineData("""{"aliases":"alias/a"}""", "\"aliases\" must be an array of alias names, not a string")]
    [InlineData("""{"aliases":[1]}""", "must hold alias names (strings), not a number")]
    [InlineData("""{"aliases":[]}""", "\"aliases\" is empty")]
    [InlineData("""{"aliases":["orders"]}""", "'orders' is not an alias name")]
    [InlineData("""{"aliases":["alias/aws/s3"]}""", "reserved for AWS managed keys")]
    [InlineData("""{"aliases":["alias/bad name"]}""", "characters KMS does not allow")]
    [InlineData("""{"aliases":["alias/keyrotation/orders/1"]}""", "marker aliases")]
    [InlineData("""{"dryRun":"yes"}""", "\"dryRun\" must be true or false, not a string")]
    [InlineData("""{"force":1}""", "\"force\" must be true or false, not a number")]
    [InlineData("""{"source":"aws.events","detail-type":"Object Created","time":"2026-12-01T03:00:00Z"}""", "detail-type \"Object Created\"")]
    [InlineData("""{"source":"aws.s3","detail-type":"Scheduled Event","time":"2026-12-01T03:00:00Z"}""", "source \"aws.s3\"")]
    [InlineData("""{"source":"aws.events","detail-type":"Scheduled Event"}""", "needs \"time\"")]
    [InlineData("""{"trigger":"manual","scheduledTime":"2026-12-01T03:00:00Z"}""", "\"trigger\" must be \"schedule\"")]
    [InlineData("""{"trigger":"schedule"}""", "needs \"scheduledTime\"")]
    [InlineData("""{"trigger":"schedule","scheduledTime":"<aws.scheduler.scheduled-time>"}""", "must be an ISO 8601 time")]
    [InlineData("""{"trigger":"schedule","scheduledTime":"2026-12-01T03:00:00Z","aliases":["alias/a"]}""", "A scheduler payload has no field \"aliases\"")]
    public async Task ReadAsync_MalformedEvent_RefusesNamingTheProblem(string json, string expected)
    {
        var error = await Assert.ThrowsAsync<InvalidEventException>(() => ReadAsync(json));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    internal static Task<InvocationEvent> ReadSampleAsync(string name) =>
        InvocationEvent.ReadAsync(File.OpenRead(Path.Combine(AppContext.BaseDirectory, "events", name)), CancellationToken.None);

    private static Task<InvocationEvent> ReadAsync(string json) =>
        InvocationEvent.ReadAsync(new MemoryStream(Encoding.UTF8.GetBytes(json)), CancellationToken.None);
}
