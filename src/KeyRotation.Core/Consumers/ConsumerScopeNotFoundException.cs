namespace KeyRotation.Core.Consumers;

/// <summary>
/// What an operator asked to scan does not exist (a bucket, or a prefix with no object under it): bad input, so the
/// command stops with a one-line error naming it (exit 2) and nothing is changed.
/// </summary>
public sealed class ConsumerScopeNotFoundException : Exception
{
    public ConsumerScopeNotFoundException(string message)
        : base(message)
    {
    }

    public ConsumerScopeNotFoundException()
    {
    }

    public ConsumerScopeNotFoundException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
