using System.Text;
using System.Text.Json;
using Amazon.KeyManagementService;
using KeyRotation.Core;
using KeyRotation.Core.Configuration;
using Microsoft.Extensions.Time.Testing;

namespace KeyRotation.Function.Tests;

/// <summary>Every scheduled run measures every configured alias against its cryptoperiod: AliasesOverdue, AliasesDueSoon, and the log lines naming them.</summary>
public sealed class HandlerCryptoperiodTests
{
    private const string Function = "key-rotation-RotationFunction-abc";

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 1, 3, 0, 5, TimeSpan.Zero));
    private readonly KmsMock _kms;
    private readonly Dictionary<string, string> _environment = new(StringComparer.Ordinal)
    {
        ["AWS_LAMBDA_FUNCTION_NAME"] = Function,
        [SettingNames.RotationAliases] = "alias/orders",
        [SettingNames.NotificationTopicArn] = "arn:aws:sns:eu-west-1:111122223333:key-rotation",
        [SettingNames.MaxKeyAgeDays] = "35",
    };

    public HandlerCryptoperiodTests() => _kms = new KmsMock(_time);

    [Fact]
    public async Task ScheduledRuns_AnAliasWhoseRotationKeepsFailing_StaysOverdueUntilItRotates()
    {
        _kms.AddKey("alias/orders", age: TimeSpan.FromDays(40));

        var (first, _) = await ScheduledRunAsync("2026-12-01T03:00:00Z", failCreateKey: true);
        _time.Advance(TimeSpan.FromDays(31));
        var (second, secondLog) = await ScheduledRunAsync("2027-01-01T03:00:00Z", failCreateKey: true);
        _time.Advance(TimeSpan.FromDays(31));
        var (rotated, _) = await ScheduledRunAsync("2027-02-01T03:00:00Z", failCreateKey: false);

        Assert.Equal(1, first.GetProperty("AliasesOverdue").GetInt32());
        Assert.Equal(1, second.GetProperty("AliasesOverdue").GetInt32());
        Assert.Contains(secondLog, l => l.GetProperty("level").GetString() == "WARNING" && l.GetProperty("alias").GetString() == "alias/orders"
            && l.GetProperty("message").GetString()!.Contains("alias/orders is overdue: its key material has been in use 71", StringComparison.Ordinal));
        Assert.Equal((0, 0), (rotated.GetProperty("AliasesOverdue").GetInt32(), rotated.GetProperty("AliasesDueSoon").GetInt32()));
    }

    [Fact]
    public async Task ScheduledRun_AnOverdueAlias_PutsAnAliasRotationOverdueEventNamingItsKey()
    {
        var key = _kms.AddKey("alias/orders", age: TimeSpan.FromDays(40));
        var events = new RecordingEventSink();

        await ScheduledRunAsync("2026-12-01T03:00:00Z", failCreateKey: true, events);

        var overdue = Assert.Single(events.Events, e => e.DetailType == Core.Events.LifecycleDetailTypes.AliasRotationOverdue);
        Assert.Equal(("alias/orders", key.KeyId), (overdue.Detail.Alias, overdue.Detail.KeyId));
        Assert.Equal([key.Arn], overdue.Resources);
    }

    [Fact]
    public async Task ScheduledRun_ACompliantAlias_PutsNoOverdueEvent()
    {
        _kms.AddKey("alias/orders", age: TimeSpan.FromDays(2));
        var events = new RecordingEventSink();

        await ScheduledRunAsync("2026-12-01T03:00:00Z", failCreateKey: false, events);

        Assert.DoesNotContain(events.Events, e => e.DetailType == Core.Events.LifecycleDetailTypes.AliasRotationOverdue);
    }

    [Fact]
    public async Task ScheduledRun_SkippedAndDueSoonAliases_AreMeasuredToo()
    {
        _environment[SettingNames.RotationAliases] = "alias/orders,alias/billing,alias/reports";
        _kms.AddKey("alias/orders", age: TimeSpan.FromHours(2));
        _kms.AddKey("alias/billing", age: TimeSpan.FromDays(40));
        _kms.AddKey("alias/reports", age: TimeSpan.FromHours(3));
        _kms.Tags[_kms.KeyOf("alias/reports").KeyId][RotationTags.MaxKeyAgeDays] = "many";

        var (metrics, log) = await ScheduledRunAsync("2026-12-01T03:00:00Z", failCreateKey: true);

        // orders was skipped (younger than MIN_KEY_AGE_HOURS) and is compliant; billing failed and is overdue; reports has a bad tag.
        Assert.Equal((1, 0, 1), (metrics.GetProperty("AliasesOverdue").GetInt32(), metrics.GetProperty("AliasesDueSoon").GetInt32(), metrics.GetProperty("AliasesNotMeasured").GetInt32()));
        Assert.Contains(log, l => l.GetProperty("level").GetString() == "ERROR" && l.GetProperty("alias").GetString() == "alias/reports"
            && l.GetProperty("message").GetString()!.Contains("is tagged keyrotation:max-key-age-days=many", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ScheduledRun_TheScheduleComesAfterTheCryptoperiodEnds_CountsTheAliasDueSoon()
    {
        // Rotated 20 days ago with a 35-day cryptoperiod: the next Monthly run (1 January) is 31 days away.
        _kms.AddKey("alias/orders", age: TimeSpan.FromDays(20));
        _environment[SettingNames.MinKeyAgeHours] = "720";

        var (metrics, _) = await ScheduledRunAsync("2026-12-01T03:00:00Z", failCreateKey: false);

        Assert.Equal((0, 1), (metrics.GetProperty("AliasesOverdue").GetInt32(), metrics.GetProperty("AliasesDueSoon").GetInt32()));
    }

    [Fact]
    public async Task ManualRun_WritesNoCryptoperiodMetrics()
    {
        _kms.AddKey("alias/orders");
        var output = new StringWriter();

        await new Handler(_environment, _kms.Object, new SilentNotifier(), _time, output, keyFinder: _kms.Finder).HandleAsync(new MemoryStream("{}"u8.ToArray()));

        var metrics = Lines(output).Single(l => l.TryGetProperty("_aws", out _));
        Assert.All(JsonLinesLog.CryptoperiodMetrics, name => Assert.False(metrics.TryGetProperty(name, out _)));
    }

    [Fact]
    public void Start_MaxKeyAgeShorterThanTheSchedulesPeriod_IsAConfigurationErrorNamingBoth()
    {
        _environment[SettingNames.MaxKeyAgeDays] = "30";
        var output = new StringWriter();

        var handler = new Handler(_environment, _kms.Object, new SilentNotifier(), _time, output, keyFinder: _kms.Finder);

        var error = Assert.Single(Lines(output));
        Assert.Contains("MAX_KEY_AGE_DAYS: a cryptoperiod of 30 day(s) is shorter than the schedule's period of 31 day(s) (ROTATION_SCHEDULE cron(0 3 1 * ? *) in UTC)", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Empty(_kms.Calls);
        Assert.NotNull(handler);
    }

    private async Task<(JsonElement Metrics, List<JsonElement> Log)> ScheduledRunAsync(string slot, bool failCreateKey, RecordingEventSink? events = null)
    {
        if (failCreateKey)
        {
            _kms.FailNext["CreateKey"] = new AmazonKeyManagementServiceException("KMS is unavailable");
        }

        var output = new StringWriter();
        var handler = new Handler(_environment, _kms.Object, new SilentNotifier(), _time, output, keyFinder: _kms.Finder, eventSink: events);
        try
        {
            using var response = await handler.HandleAsync(new MemoryStream(Encoding.UTF8.GetBytes($$"""{"trigger":"schedule","scheduledTime":"{{slot}}"}""")));
        }
        catch (RotationFailedException) when (failCreateKey)
        {
            // The rotation failed, as the test asked; the metrics are written before the invocation errors.
        }

        var lines = Lines(output);
        return (lines.Single(l => l.TryGetProperty("_aws", out _)), lines.Where(l => l.TryGetProperty("level", out _)).ToList());
    }

    private static List<JsonElement> Lines(StringWriter output) =>
        [.. output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement.Clone())];

    private sealed class SilentNotifier : IRotationNotifier
    {
        public Task NotifyAsync(RotationNotice notice, CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
