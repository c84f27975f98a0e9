using System.Globalization;
using KeyRotation.Core.Configuration;

namespace KeyRotation.Core.Hooks;

/// <summary>
/// One hook invocation within its bound: the configured timeout (MOVE_HOOK_TIMEOUT_SECONDS), never past the run's
/// deadline, measured on the run's clock. A failure of the call itself (refused, not found, no answer, too slow) comes
/// back as words, as a hook's own refusal does; only the run's own cancellation propagates.
/// </summary>
internal static class HookCall
{
    public static async Task<(HookAnswer? Answer, string? Failure)> InvokeAsync(
        IHookFunctions? functions, MoveHookArn hook, string what, MoveHookPayload payload, HookInvocation invocation, MoveHookOptions options, DateTimeOffset? deadline, TimeProvider time, CancellationToken ct)
    {
        if (functions is null)
        {
            return (null, $"The {what} {hook} is configured, but this run cannot invoke hook functions; nothing was sent to it.");
        }

        var bound = options.Timeout;
        if (deadline is { } end && end - time.GetUtcNow() < bound)
        {
            bound = end - time.GetUtcNow();
        }

        if (bound <= TimeSpan.Zero)
        {
            return (null, $"The run's deadline passed before the {what} {hook} could be invoked; the next run invokes it.");
        }

        using var timeout = new CancellationTokenSource(bound, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, timeout.Token);
        try
        {
            return (await functions.InvokeAsync(hook, payload.ToJson(), invocation, linked.Token), null);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return (null, string.Create(CultureInfo.InvariantCulture, $"The {what} {hook} did not answer within {bound.TotalSeconds:0.###} s ({SettingNames.MoveHookTimeoutSeconds}, or the run's deadline)."));
        }
        catch (HookInvocationException ex)
        {
            return (null, $"The {what} {hook} could not be invoked: {ex.Message}");
        }
    }
}
