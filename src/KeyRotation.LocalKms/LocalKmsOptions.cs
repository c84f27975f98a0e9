namespace KeyRotation.LocalKms;

/// <summary>Start-up settings of a <see cref="LocalKmsService"/>; every switch is off by default so unit tests stay fast.</summary>
public sealed class LocalKmsOptions
{
    /// <summary>Account id used in ARNs and the default key policy.</summary>
    public string AccountId { get; init; } = "111122223333";

    /// <summary>Region used in ARNs.</summary>
    public string Region { get; init; } = "us-east-1";

    /// <summary>Answer ThrottlingException when an operation exceeds its request quota.</summary>
    public bool EnforceQuotas { get; init; }

    /// <summary>Delay added to every call (through the service's TimeProvider).</summary>
    public TimeSpan Latency { get; init; } = TimeSpan.Zero;

    /// <summary>Requests per second per operation (or quota group name), replacing the KMS defaults.</summary>
    public IReadOnlyDictionary<string, double> QuotaOverrides { get; init; } = new Dictionary<string, double>();

    /// <summary>
    /// From when GetKeyLastUsage records key use (null: <see cref="LocalKmsService.DefaultTrackingStartDate"/>, the
    /// day KMS released it). A key created earlier answers this date as its TrackingStartDate.
    /// </summary>
    public DateTimeOffset? TrackingStartDate { get; init; }
}
