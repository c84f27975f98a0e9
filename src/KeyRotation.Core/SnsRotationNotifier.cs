using KeyRotation.Core.Notifications;

namespace KeyRotation.Core;

/// <summary>Publishes rotation notices to the notification topic.</summary>
public sealed class SnsRotationNotifier : IRotationNotifier
{
    private readonly ISnsPublisher _publisher;
    private readonly NotificationTopicArn _topic;

    public SnsRotationNotifier(ISnsPublisher publisher, NotificationTopicArn topic)
    {
        _publisher = publisher;
        _topic = topic;
    }

    public async Task NotifyAsync(RotationNotice notice, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(notice);
        await _publisher.PublishAsync(new SnsMessage(_topic, notice.Body, notice.Subject, notice.Attributes), cancellationToken);
    }
}
