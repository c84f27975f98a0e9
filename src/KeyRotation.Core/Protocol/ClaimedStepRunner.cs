using Amazon.Runtime;
using Polly;
using Polly.Retry;

namespace KeyRotation.Core.Protocol;

/// <summary>
/// Runs the steps a run takes while it holds a claim. A step denied (AccessDeniedException) is retried with backoff:
/// KMS takes up to five minutes before grants that hang on a new key's, tag's or alias's existence count, so a step on
/// the key this run just created, tagged or aliased can be denied at first. Bounded by the run's deadline. If the step
/// then still fails in a way this run reports (not a crash), the claim is released with the cause, so the next run
/// takes over at once (and adopts the key if KMS created it after all).
/// </summary>
internal sealed class ClaimedStepRunner
{
    /// <summary>KMS documents that authorization can take up to five minutes to follow tag and alias changes.</summary>
    private static readonly TimeSpan MaxAuthorizationDelay = TimeSpan.FromMinutes(5);

    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(30);

    private readonly ClaimSteps _claims;
    private readonly RotationOptions _options;
    private readonly TimeProvider _time;
    private readonly IRotationLog _log;

    public ClaimedStepRunner(ClaimSteps claims, RotationOptions options, TimeProvider time, IRotationLog log)
    {
        _claims = claims;
        _options = options;
        _time = time;
        _log = log;
    }

    public async Task<T> RunAsync<T>(RunClaim claim, Func<Task<T>> step, bool retryDenied, CancellationToken ct)
    {
        try
        {
            return retryDenied ? await DeniedRetries<T>(claim).ExecuteAsync(async _ => await step(), ct) : await step();
        }
        catch (Exception ex) when (ex is RotationException or AmazonClientException or AmazonServiceException or HttpRequestException)
        {
            await _claims.ReleaseAsync(claim, ex.Message, ct);
            throw;
        }
    }

    /// <summary>
    /// Retries a denied step after the authorization retry delay, doubling up to <see cref="MaxRetryDelay"/>, while the
    /// waits stay within <see cref="MaxAuthorizationDelay"/> and the next attempt starts before the claim's deadline.
    /// Waiting, not time-based logic: real time (the pipeline's default), so a fake clock in tests cannot stall it; the
    /// deadline is read on the injected clock.
    /// </summary>
    private ResiliencePipeline<T> DeniedRetries<T>(RunClaim claim) => new ResiliencePipelineBuilder<T>()
        .AddRetry(new RetryStrategyOptions<T>
        {
            ShouldHandle = args => ValueTask.FromResult(
                args.Outcome.Exception is { } ex && IsDenied(ex) && Waited(args.AttemptNumber) + Delay(args.AttemptNumber) <= MaxAuthorizationDelay
                && (claim.Deadline is not { } deadline || _time.GetUtcNow() + Delay(args.AttemptNumber) < deadline)),
            MaxRetryAttempts = int.MaxValue,
            DelayGenerator = args => ValueTask.FromResult<TimeSpan?>(Delay(args.AttemptNumber)),
            OnRetry = args =>
            {
                _log.Write(new RotationLogEntry(
                    RotationLogLevel.Warning,
                    $"Denied; retrying in {args.RetryDelay.TotalSeconds:0.###} s (authorization can lag behind new keys, tags and aliases): {args.Outcome.Exception!.Message}",
                    null,
                    null,
                    claim.MarkerTargetKeyId));
                return default;
            },
        })
        .Build();

    /// <summary>The wait before retry <paramref name="retry"/> (0 for the first).</summary>
    private TimeSpan Delay(int retry)
    {
        var delay = _options.AuthorizationRetryDelay;
        for (var i = 0; i < retry && delay != MaxRetryDelay; i++)
        {
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxRetryDelay.Ticks));
        }

        return delay;
    }

    /// <summary>The time waited before retry <paramref name="retry"/>: the waits before the earlier retries.</summary>
    private TimeSpan Waited(int retry)
    {
        var waited = TimeSpan.Zero;
        for (var i = 0; i < retry; i++)
        {
            waited += Delay(i);
        }

        return waited;
    }

    private static bool IsDenied(Exception ex) =>
        (ex as AmazonServiceException ?? ex.InnerException as AmazonServiceException)?.ErrorCode == "AccessDeniedException";
}
