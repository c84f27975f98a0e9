namespace KeyRotation.Core.Retention;

/// <summary>
/// A KMS call that failed because the key is disabled or pending deletion, as CloudTrail recorded it: the key, the
/// call, the error and who made it.
/// </summary>
public sealed record AttemptedUse
{
    /// <summary>CloudTrail's errorCode values for a key that is disabled or pending deletion.</summary>
    public static IReadOnlyList<string> ErrorCodes { get; } = ["DisabledException", "KMSInvalidStateException"];

    /// <summary>Key id, key ARN or alias the call named.</summary>
    public required string Key { get; init; }

    public required string EventName { get; init; }

    public required string ErrorCode { get; init; }

    /// <summary>userIdentity.arn (or its principal id, or type, when there is no ARN).</summary>
    public required string UsedBy { get; init; }

    public DateTimeOffset? EventTime { get; init; }
}
