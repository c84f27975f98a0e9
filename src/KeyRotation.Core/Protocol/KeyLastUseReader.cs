using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using Amazon.Runtime;

namespace KeyRotation.Core.Protocol;

/// <summary>
/// The one reader of GetKeyLastUsage: classifies the answer into the API reference's cases (<see cref="KeyLastUse"/>).
/// A failed call is an <see cref="KeyLastUse.Unreadable"/> answer, never an exception and never "unused".
/// </summary>
internal static class KeyLastUseReader
{
    /// <summary>The last use of the key named by its key id or ARN (GetKeyLastUsage does not take alias names).</summary>
    public static async Task<KeyLastUse> ReadAsync(IAmazonKeyManagementService kms, string keyIdOrArn, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(kms);
        GetKeyLastUsageResponse answer;
        try
        {
            answer = await kms.GetKeyLastUsageAsync(new GetKeyLastUsageRequest { KeyId = keyIdOrArn }, ct);
        }
        catch (AmazonServiceException ex)
        {
            return new KeyLastUse.Unreadable($"GetKeyLastUsage failed: {ex.ErrorCode ?? ex.StatusCode.ToString()}: {ex.Message}");
        }
        catch (AmazonClientException ex)
        {
            return new KeyLastUse.Unreadable($"GetKeyLastUsage failed: {ex.Message}");
        }
        catch (HttpRequestException ex)
        {
            return new KeyLastUse.Unreadable($"GetKeyLastUsage failed: {ex.Message}");
        }

        return Classify(answer);
    }

    /// <summary>The API reference's three cases; an answer without the dates it needs proves nothing.</summary>
    public static KeyLastUse Classify(GetKeyLastUsageResponse answer)
    {
        ArgumentNullException.ThrowIfNull(answer);
        if (answer.KeyLastUsage is { Timestamp: { } at } usage)
        {
            return new KeyLastUse.Used(usage.Operation ?? "an unnamed operation", Utc(at), usage.CloudTrailEventId, usage.KmsRequestId);
        }

        if (answer.TrackingStartDate is not { } tracking || answer.KeyCreationDate is not { } created)
        {
            return new KeyLastUse.Unreadable("GetKeyLastUsage answered without TrackingStartDate or KeyCreationDate");
        }

        return Utc(created) >= Utc(tracking)
            ? new KeyLastUse.NeverUsed(Utc(created))
            : new KeyLastUse.UnusedSinceTracking(Utc(tracking));
    }

    private static DateTimeOffset Utc(DateTime time) => new(DateTime.SpecifyKind(time, DateTimeKind.Utc));
}
