namespace KeyRotation.Core.Events;

/// <summary>Puts lifecycle events somewhere rules can act on them: EventBridge in Lambda, a recorder in the CLI sandbox.</summary>
public interface ILifecycleEventSink
{
    /// <summary>Puts every event; retries what can be retried.</summary>
    /// <exception cref="LifecycleEventsException">Some events could not be put; the message names each and why.</exception>
    Task PutAsync(IReadOnlyList<LifecycleEvent> events, CancellationToken cancellationToken);
}

/// <summary>Events could not be put (after the sink's retries); the message says which and why, in the service's words.</summary>
public sealed class LifecycleEventsException : Exception
{
    public LifecycleEventsException(string message)
        : base(message)
    {
    }

    public LifecycleEventsException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public LifecycleEventsException()
    {
    }
}
