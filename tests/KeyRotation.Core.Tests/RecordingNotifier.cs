namespace KeyRotation.Core.Tests;

/// <summary>Keeps every notice the engine sends, or fails each one with <see cref="Failure"/> when it is set.</summary>
internal sealed class RecordingNotifier : IRotationNotifier
{
    private readonly Lock _gate = new();

    public List<RotationNotice> Notices { get; } = [];

    public Exception? Failure { get; set; }

    public Task NotifyAsync(RotationNotice notice, CancellationToken cancellationToken)
    {
        if (Failure is not null)
        {
            return Task.FromException(Failure);
        }

        lock (_gate)
        {
            Notices.Add(notice);
        }

        return Task.CompletedTask;
    }
}
