using System.Collections.Concurrent;
using KeyRotation.Core.Pacing;

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
    private readonly ConcurrentDictionary<string, Lazy<PacedBucket>> _buckets = new(StringComparer.Ordinal);

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

        var bucket = _buckets.GetOrAdd(name, _ => new Lazy<PacedBucket>(() => new PacedBucket(rate, _time))).Value;
        using var lease = await bucket.Limiter.AcquireAsync(1, ct);
    }

    public void Dispose()
    {
        foreach (var bucket in _buckets.Values.Where(b => b.IsValueCreated).Select(b => b.Value))
        {
            bucket.Dispose();
        }
    }
}
