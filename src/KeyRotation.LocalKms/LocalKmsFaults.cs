namespace KeyRotation.LocalKms;

/// <summary>
/// Fault injection on cue. Calls are counted per operation (1-based, every call counts, including
/// failed ones); a fault fires before the operation reads or changes any key state, except
/// <see cref="ThrowAfterNth"/>, which lets the call take effect and then loses its answer.
/// </summary>
public sealed class LocalKmsFaults
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, int> _calls = new(StringComparer.Ordinal);
    private readonly List<Rule> _rules = [];

    /// <summary>Answer the n-th call (1-based) of <paramref name="operation"/> with a KMS error.</summary>
    public void FailNth(string operation, int n, string errorCode, string message = "Injected fault", int statusCode = 400)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(n, 1);
        Add(new Rule(operation, n, Error: new(errorCode, message, statusCode)));
    }

    /// <summary>Answer every call of <paramref name="operation"/> with a KMS error until <see cref="Clear"/>.</summary>
    public void FailEvery(string operation, string errorCode, string message = "Injected fault", int statusCode = 400) =>
        Add(new Rule(operation, null, Error: new(errorCode, message, statusCode)));

    /// <summary>The n-th call never completes; it ends only when the caller cancels.</summary>
    public void HangNth(string operation, int n)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(n, 1);
        Add(new Rule(operation, n, Hang: true));
    }

    /// <summary>
    /// The n-th call throws <paramref name="exception"/> out of the handler (in process it propagates
    /// out of the SDK call; over HTTP it becomes a 500 KMSInternalException).
    /// </summary>
    public void ThrowNth(string operation, int n, Exception exception)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(n, 1);
        ArgumentNullException.ThrowIfNull(exception);
        Add(new Rule(operation, n, Throw: exception));
    }

    /// <summary>
    /// The n-th call takes effect, then throws <paramref name="exception"/> instead of answering: the caller dies
    /// (or times out) after KMS did the work, as a Lambda that runs out of time mid-call does.
    /// </summary>
    public void ThrowAfterNth(string operation, int n, Exception exception)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(n, 1);
        ArgumentNullException.ThrowIfNull(exception);
        Add(new Rule(operation, n, ThrowAfter: exception));
    }

    /// <summary>How many calls of <paramref name="operation"/> arrived so far.</summary>
    public int CallCount(string operation)
    {
        lock (_gate)
        {
            return _calls.GetValueOrDefault(operation);
        }
    }

    /// <summary>Removes every rule; call counts are kept.</summary>
    public void Clear()
    {
        lock (_gate)
        {
            _rules.Clear();
        }
    }

    /// <summary>Counts the call and applies a fault that fires before it; returns the exception to throw after it, if any.</summary>
    internal async Task<Exception?> CountAndApplyAsync(string operation, CancellationToken cancellationToken)
    {
        Rule? hit;
        lock (_gate)
        {
            var n = _calls.GetValueOrDefault(operation) + 1;
            _calls[operation] = n;
            hit = _rules.FirstOrDefault(r => r.Operation == operation && (r.Nth is null || r.Nth == n));
        }

        if (hit is null)
        {
            return null;
        }

        if (hit.Hang)
        {
            await Task.Delay(Timeout.InfiniteTimeSpan, cancellationToken);
        }

        if (hit.Throw is not null)
        {
            throw hit.Throw;
        }

        if (hit.Error is not null)
        {
            throw hit.Error;
        }

        return hit.ThrowAfter;
    }

    private void Add(Rule rule)
    {
        ArgumentException.ThrowIfNullOrEmpty(rule.Operation);
        lock (_gate)
        {
            _rules.Add(rule);
        }
    }

    private sealed record Rule(string Operation, int? Nth, KmsErrorException? Error = null, bool Hang = false, Exception? Throw = null, Exception? ThrowAfter = null);
}
