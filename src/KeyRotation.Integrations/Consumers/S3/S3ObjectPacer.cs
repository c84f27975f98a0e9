using System.Threading.RateLimiting;

namespace KeyRotation.Integrations.Consumers.S3;

/// <summary>
/// Paces the per-object requests of an object scan or migration (HeadObject, GetObjectAcl, CopyObject): a token bucket
/// of <see cref="DefaultRate"/> requests a second refilled by a timer on the given <see cref="TimeProvider"/>, as
/// KmsRequestPacer paces KMS. S3 takes at least 5,500 GET/HEAD and 3,500 PUT/COPY requests a second per prefix; the
/// default stays far below, so a scan of a busy bucket does not take its applications' share, and the SDK's standard
/// retries remain the backstop for a 503 SlowDown.
/// </summary>
internal sealed class S3ObjectPacer : IDisposable
{
    /// <summary>Requests a second across the whole scan or migration.</summary>
    public const double DefaultRate = 100;

    private static readonly TimeSpan Period = TimeSpan.FromMilliseconds(100);
    private readonly TokenBucketRateLimiter _limiter;
    private readonly ITimer _timer;

    public S3ObjectPacer(TimeProvider time, double rate = DefaultRate)
    {
        ArgumentNullException.ThrowIfNull(time);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(rate, 0);
        var tokens = Math.Max(1, (int)Math.Floor(rate * Period.TotalSeconds));
        _limiter = new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
        {
            TokenLimit = tokens,
            TokensPerPeriod = tokens,
            // Refilled only by the timer below, so the pace follows the TimeProvider (see KmsRequestPacer).
            ReplenishmentPeriod = TimeSpan.FromTicks(1),
            AutoReplenishment = false,
            QueueLimit = int.MaxValue,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
        });
        var period = TimeSpan.FromSeconds(tokens / rate);
        _timer = time.CreateTimer(static state => ((TokenBucketRateLimiter)state!).TryReplenish(), _limiter, period, period);
    }

    /// <summary>Waits for the next request's turn.</summary>
    public async Task WaitAsync(CancellationToken ct)
    {
        using var lease = await _limiter.AcquireAsync(1, ct);
    }

    public void Dispose()
    {
        _timer.Dispose();
        _limiter.Dispose();
    }
}
