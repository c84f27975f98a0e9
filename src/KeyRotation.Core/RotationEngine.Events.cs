using KeyRotation.Core.Events;

namespace KeyRotation.Core;

/// <summary>The engine's lifecycle events: after the notice, the same result as an event; a failure is reported beside the result, never in it.</summary>
public sealed partial class RotationEngine
{
    /// <summary>
    /// Puts Key Rotated or Key Rotation Failed for a rotated or failed alias whose notice went out (not after a dry run,
    /// nor when the run lost its claim before the notice), and reports any failure of this alias's events, the started
    /// event included, as <see cref="AliasRotationResult.EventError"/>: the outcome stays as it is.
    /// </summary>
    private async Task<AliasRotationResult> PutEventsAsync(RotationRequest request, AliasRotationResult result, CancellationToken ct)
    {
        if (_events is null)
        {
            return result;
        }

        var earlier = _events.TakeEarlierFailure(request.RotationId, result.Alias);
        var now = !request.DryRun && LifecycleEvents.ForRotation(result, request.RotationId, _time.GetUtcNow()) is { } lifecycleEvent
            ? await _events.PutAsync([lifecycleEvent], request.RotationId, result.Alias, ct)
            : null;
        var error = earlier is null ? now : now is null ? earlier : earlier + " " + now;
        return error is null ? result : result with { EventError = error };
    }
}
