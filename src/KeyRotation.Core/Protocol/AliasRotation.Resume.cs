using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;

namespace KeyRotation.Core.Protocol;

/// <summary>The takeover paths of <see cref="AliasRotation"/>: another run's claimed, recorded or moved work, and a rollback under way.</summary>
internal sealed partial class AliasRotation
{
    /// <summary>
    /// A rollback is under way: while its claim is fresh it is working, and the rotation waits (Skipped); once the
    /// claim expired it died, and only running the rollback again finishes it (Failed, saying so).
    /// </summary>
    private async Task<AliasRotationResult> WaitForRollbackAsync(AliasState state, AliasRotationResult result, CancellationToken ct)
    {
        if (state.Marker is not null)
        {
            var claim = await _claims.ReadAsync(state, ct);
            if (claim.Age < _options.ClaimTimeout)
            {
                return result with { Outcome = RotationOutcome.Skipped, Reason = $"A rollback of {state.Alias} is in progress ({ClaimSteps.Describe(claim)}); the next run rotates once it finished." };
            }
        }

        return result with { Reason = state.Problem! };
    }

    /// <summary>Claimed, recorded or moved: another run's work. Left alone while its claim is fresh; taken over once it expired or was released.</summary>
    private async Task<AliasRotationResult> ResumeAsync(RotationRequest request, AliasState state, AliasRotationResult result, CancellationToken ct)
    {
        var current = state.Current!;
        if (state.Phase == AliasPhase.Moved && current.KeyState != KeyState.Enabled)
        {
            return result with { Reason = $"{state.Alias} points at its new key {current.KeyId}, which is {current.KeyState}, not Enabled: enable it (or cancel its deletion) so encryption through the alias works, then run again to finish the rotation." };
        }

        // A recorded key already has its origin: the run that created it decided (perhaps told to change origin).
        if (state.Phase != AliasPhase.Moved && RotationDecisions.Refuse(state.Alias, current, _options, _importer, request.ChangeOrigin || state.Phase == AliasPhase.Recorded) is { } refusal)
        {
            return result with { Reason = refusal };
        }

        var claim = await _claims.ReadAsync(state, ct);
        var what = state.Phase switch
        {
            AliasPhase.Claimed => "it has not moved the alias yet",
            AliasPhase.Recorded => $"it recorded the new key {state.Recorded!.KeyId} and has not moved the alias yet",
            _ => $"it moved the alias to {current.KeyId} and has not finished",
        };
        if (!claim.Released && claim.Age < _options.ClaimTimeout)
        {
            return result with
            {
                Outcome = RotationOutcome.Skipped,
                Reason = $"Another run is rotating {state.Alias} ({ClaimSteps.Describe(claim)}; {what}). If that run died, a run after {RecordedTime.Format(claim.ClaimedAt + _options.ClaimTimeout)} (KMS time) finishes it.",
            };
        }

        var cause = claim.LastFailure is { Length: > 0 } last ? $" The last run that gave up reported: {last}" : string.Empty;
        if (request.DryRun)
        {
            return result with { Outcome = RotationOutcome.Planned, Reason = $"Would take over and finish the rotation of {state.Alias} that an earlier run claimed ({ClaimSteps.Describe(claim)}; {what}).{cause}" };
        }

        if (claim.Rank >= ClaimSteps.MaxTakeovers)
        {
            return result with
            {
                Reason = $"The rotation of {state.Alias} was taken over {claim.Rank} times without finishing; KMS allows no more claims on that key.{cause} " +
                    $"Fix the cause, then run 'keyrotation unlock {state.Alias} --yes' with credentials that may delete aliases (it removes the takeover aliases of {state.Marker}); the next run goes on.",
            };
        }

        if (!await _claims.TakeOverAsync(state.Marker!, claim, state.MarkerTargetKeyId!, ct))
        {
            return result with { Outcome = RotationOutcome.Skipped, Reason = $"Another run is taking over the unfinished rotation of {state.Alias} right now; this run left it alone." };
        }

        var held = new RunClaim(state.Marker!, claim.Rank + 1, state.MarkerTargetKeyId!) { Deadline = request.Deadline, RetiresAfterMove = state.Phase != AliasPhase.Recorded && state.RetiresAfterMove };
        Log(RotationLogLevel.Warning, $"Took over the {(claim.Released ? "released" : "expired")} claim {claim.Holder} with {held.Holder}", request, state);
        result = result with { Method = RotationMethod.NewKey };
        if (state.Phase == AliasPhase.Moved)
        {
            return MaterialRotation.IsMaterialMove(state.CurrentTags, state.Move)
                ? await _material.ResumeAsync(request, state, held, result, fallback: null, ct)
                : await FinishMovedAsync(request, state, held, result, ct);
        }

        var newKey = state.Phase == AliasPhase.Recorded ? state.Recorded : null;
        if (state.Phase == AliasPhase.Claimed && await Releasing(held, () => _successor.FindUnrecordedAsync(state, claim, ct), ct, retryDenied: false) is { } orphan)
        {
            // The run that claimed created its key and died or gave up before moving the alias to it: adopt that key.
            await Releasing(held, async () => { await _successor.SealAsync(orphan.KeyId, state.CurrentTags, justCreated: false, RotationTags.KeyStates.Active, ct); return true; }, ct);
            Log(RotationLogLevel.Warning, $"Adopted key {orphan.KeyId}, created by a run that died or gave up before moving the alias to it", request, state, orphan.KeyId);
            newKey = orphan;
        }
        else if (state.Phase == AliasPhase.Claimed)
        {
            // No key was created for the move: it goes on as a material move if it was one, or as the strategy says now.
            var choice = await Releasing(held, () => _material.ChooseForTakeoverAsync(state, ct), ct);
            if (choice.Refusal is not null || choice.Method == RotationMethod.Material)
            {
                return choice.Refusal is { } no
                    ? await ReleasedAsync(held, no, result, ct)
                    : await _material.ResumeAsync(request, state, held, result, Fallback(request, state, resumed: true, result, ct), ct);
            }

            result = result with { MethodReason = choice.Why };
        }

        return await CompleteAsync(request, state, held, newKey, resumed: true, result, ct);
    }

    /// <summary>
    /// The alias already moved: only the notification and the last step (retiring the old key; for an earlier version's
    /// move, the active tag) are left, which the engine does. The previous key is only described for the notification's
    /// ARN: once an earlier version's move went through, the role may no longer reach it (its grants hang on the aliases
    /// pointing at a key), so that is best effort: without it the notification names the key id only.
    /// </summary>
    private async Task<AliasRotationResult> FinishMovedAsync(RotationRequest request, AliasState state, RunClaim claim, AliasRotationResult result, CancellationToken ct)
    {
        var current = state.Current!;
        var previous = state.FromKeyId;
        KeyMetadata? previousKey = null;
        try
        {
            previousKey = previous is null ? null : await _calls.DescribeAsync(previous, ct);
        }
        catch (RotationException)
        {
        }

        var notes = (IReadOnlyList<string>)[];
        await FenceAsync(request, claim, ct);
        if (_importer is not null && current.Origin == OriginType.EXTERNAL)
        {
            // Already imported: this only names the escrow copy for the notification.
            notes = await Releasing(claim, () => _importer.EnsureImportedAsync(state.Alias, current, ct), ct);
        }

        return result with
        {
            Outcome = RotationOutcome.Rotated,
            PreviousKeyId = previous,
            PreviousKeyArn = previousKey?.Arn,
            NewKeyId = current.KeyId,
            NewKeyArn = current.Arn,
            Resumed = true,
            Notes = notes,
            Claim = claim,
            Reason = $"Finished an interrupted rotation: {state.Alias} already pointed at {current.KeyId}; sent the notification{(claim.RetiresAfterMove ? $" and retired {previous}" : string.Empty)}.",
        };
    }
}
