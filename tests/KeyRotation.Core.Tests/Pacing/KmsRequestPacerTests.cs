using KeyRotation.Core.Pacing;
using Microsoft.Extensions.Time.Testing;

namespace KeyRotation.Core.Tests.Pacing;

public sealed class KmsRequestPacerTests
{
    public static TheoryData<string> Operations() => [.. KmsRequestQuotas.DefaultRates.Keys];

    [Theory]
    [MemberData(nameof(Operations))]
    public void LimiterFor_ManyWaitersOnAFakeClock_GrantsAtOrUnderTheOperationsDefaultRate(string operation) =>
        AssertPaced(KmsRequestQuotas.Default, operation);

    [Theory]
    [InlineData("CreateKey=20")]
    [InlineData("UpdateAlias=7")]
    [InlineData("ListAliases=250")]
    [InlineData("TagResource=0.5")]
    public void LimiterFor_RaisedQuota_GrantsAtOrUnderTheRaisedRate(string quota)
    {
        var quotas = KmsRequestQuotas.Parse(quota, "KMS_REQUEST_QUOTAS", [])!;

        AssertPaced(quotas, quota.Split('=')[0]);
    }

    [Fact]
    public void LimiterFor_ConcurrentUsersOfOneOperation_ShareOneLimiter()
    {
        var pacer = new KmsRequestPacer(KmsRequestQuotas.Default, new FakeTimeProvider());

        Assert.Same(pacer.LimiterFor("UpdateAlias"), pacer.LimiterFor("UpdateAlias"));
        Assert.NotSame(pacer.LimiterFor("UpdateAlias"), pacer.LimiterFor("CreateAlias"));
        Assert.Null(pacer.LimiterFor("Encrypt"));
    }

    [Fact]
    public void Statistics_RecordedCalls_CountsLatencyAndThrottles()
    {
        var pacer = new KmsRequestPacer(KmsRequestQuotas.Default, new FakeTimeProvider());

        pacer.Record("CreateKey", TimeSpan.FromMilliseconds(30), throttled: false);
        pacer.Record("CreateKey", TimeSpan.FromMilliseconds(50), throttled: true);

        var statistics = pacer.Statistics()["CreateKey"];
        Assert.Equal(new KmsCallStatistics(2, 1, TimeSpan.FromMilliseconds(40)), statistics);
    }

    /// <summary>
    /// Queues rate × 3 + 3 requests at once, moves the fake clock in 1 ms steps and stamps each grant with the clock. No
    /// window of max(1 s, 1 / rate) holds more than rate × window grants, and all are granted within about the ideal time.
    /// </summary>
    private static void AssertPaced(KmsRequestQuotas quotas, string operation)
    {
        var rate = quotas.RateOf(operation)!.Value;
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 1, 3, 0, 0, TimeSpan.Zero));
        var start = time.GetUtcNow();
        var pacer = new KmsRequestPacer(quotas, time);
        var limiter = pacer.LimiterFor(operation)!;
        var count = (int)Math.Min(3000, Math.Ceiling(rate * 3) + 3);
        var pending = Enumerable.Range(0, count).Select(_ => limiter.AcquireAsync(1).AsTask()).ToList();
        var granted = new List<TimeSpan>();
        var step = rate >= 1 ? TimeSpan.FromMilliseconds(1) : TimeSpan.FromMilliseconds(10);
        var limit = TimeSpan.FromSeconds((count / rate) + 10);
        while (granted.Count < count && time.GetUtcNow() - start < limit)
        {
            foreach (var done in pending.Where(t => t.IsCompleted).ToList())
            {
                Assert.True(done.Result.IsAcquired);
                granted.Add(time.GetUtcNow() - start);
                pending.Remove(done);
            }

            time.Advance(step);
        }

        // The pacer owns the refill timers; unreferenced, it (and they) could be collected mid-test, as in production
        // a pacer nobody holds stops pacing.
        GC.KeepAlive(pacer);
        Assert.True(count == granted.Count, $"{operation}: {granted.Count} of {count} granted by {time.GetUtcNow() - start}");
        var window = TimeSpan.FromSeconds(Math.Max(1, 1 / rate));
        var allowed = rate * window.TotalSeconds;
        for (var i = 0; i < granted.Count; i++)
        {
            var inWindow = granted.Skip(i).TakeWhile(g => g - granted[i] < window).Count();
            Assert.True(inWindow <= allowed + 1e-9, $"{operation}: {inWindow} grants within {window.TotalSeconds} s from {granted[i].TotalMilliseconds} ms; the quota allows {allowed}");
        }

        // Not slower than the quota either: the last grant comes within one refill period of the ideal schedule.
        var ideal = TimeSpan.FromSeconds((count - 1) / rate);
        Assert.True(granted[^1] <= ideal + TimeSpan.FromSeconds(Math.Max(1 / rate, 0.1)) + step, $"{operation}: the last of {count} grants came at {granted[^1]}, the quota allows {ideal}");
    }
}
