using System.Globalization;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;

namespace KeyRotation.Core.Protocol;

/// <summary>
/// A move of the strategy material: the alias stays on its key, which gets new key material (RotateKeyOnDemand). It
/// uses the protocol as a new-key move does: the move's marker claims it (pointing at the same key), so one run wins;
/// the key is tagged with the move and its KeyMaterialId before the rotation (<see cref="RotationTags.MaterialMove"/>,
/// <see cref="RotationTags.MaterialFrom"/>), so a run that takes the move over sees from DescribeKey's
/// CurrentKeyMaterialId whether the rotation happened and never rotates twice; completion tags the key with the move's
/// sequence (the reader then walks on from the next marker) and state pending until the notification went out.
/// </summary>
internal sealed partial class MaterialRotation
{
    private static readonly TimeSpan MaxPollDelay = TimeSpan.FromSeconds(30);

    /// <summary>Polls of one run while a rotation is in progress (KMS's on-demand rotations usually take seconds).</summary>
    private const int MaxPolls = 40;

    private readonly IAmazonKeyManagementService _kms;
    private readonly IAmazonKeyManagementService _noRetryClient;
    private readonly KmsCalls _calls;
    private readonly ClaimSteps _claims;
    private readonly ClaimedStepRunner _steps;
    private readonly StrategyChoice _choice;
    private readonly RotationOptions _options;
    private readonly TimeProvider _time;
    private readonly IRotationLog _log;
    private readonly INewKeyMaterialImporter? _importer;
    private readonly Events.LifecycleEventPublisher? _events;

    /// <param name="noRetryClient">
    /// The client without the SDK's retries (CreateKey's): RotateKeyOnDemand is not idempotent, and the SDK counts
    /// LimitExceededException, KMS's refusal at the cap, as throttling and would repeat it.
    /// </param>
    public MaterialRotation(IAmazonKeyManagementService kms, IAmazonKeyManagementService noRetryClient, ClaimSteps claims, ClaimedStepRunner steps, RotationOptions options, TimeProvider time, IRotationLog log, IKeyMaterialImporter? importer, PreMoveTest test, Events.LifecycleEventPublisher? events = null)
    {
        _test = test;
        _events = events;
        _kms = kms;
        _noRetryClient = noRetryClient;
        _calls = new KmsCalls(kms);
        _claims = claims;
        _steps = steps;
        _options = options;
        _time = time;
        _log = log;
        _importer = importer as INewKeyMaterialImporter;
        _choice = new StrategyChoice(kms, options, _importer is not null);
    }

    public StrategyChoice Choice => _choice;

    /// <summary>True when the key's tags say its material move <paramref name="move"/> was started (claimed and tagged).</summary>
    public static bool IsMaterialMove(IReadOnlyDictionary<string, string> tags, long move) =>
        tags.GetValueOrDefault(RotationTags.MaterialMove) == move.ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// The method a run that took a claimed move over goes on with: material when the dead run's rotation already
    /// happened or is in progress (never a second rotation, never a new key as well); otherwise the strategy decides again.
    /// </summary>
    public async Task<MethodChoice> ChooseForTakeoverAsync(AliasState state, CancellationToken ct)
    {
        var key = state.Current!;
        if (IsMaterialMove(state.CurrentTags, state.Move) && state.CurrentTags.GetValueOrDefault(RotationTags.MaterialFrom) is { } from)
        {
            var now = await _calls.DescribeAsync(key.KeyId, ct);
            if (now?.CurrentKeyMaterialId != from || await InProgressAsync(key.KeyId, ct) is not null || await ImportedForMoveAsync(state, ct))
            {
                return new MethodChoice(RotationMethod.Material, null, null, 0);
            }
        }

        return await _choice.ChooseAsync(state, ct);
    }

    /// <summary>Idle: claim the move's marker (pointing at the same key), then rotate. Losing the CreateAlias race is a skip.</summary>
    public async Task<AliasRotationResult> StartAsync(RotationRequest request, AliasState state, MethodChoice choice, AliasRotationResult result, NewKeyFallback? fallback, CancellationToken ct)
    {
        var key = state.Current!;
        result = result with { Method = RotationMethod.Material };
        if (request.DryRun)
        {
            var import = key.Origin == OriginType.EXTERNAL ? " generate, escrow and import new material (ImportType NEW_KEY_MATERIAL), then" : string.Empty;
            return result with
            {
                Outcome = RotationOutcome.Planned,
                NewKeyId = key.KeyId,
                Reason = $"Would{import} rotate the material of {key.KeyId} on demand (its rotation {choice.OnDemandRotationsDone + 1} of {StrategyChoice.MaxOnDemandRotations}); {state.Alias} stays on the same key.",
            };
        }

        if (!await _claims.ClaimAsync(state.Marker!, key.KeyId, ct))
        {
            return result with { Outcome = RotationOutcome.Skipped, Reason = $"Another run is rotating {state.Alias} right now (it claimed {state.Marker}); this run left it alone." };
        }

        _log.Write(new RotationLogEntry(RotationLogLevel.Information, $"Claimed {state.Marker} for new key material", request.RotationId, state.Alias, key.KeyId));
        await (_events?.StartedAsync(request.RotationId, state, RotationMethod.Material, _time.GetUtcNow(), ct) ?? Task.CompletedTask);
        return await RotateAsync(request, state, new RunClaim(state.Marker!, 0, key.KeyId) { Deadline = request.Deadline }, resumed: false, result, fallback, ct);
    }

    /// <summary>A taken-over material move: finish it (rotating only if the dead run did not), or only notify when it was recorded.</summary>
    public Task<AliasRotationResult> ResumeAsync(RotationRequest request, AliasState state, RunClaim claim, AliasRotationResult result, NewKeyFallback? fallback, CancellationToken ct) =>
        state.Phase == AliasPhase.Moved
            ? Task.FromResult(Completed(state, claim, result with { Method = RotationMethod.Material }, state.CurrentTags.GetValueOrDefault(RotationTags.KeyMaterialId), resumed: true, []))
            : RotateAsync(request, state, claim, resumed: true, result with { Method = RotationMethod.Material }, fallback, ct);

    private async Task<AliasRotationResult> RotateAsync(RotationRequest request, AliasState state, RunClaim claim, bool resumed, AliasRotationResult result, NewKeyFallback? fallback, CancellationToken ct)
    {
        var key = state.Current!;
        var move = state.Move.ToString(CultureInfo.InvariantCulture);
        if (!IsMaterialMove(state.CurrentTags, state.Move) || state.CurrentTags.GetValueOrDefault(RotationTags.MaterialFrom) is not { } from)
        {
            var before = await Step(claim, () => DescribeAsync(key.KeyId, ct), ct);
            from = before.CurrentKeyMaterialId
                ?? throw new RotationException($"KMS did not report the current key material of {key.KeyId} (CurrentKeyMaterialId); it cannot be rotated on demand. Nothing was changed.");
            await FenceAsync(request, claim, ct);
            await Step(claim, async () => { await _calls.TagAsync(key.KeyId, [new(RotationTags.MaterialMove, move), new(RotationTags.MaterialFrom, from)], ct); return true; }, ct);
        }

        var now = await Step(claim, () => DescribeAsync(key.KeyId, ct), ct);
        if (now.CurrentKeyMaterialId == from)
        {
            if (key.Origin == OriginType.EXTERNAL)
            {
                await FenceAsync(request, claim, ct);
                await Step(claim, async () => { await _importer!.EnsureNewMaterialPendingAsync(state.Alias, key, state.Move, ct); return true; }, ct);
            }

            var (rotated, refusal) = await Step(claim, () => RotateOnceAsync(request, claim, key.KeyId, from, ct), ct);
            if (refusal is not null)
            {
                if (fallback is not null && _choice.StrategyOf(state).Strategy == RotationStrategy.Auto)
                {
                    _log.Write(new RotationLogEntry(RotationLogLevel.Warning, $"{refusal} Falling back to a new key (auto).", request.RotationId, state.Alias, key.KeyId));
                    return await fallback(claim, $"auto: {refusal} So this rotation created a new key.");
                }

                await _claims.ReleaseAsync(claim, refusal, ct);
                return result with { Outcome = RotationOutcome.Failed, Reason = refusal + " Nothing was rotated." };
            }

            if (rotated is null)
            {
                var waiting = $"The on-demand rotation of {key.KeyId} is still in progress in KMS after this run waited for it; the next run records it without rotating again.";
                await _claims.ReleaseAsync(claim, waiting, ct);
                return result with { Outcome = RotationOutcome.Skipped, NewKeyId = key.KeyId, Reason = waiting };
            }

            now = rotated;
        }

        // Imported material: the tag keyrotation:escrow-object moves to the copy of the material now current.
        var imported = key.Origin == OriginType.EXTERNAL ? await Step(claim, () => _importer!.DescribeCurrentMaterialAsync(state.Alias, now, ct), ct) : null;
        var materialId = now.CurrentKeyMaterialId ?? string.Empty;
        if (await UntestedAsync(request, state, now, claim, result, ct) is { } untested)
        {
            return untested;
        }

        await FenceAsync(request, claim, ct);
        var done = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [RotationTags.Alias] = state.Alias,
            [RotationTags.Sequence] = move,
            [RotationTags.State] = RotationTags.KeyStates.Pending,
            [RotationTags.KeyMaterialId] = materialId,
            [RotationTags.MaterialRotatedAt] = RecordedTime.Format(_time.GetUtcNow()),
            [RotationTags.RotationId] = request.RotationId,
        };
        if (request.ScheduleSlot is { } slot)
        {
            done[RotationTags.ScheduleSlot] = RecordedTime.FormatSlot(slot);
        }

        if (imported?.EscrowObject is { } escrowObject)
        {
            done[RotationTags.EscrowObject] = escrowObject;
        }

        await Step(claim, async () => { await _calls.TagAsync(key.KeyId, done, ct); return true; }, ct);
        _log.Write(new RotationLogEntry(RotationLogLevel.Information, $"Rotated the key material on demand (now {materialId})", request.RotationId, state.Alias, key.KeyId, key.KeyId));
        return Completed(state, claim, result, materialId, resumed, imported?.Notes ?? []);
    }

    /// <summary>For imported material: new material for this move is imported and waits for the rotation.</summary>
    private async Task<bool> ImportedForMoveAsync(AliasState state, CancellationToken ct) =>
        state.Current!.Origin == OriginType.EXTERNAL && _importer is not null && await _importer.HasPendingMaterialAsync(state.Current.KeyId, ct);

    private async Task<KeyMetadata> DescribeAsync(string keyId, CancellationToken ct) =>
        await _calls.DescribeAsync(keyId, ct) ?? throw new RotationException($"Key {keyId} disappeared during its material rotation.");

    private static AliasRotationResult Completed(AliasState state, RunClaim claim, AliasRotationResult result, string? materialId, bool resumed, IReadOnlyList<string> notes)
    {
        var key = state.Current!;
        var what = $"{state.Alias} stays on key {key.KeyId}, which now encrypts with new key material{(materialId is { Length: > 0 } ? " " + materialId : string.Empty)} (on-demand rotation; {MaterialNotice.ForConsumers}).";
        return result with
        {
            Outcome = RotationOutcome.Rotated,
            Method = RotationMethod.Material,
            PreviousKeyId = key.KeyId,
            PreviousKeyArn = key.Arn,
            NewKeyId = key.KeyId,
            NewKeyArn = key.Arn,
            Resumed = resumed,
            Claim = claim,
            Notes = notes,
            Reason = resumed ? $"Finished an interrupted rotation: {what}" : what,
        };
    }

    private Task FenceAsync(RotationRequest request, RunClaim claim, CancellationToken ct) =>
        _claims.FenceAsync(claim, request.Deadline, _time.GetUtcNow(), ct);

    private Task<T> Step<T>(RunClaim claim, Func<Task<T>> step, CancellationToken ct) => _steps.RunAsync(claim, step, retryDenied: true, ct);
}
