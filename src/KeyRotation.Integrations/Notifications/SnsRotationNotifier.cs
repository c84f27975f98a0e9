namespace KeyRotation.Integrations.Notifications;

/// <summary>
/// Publishes rotation notices to the notification topic. SNS's own failures become <see cref="NotificationFailedException"/>,
/// so the engine and the rollback never see the transport's exception types.
/// </summary>
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
        try
        {
            await _publisher.PublishAsync(new SnsMessage(_topic, notice.Body, notice.Subject, notice.Attributes), cancellationToken);
        }
        catch (SnsPublishException ex)
        {
            throw new NotificationFailedException(ex.Message, ex);
        }
    }
}
