using Amazon.Runtime;

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
        var delay = _options.AuthorizationRetryDelay;
        var waited = TimeSpan.Zero;
        while (true)
        {
            try
            {
                return await step();
            }
            catch (Exception ex) when (retryDenied && IsDenied(ex) && waited + delay <= MaxAuthorizationDelay
                && (claim.Deadline is not { } deadline || _time.GetUtcNow() + delay < deadline))
            {
                _log.Write(new RotationLogEntry(
                    RotationLogLevel.Warning,
                    $"Denied; retrying in {delay.TotalSeconds:0.###} s (authorization can lag behind new keys, tags and aliases): {ex.Message}",
                    null,
                    null,
                    claim.MarkerTargetKeyId));
            }
            catch (Exception ex) when (ex is RotationException or AmazonClientException or AmazonServiceException or HttpRequestException)
            {
                await _claims.ReleaseAsync(claim, ex.Message, ct);
                throw;
            }

            // Waiting, not time-based logic: real time, so a fake clock in tests cannot stall it.
            await Task.Delay(delay, ct);
            waited += delay;
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxRetryDelay.Ticks));
        }
    }

    private static bool IsDenied(Exception ex) =>
        (ex as AmazonServiceException ?? ex.InnerException as AmazonServiceException)?.ErrorCode == "AccessDeniedException";
}
