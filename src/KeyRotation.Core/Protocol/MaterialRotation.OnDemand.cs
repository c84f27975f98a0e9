using Amazon.KeyManagementService.Model;

namespace KeyRotation.Core.Protocol;

/// <content>
/// The one on-demand rotation of a material move: RotateKeyOnDemand, waiting for KMS to finish it, and telling
/// KMS's refusals (the cap, a key it does not rotate on demand) from a rotation already in progress.
/// </content>
internal sealed partial class MaterialRotation
{
    /// <summary>
    /// One RotateKeyOnDemand, then waiting until DescribeKey shows new current material. A rotation already in progress
    /// (ConflictException, or OnDemandRotationStartDate) is waited for with backoff on the TimeProvider, within the
    /// deadline; null when it is still in progress at the end. KMS's refusals are not retried.
    /// </summary>
    private async Task<(KeyMetadata? Rotated, string? Refusal)> RotateOnceAsync(RotationRequest request, RunClaim claim, string keyId, string from, CancellationToken ct)
    {
        var delay = _options.MaterialRotationPollDelay;
        var requested = false;
        for (var poll = 0; ; poll++)
        {
            var now = await DescribeAsync(keyId, ct);
            if (now.CurrentKeyMaterialId != from)
            {
                return (now, null);
            }

            if (!requested && await InProgressAsync(keyId, ct) is null)
            {
                await FenceAsync(request, claim, ct);
                var (accepted, refusal) = await RequestRotationAsync(keyId, ct);
                if (refusal is not null)
                {
                    return (null, refusal);
                }

                requested = accepted;
                if (requested)
                {
                    continue;
                }
            }

            if (poll >= MaxPolls || (request.Deadline is { } deadline && _time.GetUtcNow() + delay >= deadline))
            {
                return (null, null);
            }

            await Task.Delay(delay, _time, ct);
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxPollDelay.Ticks));
        }
    }

    /// <summary>
    /// RotateKeyOnDemand: accepted, or not (ConflictException: a rotation is in progress or due, so wait), or refused
    /// for good (the cap, a key KMS does not rotate on demand), with the reason.
    /// </summary>
    private async Task<(bool Accepted, string? Refusal)> RequestRotationAsync(string keyId, CancellationToken ct)
    {
        try
        {
            await _noRetryClient.RotateKeyOnDemandAsync(new RotateKeyOnDemandRequest { KeyId = keyId }, ct);
            return (true, null);
        }
        catch (Amazon.Runtime.AmazonServiceException ex) when (ex.ErrorCode is "ThrottlingException" || (int)ex.StatusCode == 429)
        {
            // Refused before KMS did anything: asked again after the wait.
            return (false, null);
        }
        catch (Amazon.Runtime.AmazonClientException ex)
        {
            // No answer: whether KMS started the rotation shows in the next DescribeKey / GetKeyRotationStatus.
            _log.Write(new RotationLogEntry(RotationLogLevel.Warning, $"RotateKeyOnDemand got no answer ({ex.Message}); checking whether KMS started it", null, null, keyId));
            return (false, null);
        }
        catch (ConflictException ex)
        {
            _log.Write(new RotationLogEntry(RotationLogLevel.Information, $"A rotation of the key is in progress or due; waiting for it: {ex.Message}", null, null, keyId));
            return (false, null);
        }
        catch (LimitExceededException ex)
        {
            return (false, $"KMS refused a new on-demand rotation of {keyId}: the key has used all {StrategyChoice.MaxOnDemandRotations} on-demand rotations it allows ({ex.Message}). Use the strategy new-key or auto for this alias.");
        }
        catch (UnsupportedOperationException ex)
        {
            return (false, $"KMS does not rotate the material of {keyId} on demand ({ex.Message}). Use the strategy new-key for this alias.");
        }
        catch (Amazon.Runtime.AmazonServiceException ex)
        {
            throw KmsCalls.StepFailed("RotateKeyOnDemand", ex);
        }
    }

    /// <summary>When an on-demand rotation of the key started that KMS has not finished, or null.</summary>
    private async Task<DateTime?> InProgressAsync(string keyId, CancellationToken ct) =>
        (await KmsCalls.CallAsync("GetKeyRotationStatus", () => _kms.GetKeyRotationStatusAsync(new GetKeyRotationStatusRequest { KeyId = keyId }, ct))).OnDemandRotationStartDate;
}
