namespace KeyRotation.Core.Hooks;

/// <summary>
/// The post-move hook (docs/hooks.md): after the move, and before the notification, the alias's post-move hook is handed
/// the move (Lambda's Event invocation: it runs on its own, nothing waits for its result). Its failure never undoes the
/// move: it is logged, returned in the response and carried by the notification. A run that takes a moved alias over
/// invokes it again, so a hook may see one move more than once.
/// </summary>
internal sealed class AfterMoveHook
{
    private const string What = "post-move hook";

    private readonly IHookFunctions? _functions;
    private readonly RotationOptions _options;
    private readonly TimeProvider _time;
    private readonly IRotationLog _log;

    public AfterMoveHook(IHookFunctions? functions, RotationOptions options, TimeProvider time, IRotationLog log)
    {
        _functions = functions;
        _options = options;
        _time = time;
        _log = log;
    }

    /// <summary>The result as it was, or with <see cref="AliasRotationResult.PostMoveHookError"/> and a note saying why the hook was not reached.</summary>
    public async Task<AliasRotationResult> RunAsync(RotationRequest request, AliasRotationResult result, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(result);
        if (result.Outcome != RotationOutcome.Rotated || result.PostMoveHook is not { } hook)
        {
            return result;
        }

        var payload = new MoveHookPayload(MoveHookPayload.AfterMove, result.Alias, result.NewKeyArn, result.PreviousKeyArn, RotationStrategyNames.Name(result.Method ?? RotationMethod.NewKey), request.RotationId);
        var (answer, failure) = await HookCall.InvokeAsync(_functions, hook, What, payload, HookInvocation.Event, _options.MoveHooks, request.Deadline, _time, ct);
        failure ??= answer!.FunctionError is { } functionError ? $"The {What} {hook} failed ({functionError}): {MoveHookAnswer.Quote(answer.Payload)}" : null;
        if (failure is null)
        {
            Write(RotationLogLevel.Information, $"Handed the move to the {What} {hook}", request, result);
            return result;
        }

        var error = $"{failure} The move stands; run the hook's work by hand if it matters.";
        Write(RotationLogLevel.Error, error, request, result);
        return result with { PostMoveHookError = error, Notes = [.. result.Notes, error] };
    }

    private void Write(RotationLogLevel level, string message, RotationRequest request, AliasRotationResult result) =>
        _log.Write(new RotationLogEntry(level, message, request.RotationId, result.Alias, result.PreviousKeyId, result.NewKeyId));
}
