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
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<string, PacedBucket> _limiters = new(StringComparer.Ordinal);
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
            return _limiters.GetOrAdd(operation, _ => new PacedBucket(rate, _time)).Limiter;
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

    private sealed class OperationCounters
    {
        public long Calls;
        public long Throttled;
        public long LatencyTicks;
    }
}

/// <summary>What the answered calls of one operation showed.</summary>
internal sealed record KmsCallStatistics(long Calls, long Throttled, TimeSpan MeanLatency);
