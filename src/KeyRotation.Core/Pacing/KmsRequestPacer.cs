using System.Collections.Concurrent;
using System.Threading.RateLimiting;

namespace KeyRotation.Core.Pacing;

/// <summary>
/// One token-bucket limiter per KMS operation, shared by every client and every concurrent rotation of the process,
/// so calls leave at or under <see cref="KmsRequestQuotas"/> and KMS rarely throttles (the SDK's retry stays a backstop).
/// Buckets are refilled by timers on the given <see cref="TimeProvider"/>. Also keeps what the calls showed: how many of
/// each operation, their latency (without the wait here) and how many KMS throttled. It lives as long as the process
/// (the function's container, a CLI run); its refill timers go with it.
/// </summary>
public sealed class KmsRequestPacer
{
    /// <summary>The shortest refill period for fast operations: a bucket of rate × 100 ms tokens, refilled every 100 ms.</summary>
    private static readonly TimeSpan ShortestPeriod = TimeSpan.FromMilliseconds(100);

    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<string, Paced> _limiters = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, OperationCounters> _counters = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    public KmsRequestPacer(KmsRequestQuotas quotas, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(quotas);
        ArgumentNullException.ThrowIfNull(time);
        Quotas = quotas;
        _time = time;
    }

    public KmsRequestQuotas Quotas { get; }

    public TimeProvider Time => _time;

    /// <summary>
    /// The limiter of an operation (created on first use); null when the operation is not paced. A lease is granted
    /// at most rate × period times per refill period of period = tokens / rate, oldest waiter first.
    /// </summary>
    public RateLimiter? LimiterFor(string operation)
    {
        ArgumentNullException.ThrowIfNull(operation);
        if (Quotas.RateOf(operation) is not { } rate)
        {
            return null;
        }

        if (_limiters.TryGetValue(operation, out var existing))
        {
            return existing.Limiter;
        }

        lock (_gate)
        {
            return _limiters.GetOrAdd(operation, _ => Create(rate)).Limiter;
        }
    }

    /// <summary>Records one answered call: its latency at KMS (not the wait for a token) and whether KMS throttled it.</summary>
    public void Record(string operation, TimeSpan latency, bool throttled)
    {
        var counters = _counters.GetOrAdd(operation, _ => new OperationCounters());
        Interlocked.Increment(ref counters.Calls);
        Interlocked.Add(ref counters.LatencyTicks, latency.Ticks);
        if (throttled)
        {
            Interlocked.Increment(ref counters.Throttled);
        }
    }

    /// <summary>What the calls so far showed, per operation.</summary>
    internal IReadOnlyDictionary<string, KmsCallStatistics> Statistics() => _counters.ToDictionary(
        c => c.Key,
        c =>
        {
            var calls = Interlocked.Read(ref c.Value.Calls);
            return new KmsCallStatistics(calls, Interlocked.Read(ref c.Value.Throttled), calls == 0 ? TimeSpan.Zero : TimeSpan.FromTicks(Interlocked.Read(ref c.Value.LatencyTicks) / calls));
        },
        StringComparer.Ordinal);

    /// <summary>
    /// A bucket of max(1, ⌊rate × 100 ms⌋) tokens refilled to full every tokens / rate seconds: exactly the rate, never a
    /// burst above one period's share (5/s: one token every 200 ms; 100/s: ten every 100 ms; 0.25/s: one every 4 s).
    /// </summary>
    private Paced Create(double rate)
    {
        var tokens = Math.Max(1, (int)Math.Floor(rate * ShortestPeriod.TotalSeconds));
        var period = TimeSpan.FromSeconds(tokens / rate);
        var limiter = new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
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
        var timer = _time.CreateTimer(static state => ((TokenBucketRateLimiter)state!).TryReplenish(), limiter, period, period);
        return new Paced(limiter, timer);
    }

    private sealed record Paced(TokenBucketRateLimiter Limiter, ITimer Timer);

    private sealed class OperationCounters
    {
        public long Calls;
        public long Throttled;
        public long LatencyTicks;
    }
}

/// <summary>What the answered calls of one operation showed.</summary>
internal sealed record KmsCallStatistics(long Calls, long Throttled, TimeSpan MeanLatency);
