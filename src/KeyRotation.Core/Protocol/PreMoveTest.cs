using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using KeyRotation.Core.Hooks;

namespace KeyRotation.Core.Protocol;

/// <summary>
/// The pre-move test, the protocol's step between "the new generation is ready" and the move (docs/hooks.md): the alias's
/// pre-move hook is asked, synchronously, whether the new key may become current. Accepted, the key the move starts from
/// is tagged <see cref="RotationTags.Tested"/> with the move's number before the move, so a run that takes the move over
/// after a crash moves without asking again. Refused (or failed, timed out, answered malformed), nothing more is written:
/// the caller releases its claim naming the new key, and the next run adopts that same key and asks again.
/// </summary>
internal sealed class PreMoveTest
{
    private const string What = "pre-move hook";

    private readonly KmsCalls _calls;
    private readonly ClaimSteps _claims;
    private readonly ClaimedStepRunner _steps;
    private readonly IHookFunctions? _functions;
    private readonly RotationOptions _options;
    private readonly TimeProvider _time;
    private readonly IRotationLog _log;

    public PreMoveTest(IAmazonKeyManagementService kms, ClaimSteps claims, ClaimedStepRunner steps, IHookFunctions? functions, RotationOptions options, TimeProvider time, IRotationLog log)
    {
        _calls = new KmsCalls(kms);
        _claims = claims;
        _steps = steps;
        _functions = functions;
        _options = options;
        _time = time;
        _log = log;
    }

    /// <summary>
    /// Null when the move may go on (no hook for the alias, this move already tested, or the hook accepted
    /// <paramref name="newKey"/> now); else why not, in words that name the hook.
    /// </summary>
    public async Task<string?> RunAsync(RotationRequest request, AliasState state, KeyMetadata newKey, RunClaim claim, RotationMethod method, CancellationToken ct)
    {
        var (hook, refusal) = MoveHookChoice.PreMove(state, _options.MoveHooks);
        if (refusal is not null || hook is null)
        {
            return refusal;
        }

        var from = state.Current!;
        if (KeyRecord.From(state.CurrentTags).TestedMove == state.Move)
        {
            Log(RotationLogLevel.Information, $"The {What} {hook} already accepted {newKey.KeyId} for move {state.Move}; moving without asking again", request, state, newKey.KeyId);
            return null;
        }

        // Invoking the hook is visible (it acts with the new key): only the run that still holds the claim does it.
        await _claims.FenceAsync(claim, request.Deadline, _time.GetUtcNow(), ct);
        var payload = new MoveHookPayload(MoveHookPayload.TestNewKey, state.Alias, newKey.Arn, from.Arn, RotationStrategyNames.Name(method), request.RotationId);
        var (answer, failure) = await HookCall.InvokeAsync(_functions, hook, What, payload, HookInvocation.RequestResponse, _options.MoveHooks, request.Deadline, _time, ct);
        if (answer?.LogTail is { Length: > 0 } tail)
        {
            Log(RotationLogLevel.Information, $"The {What} {hook} logged: {tail}", request, state, newKey.KeyId);
        }

        if ((failure ?? MoveHookAnswer.Refusal(hook, answer!)) is { } why)
        {
            Log(RotationLogLevel.Warning, why, request, state, newKey.KeyId);
            return why;
        }

        await _steps.RunAsync(claim, async () => { await _calls.TagAsync(from.KeyId, KeyRecordTags.Tested(state.Move), ct); return true; }, retryDenied: true, ct);
        Log(RotationLogLevel.Information, $"The {What} {hook} accepted {newKey.KeyId}", request, state, newKey.KeyId);
        return null;
    }

    private void Log(RotationLogLevel level, string message, RotationRequest request, AliasState state, string newKeyId) =>
        _log.Write(new RotationLogEntry(level, message, request.RotationId, state.Alias, state.Current?.KeyId, newKeyId));
}
