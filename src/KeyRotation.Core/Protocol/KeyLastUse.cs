using System.Globalization;

namespace KeyRotation.Core.Protocol;

/// <summary>
/// What KMS's GetKeyLastUsage proves about a key's use, in the API reference's three cases, plus a read that failed.
/// Retention retires only on proof (<see cref="ProvenUnusedFor"/>); the report shows <see cref="Describe"/>.
/// Primary and replica keys of a multi-Region set track their use independently: read each one.
/// </summary>
internal abstract record KeyLastUse
{
    private KeyLastUse()
    {
    }

    /// <summary>How long non-use is proven at <paramref name="now"/>; null when it is not proven at all.</summary>
    public abstract TimeSpan? ProvenUnusedFor(DateTimeOffset now);

    /// <summary>True when the key is proven unused for at least <paramref name="window"/>.</summary>
    public bool IsProvenUnusedFor(TimeSpan window, DateTimeOffset now) => ProvenUnusedFor(now) is { } unused && unused >= window;

    /// <summary>One line for people: "used by Decrypt at 2026-11-30T10:04:00Z (CloudTrail event ...)".</summary>
    public abstract string Describe();

    /// <summary>The usage record is present: the key was used at <paramref name="At"/>.</summary>
    public sealed record Used(string Operation, DateTimeOffset At, string? CloudTrailEventId, string? KmsRequestId) : KeyLastUse
    {
        public override TimeSpan? ProvenUnusedFor(DateTimeOffset now) => now - At;

        public override string Describe() => string.Create(
            CultureInfo.InvariantCulture,
            $"used by {Operation} at {RecordedTime.Format(At)}{(CloudTrailEventId is null ? string.Empty : $" (CloudTrail event {CloudTrailEventId})")}");
    }

    /// <summary>The record is empty and the key was created on or after tracking began: never used since creation.</summary>
    public sealed record NeverUsed(DateTimeOffset CreatedAt) : KeyLastUse
    {
        public override TimeSpan? ProvenUnusedFor(DateTimeOffset now) => now - CreatedAt;

        public override string Describe() => $"never used since its creation at {RecordedTime.Format(CreatedAt)}";
    }

    /// <summary>
    /// The record is empty but the key is older than tracking: unused since <paramref name="TrackingStart"/>, unknown
    /// before. Non-use is proven only for the window since tracking began.
    /// </summary>
    public sealed record UnusedSinceTracking(DateTimeOffset TrackingStart) : KeyLastUse
    {
        public override TimeSpan? ProvenUnusedFor(DateTimeOffset now) => now - TrackingStart;

        public override string Describe() =>
            $"no use recorded since tracking began at {RecordedTime.Format(TrackingStart)} (unknown before: the key is older)";
    }

    /// <summary>GetKeyLastUsage failed (access denied, unsupported endpoint, throttled past retries): nothing proven.</summary>
    public sealed record Unreadable(string Reason) : KeyLastUse
    {
        public override TimeSpan? ProvenUnusedFor(DateTimeOffset now) => null;

        public override string Describe() => $"last use unknown: {Reason}";
    }
}
