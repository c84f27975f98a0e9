using System.Collections.Concurrent;
using System.Threading.RateLimiting;

namespace KeyRotation.Core.Consumers;

/// <summary>
/// Paces the inventory's and the migration's calls to the consumers' services, one token bucket per service and
/// operation ("dynamodb:UpdateTable"), at <see cref="ConsumerRequestRates"/>, so a scan of thousands of resources stays
/// well inside each service's throttling and leaves room for the applications sharing the account. Buckets refill by
/// timers on the given <see cref="TimeProvider"/>; an operation without a rate is not paced.
/// </summary>
public sealed class ConsumerRequestPacer : IDisposable
{
    private readonly IReadOnlyDictionary<string, double> _rates;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<string, Lazy<Bucket>> _buckets = new(StringComparer.Ordinal);

    public ConsumerRequestPacer(IReadOnlyDictionary<string, double> rates, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(rates);
        ArgumentNullException.ThrowIfNull(time);
        _rates = rates;
        _time = time;
    }

    /// <summary>No pacing at all (tests against local doubles, which do not throttle).</summary>
    public static ConsumerRequestPacer Unpaced() => new(new Dictionary<string, double>(StringComparer.Ordinal), TimeProvider.System);

    /// <summary>Waits for a token of <paramref name="service"/>'s <paramref name="operation"/> (oldest waiter first).</summary>
    public async Task WaitAsync(string service, string operation, CancellationToken ct)
    {
        var name = $"{service}:{operation}";
        if (!_rates.TryGetValue(name, out var rate))
        {
            return;
        }

        var bucket = _buckets.GetOrAdd(name, _ => new Lazy<Bucket>(() => Create(rate))).Value;
        using var lease = await bucket.Limiter.AcquireAsync(1, ct);
    }

    public void Dispose()
    {
        foreach (var bucket in _buckets.Values.Where(b => b.IsValueCreated).Select(b => b.Value))
        {
            bucket.Timer.Dispose();
            bucket.Limiter.Dispose();
        }
    }

    /// <summary>A bucket of max(1, ⌊rate × 100 ms⌋) tokens refilled every tokens / rate seconds, as the KMS pacer's: the rate, never a burst above it.</summary>
    private Bucket Create(double rate)
    {
        var tokens = Math.Max(1, (int)Math.Floor(rate / 10));
        var period = TimeSpan.FromSeconds(tokens / rate);
        var limiter = new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
        {
            TokenLimit = tokens,
            TokensPerPeriod = tokens,
            // Refilled by the timer below on the TimeProvider; the limiter's own period is one tick so it never ignores a refill.
            ReplenishmentPeriod = TimeSpan.FromTicks(1),
            AutoReplenishment = false,
            QueueLimit = int.MaxValue,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
        });
        var timer = _time.CreateTimer(static state => ((TokenBucketRateLimiter)state!).TryReplenish(), limiter, period, period);
        return new Bucket(limiter, timer);
    }

    private sealed record Bucket(TokenBucketRateLimiter Limiter, ITimer Timer);
}
