namespace KeyRotation.Core.Notifications;

/// <summary>Publishes one notification to SNS; the seam the rotation engine depends on.</summary>
public interface ISnsPublisher
{
    /// <summary>Publishes <paramref name="message"/> and returns the MessageId SNS assigned to it.</summary>
    /// <exception cref="SnsPublishException">SNS refused the message, or every attempt failed.</exception>
    Task<string> PublishAsync(SnsMessage message, CancellationToken ct);
}
