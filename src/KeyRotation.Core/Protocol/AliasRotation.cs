using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using KeyRotation.Core.Events;
using KeyRotation.Core.Hooks;
using KeyRotation.Core.Tagging;

namespace KeyRotation.Core.Protocol;

/// <summary>
/// The rotation of one alias, as transitions of the protocol (docs/how-it-works.md, "The rotation protocol"): read the state once,
/// then from idle claim → create → seal (copied tags, sealed, active) → (import) → check → test (the pre-move hook, docs/hooks.md) → move; the engine notifies and
/// then calls <see cref="FinishAsync"/>, which retires the old key (the marker stays on it, so the role still reaches
/// it). From claimed, recorded (an earlier version's) or moved, take the expired or released claim over and go on
/// from where its run stopped. Every visible write is fenced: a run that lost its claim, or is past its deadline,
/// stops before it and reports Skipped.
/// </summary>
internal sealed partial class AliasRotation
{
    private readonly AliasStateReader _reader;
    private readonly ClaimSteps _claims;
    private readonly ClaimedStepRunner _steps;
    private readonly SuccessorKey _successor;
    private readonly MoveSteps _moves;
    private readonly KmsCalls _calls;
    private readonly RotationOptions _options;
    private readonly TimeProvider _time;
    private readonly IRotationLog _log;
    private readonly IKeyMaterialImporter? _importer;
    private readonly ReplicaSet _replicas;
    private readonly MaterialRotation _material;
    private readonly AutomaticRotationCarryOver _carryOver;
    private readonly PreMoveTest _test;
    private readonly LifecycleEventPublisher? _events;

    public AliasRotation(IAmazonKeyManagementService kms, IAmazonKeyManagementService createKeyClient, RotationOptions options, TimeProvider time, IRotationLog log, IKeyMaterialImporter? importer, ITaggedKeyFinder? keyFinder, KmsRegionClients? regionClients = null, IHookFunctions? hooks = null, LifecycleEventPublisher? events = null)
    {
        _events = events;
        _reader = new AliasStateReader(kms);
        _claims = new ClaimSteps(kms);
        _steps = new ClaimedStepRunner(_claims, options, time, log);
        _successor = new SuccessorKey(kms, createKeyClient, options, time, keyFinder);
        _moves = new MoveSteps(kms, time);
        _calls = new KmsCalls(kms);
        _options = options;
        _time = time;
        _log = log;
        _importer = importer;
        _replicas = new ReplicaSet(kms, regionClients, _claims, _steps, options, time);
        _test = new PreMoveTest(kms, _claims, _steps, hooks, options, time, log);
        _material = new MaterialRotation(kms, createKeyClient, _claims, _steps, options, time, log, importer, _test, events);
        _carryOver = new AutomaticRotationCarryOver(kms);
    }

    public ClaimSteps Claims => _claims;

    /// <summary>
    /// The last step, after the notification (retried while authorization lags): retire the old key, naming the new one;
    /// for a move an earlier version recorded (the old key already retired) and for a material move (same key), tag the
    /// key active instead.
    /// </summary>
    public async Task FinishAsync(RotationRequest request, AliasRotationResult result, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(result);
        var newKeyId = result.NewKeyId ?? throw new ArgumentException("A rotated result names its new key.", nameof(result));
        if (result.Claim is not { } claim)
        {
            await _moves.MarkActiveAsync(newKeyId, ct);
            return;
        }

        await FenceAsync(request, claim, ct);
        await Releasing(claim, async () =>
        {
            // A material move keeps its key: there is no old key to retire, the key itself becomes active again.
            await (claim.RetiresAfterMove && result.Method != RotationMethod.Material && result.PreviousKeyId is { } previous && previous != newKeyId
                ? _moves.RetireAsync(previous, result.Alias, newKeyId, ct)
                : _moves.MarkActiveAsync(newKeyId, ct));
            return true;
        }, ct);
    }

    public async Task<AliasRotationResult> RotateAsync(RotationRequest request, string alias, CancellationToken ct)
    {
        var state = await _reader.ReadAsync(alias, request.DryRun ? request.Snapshot : null, ct);
        if (state.Phase == AliasPhase.Missing)
        {
            throw new RotationException($"Alias {alias} does not exist in this account and Region.");
        }

        var result = new AliasRotationResult
        {
            Alias = alias,
            Outcome = RotationOutcome.Failed,
            PreviousKeyId = state.Current!.KeyId,
            PreviousKeyArn = state.Current.Arn,
            KeySpec = state.Current.KeySpec?.Value,
            Generation = AliasStateReader.ReadLong(state.CurrentTags, RotationTags.Generation, 1) + (state.Phase == AliasPhase.Moved ? 0 : 1),
            Reason = string.Empty,
            PostMoveHook = MoveHookChoice.PostMove(state, _options.MoveHooks).Hook,
        };
        try
        {
            return state.Phase switch
            {
                AliasPhase.Idle or AliasPhase.MovedByHand => await StartAsync(request, state, result, ct),
                AliasPhase.Claimed or AliasPhase.Recorded or AliasPhase.Moved => await ResumeAsync(request, state, result, ct),
                AliasPhase.RollingBack => await WaitForRollbackAsync(state, result, ct),
                AliasPhase.Superseded => result with { Outcome = RotationOutcome.Skipped, NewKeyId = state.NowPointsAt, Reason = $"Another run moved {alias} to {state.NowPointsAt} while this run was reading it; nothing left to do for this run." },
                _ => result with { Reason = state.Problem ?? $"{alias} is in state {state.Phase}; nothing was changed." },
            };
        }
        catch (FencedException ex)
        {
            return result with { Outcome = RotationOutcome.Skipped, Reason = ex.Message };
        }
    }

    /// <summary>Idle (or moved by hand): decide, then claim the next marker; losing the CreateAlias race is a skip.</summary>
    private async Task<AliasRotationResult> StartAsync(RotationRequest request, AliasState state, AliasRotationResult result, CancellationToken ct)
    {
        var current = state.Current!;
        if (RotationDecisions.Refuse(state.Alias, current, _options, _importer, request.ChangeOrigin) is { } refusal)
        {
            return result with { Reason = refusal };
        }

        if (MoveHookChoice.Refusal(state, _options.MoveHooks) is { } badHook)
        {
            return result with { Reason = badHook };
        }

        if (RotationDecisions.Defer(request, current, state.CurrentTags, _time.GetUtcNow(), _options.MinKeyAge) is { } later)
        {
            return result with { Outcome = RotationOutcome.Skipped, Reason = later };
        }

        // The strategy: new material in the same key, or a new key (MaterialRotation, StrategyChoice).
        var choice = await _material.Choice.ChooseAsync(state, ct);
        if (choice.Refusal is not null || choice.Method == RotationMethod.Material)
        {
            return choice.Refusal is { } no ? result with { Reason = no } : await _material.StartAsync(request, state, choice, result, Fallback(request, state, resumed: false, result, ct), ct);
        }

        result = result with { Method = RotationMethod.NewKey, MethodReason = choice.Why };
        if (request.DryRun)
        {
            return result with { Outcome = RotationOutcome.Planned, Reason = RotationDecisions.DescribePlan(state, _options, _importer) + (choice.Why is { } why ? " (" + why + ")" : string.Empty) };
        }

        if (!await _claims.ClaimAsync(state.Marker!, current.KeyId, ct))
        {
            return result with { Outcome = RotationOutcome.Skipped, Reason = $"Another run is rotating {state.Alias} right now (it claimed {state.Marker}); this run left it alone." };
        }

        Log(RotationLogLevel.Information, $"Claimed {state.Marker}{(state.Phase == AliasPhase.MovedByHand ? $" (the alias was pointed back at {current.KeyId} by hand; this tool had moved it to {state.MovedByHandFrom})" : string.Empty)}", request, state);
        await (_events?.StartedAsync(request.RotationId, state, RotationMethod.NewKey, _time.GetUtcNow(), ct) ?? Task.CompletedTask);
        return await CompleteAsync(request, state, new RunClaim(state.Marker!, 0, current.KeyId) { Deadline = request.Deadline }, newKey: null, resumed: false, result, ct);
    }

    /// <summary>
    /// From the claim to the moved alias: create and seal the key (unless given), import, check, move. A move an earlier
    /// version recorded (marker on the new key) keeps its order: the old key is retired before the move.
    /// </summary>
    private async Task<AliasRotationResult> CompleteAsync(RotationRequest request, AliasState state, RunClaim claim, KeyMetadata? newKey, bool resumed, AliasRotationResult result, CancellationToken ct)
    {
        var current = state.Current!;
        if (newKey is null)
        {
            var created = await Releasing(claim, () => _successor.CreateAsync(request, state, ct), ct);
            Log(RotationLogLevel.Information, "Created the new key", request, state, created.KeyId);
            claim = claim with { NewKeyId = created.KeyId };
            await Releasing(claim, async () => { await _successor.SealAsync(created.KeyId, state.CurrentTags, justCreated: true, RotationTags.KeyStates.Active, ct); return true; }, ct);
            newKey = created;
        }
        else if (state.Phase == AliasPhase.Recorded && newKey == state.Recorded && !state.RecordedTags.ContainsKey(RotationTags.Sealed))
        {
            // Recorded by an earlier version of this tool (its copied tags came with CreateKey): only the seal is missing.
            var recorded = newKey;
            await Releasing(claim, async () => { await _successor.SealAsync(recorded.KeyId, new Dictionary<string, string>(), justCreated: false, finalState: null, ct); return true; }, ct);
        }

        // A recorded move's marker points at the new key (releases are written there); this version's stays on the old key.
        var recordedMove = state.Phase == AliasPhase.Recorded && newKey == state.Recorded;
        claim = recordedMove
            ? claim with { MarkerTargetKeyId = newKey.KeyId, NewKeyId = newKey.KeyId, RetiresAfterMove = false }
            : claim with { NewKeyId = newKey.KeyId };
        var key = newKey;
        var notes = (IReadOnlyList<string>)[];
        if (_importer is not null && key.Origin == OriginType.EXTERNAL)
        {
            await FenceAsync(request, claim, ct);
            notes = await Releasing(claim, () => _importer.EnsureImportedAsync(state.Alias, key, ct), ct);
        }

        var carried = await Releasing(claim, () => _carryOver.ApplyAsync(current, key, ct), ct);
        notes = [.. notes, .. carried];
        var ready = await Releasing(claim, async () => await _calls.DescribeAsync(key.KeyId, ct)
            ?? throw new RotationException($"The new key {key.KeyId} disappeared before the alias was moved; the alias still points at {current.KeyId}."), ct);
        var notReady = RotationDecisions.CheckReady(current, ready);
        if (notReady is null && _options.KeyMaterialOrigin == KeyMaterialOrigin.External && _importer is not null)
        {
            notReady = _importer.CheckImported(ready);
        }

        if (notReady is not null)
        {
            var reason = $"{notReady} The alias still points at {current.KeyId}.";
            await _claims.ReleaseAsync(claim, reason, ct);
            return result with { NewKeyId = ready.KeyId, NewKeyArn = ready.Arn, Reason = reason };
        }

        // The pre-move test, before anything else becomes visible (the replica Regions' aliases move next). Refused, the
        // release names the new key, so the next run adopts it and asks again instead of creating another.
        if (await _test.RunAsync(request, state, ready, claim, RotationMethod.NewKey, ct) is { } untested)
        {
            return await ReleasedAsync(claim, $"{untested} The alias still points at {current.KeyId}; the next run tests {ready.KeyId} again.", result with { NewKeyId = ready.KeyId, NewKeyArn = ready.Arn }, ct);
        }

        // Multi-Region: replicas, then each replica Region's alias, before this Region's alias (which moves last).
        notes = [.. notes, .. await _replicas.CompleteAsync(request, state, ready, claim, ct)];
        await FenceAsync(request, claim, ct);
        if (recordedMove)
        {
            // An earlier version's move: the role reaches the old key only through the alias, so retire it before the move.
            await Releasing(claim, async () => { await _moves.RetireAsync(current.KeyId, state.Alias, ready.KeyId, ct); return true; }, ct);
        }

        await Releasing(claim, async () => { await _moves.MoveAliasAsync(state.Alias, ready.KeyId, ct); return true; }, ct);
        Log(RotationLogLevel.Information, "Moved the alias to the new key", request, state, ready.KeyId);

        var byHand = state.MovedByHandFrom is { } from ? $" (the alias had been pointed back at {current.KeyId} by hand after this tool moved it to {from}; the chain goes on from {current.KeyId})" : string.Empty;
        return result with
        {
            Outcome = RotationOutcome.Rotated,
            NewKeyId = ready.KeyId,
            NewKeyArn = ready.Arn,
            Resumed = resumed,
            Notes = notes,
            Claim = claim,
            Reason = resumed
                ? $"Finished an interrupted rotation: {state.Alias} now points at {ready.KeyId}; {current.KeyId} stays enabled for decryption."
                : $"{state.Alias} now points at the new key {ready.KeyId}; {current.KeyId} stays enabled for decryption{byHand}.",
        };
    }

    /// <summary>Goes on with a new key under a material move's claim (auto, after KMS refused the rotation).</summary>
    private NewKeyFallback Fallback(RotationRequest request, AliasState state, bool resumed, AliasRotationResult result, CancellationToken ct) =>
        (claim, why) => CompleteAsync(request, state, claim, newKey: null, resumed, result with { Method = RotationMethod.NewKey, MethodReason = why }, ct);

    private async Task<AliasRotationResult> ReleasedAsync(RunClaim claim, string reason, AliasRotationResult result, CancellationToken ct)
    {
        await _claims.ReleaseAsync(claim, reason, ct);
        return result with { Reason = reason };
    }

    private Task FenceAsync(RotationRequest request, RunClaim claim, CancellationToken ct) =>
        _claims.FenceAsync(claim, request.Deadline, _time.GetUtcNow(), ct);

    private Task<T> Releasing<T>(RunClaim claim, Func<Task<T>> step, CancellationToken ct, bool retryDenied = true) =>
        _steps.RunAsync(claim, step, retryDenied, ct);

    private void Log(RotationLogLevel level, string message, RotationRequest request, AliasState state, string? newKeyId = null) =>
        _log.Write(new RotationLogEntry(level, message, request.RotationId, state.Alias, state.Current?.KeyId, newKeyId));
}
