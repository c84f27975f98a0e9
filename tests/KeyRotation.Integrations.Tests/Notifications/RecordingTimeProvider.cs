using System.Threading.Channels;
using Microsoft.Extensions.Time.Testing;

namespace KeyRotation.Integrations.Tests.Notifications;

/// <summary>
/// A FakeTimeProvider that records each timer's due time and signals its creation, so a test can wait until
/// the client is really in its backoff before advancing the clock (no sleeps, no races).
/// </summary>
internal sealed class RecordingTimeProvider(DateTimeOffset start) : FakeTimeProvider(start)
{
    private readonly Channel<TimeSpan> _timerCreated = Channel.CreateUnbounded<TimeSpan>();

    public List<TimeSpan> TimerDueTimes { get; } = [];

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = base.CreateTimer(callback, state, dueTime, period);
        lock (TimerDueTimes)
        {
            TimerDueTimes.Add(dueTime);
        }

        _timerCreated.Writer.TryWrite(dueTime);
        return timer;
    }

    /// <summary>Waits (bounded, in real time, only as a guard against a hung test) for the next timer.</summary>
    public async Task WaitForTimerAsync()
    {
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            await _timerCreated.Reader.ReadAsync(guard.Token);
        }
        catch (OperationCanceledException e)
        {
            throw new TimeoutException("The client never started a backoff delay.", e);
        }
    }
}
