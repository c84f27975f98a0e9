namespace KeyRotation.Core.Hooks;

/// <summary>How a hook function is invoked: waiting for its answer (the pre-move test), or handed over to run on its own (after the move).</summary>
public enum HookInvocation
{
    /// <summary>Synchronous (Lambda's RequestResponse): the answer is the function's result.</summary>
    RequestResponse,

    /// <summary>Asynchronous (Lambda's Event): accepted for running later; there is no answer to read.</summary>
    Event,
}

/// <summary>What a hook function answered.</summary>
/// <param name="Payload">The function's result (RequestResponse), or empty (Event).</param>
/// <param name="FunctionError">Set when the function itself failed (Lambda's X-Amz-Function-Error: Unhandled, Handled...): the payload then describes the error.</param>
/// <param name="LogTail">The end of the function's log, when the transport returns it (Lambda's X-Amz-Log-Result, decoded).</param>
public sealed record HookAnswer(string Payload, string? FunctionError = null, string? LogTail = null);

/// <summary>
/// The transport that invokes hook functions: Lambda Invoke in the function (Integrations/Hooks), an in-process hook in
/// the sandbox and the tests. Throws <see cref="HookInvocationException"/> when the call itself failed (refused, not
/// found, throttled, no answer); honours the token, which carries the hook's timeout.
/// </summary>
public interface IHookFunctions
{
    Task<HookAnswer> InvokeAsync(MoveHookArn hook, string payload, HookInvocation invocation, CancellationToken ct);
}

/// <summary>A hook function could not be invoked; the message says why in the transport's own words.</summary>
public sealed class HookInvocationException : Exception
{
    public HookInvocationException(string message)
        : base(message)
    {
    }

    public HookInvocationException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public HookInvocationException()
    {
    }
}
