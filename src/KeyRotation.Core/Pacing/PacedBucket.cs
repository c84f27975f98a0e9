using System.Threading.RateLimiting;

namespace KeyRotation.Core.Pacing;

/// <summary>
/// One rate as a token bucket refilled by a timer on a <see cref="TimeProvider"/>: max(1, ⌊rate × 100 ms⌋) tokens
/// refilled to full every tokens / rate seconds, so exactly the rate and never a burst above one period's share
/// (5/s: one token every 200 ms; 100/s: ten every 100 ms; 0.25/s: one every 4 s). The KMS pacer and the consumer
/// scans' pacer both use it.
/// </summary>
internal sealed class PacedBucket : IDisposable
{
    /// <summary>The shortest refill period for fast operations: a bucket of rate × 100 ms tokens, refilled every 100 ms.</summary>
    private static readonly TimeSpan ShortestPeriod = TimeSpan.FromMilliseconds(100);

    private readonly ITimer _timer;

    public PacedBucket(double rate, TimeProvider time)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rate);
        ArgumentNullException.ThrowIfNull(time);
        var tokens = Math.Max(1, (int)Math.Floor(rate * ShortestPeriod.TotalSeconds));
        var period = TimeSpan.FromSeconds(tokens / rate);
        Limiter = new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
        {
            TokenLimit = tokens,
            TokensPerPeriod = tokens,
            // Refilled by the timer below, on the TimeProvider, every period. The limiter itself would also ignore a
            // manual refill less than its period after the last one by the real clock, so its own period is one tick.
            // A refill it still ignores (two timer ticks within 100 ns) only slows the pace, never speeds it.
            ReplenishmentPeriod = TimeSpan.FromTicks(1),
            AutoReplenishment = false,
            QueueLimit = int.MaxValue,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
        });
        _timer = time.CreateTimer(static state => ((TokenBucketRateLimiter)state!).TryReplenish(), Limiter, period, period);
    }

    public TokenBucketRateLimiter Limiter { get; }

    public void Dispose()
    {
        _timer.Dispose();
        Limiter.Dispose();
    }
}
