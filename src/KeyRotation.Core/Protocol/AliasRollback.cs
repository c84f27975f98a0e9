using System.Globalization;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using Amazon.Runtime;
using KeyRotation.Core.Events;
using KeyRotation.Core.History;

namespace KeyRotation.Core.Protocol;

/// <summary>
/// Points an alias back at an earlier generation of its chain, with the engine's own protocol so the next
/// rotation carries on from the restored key:
/// <list type="number">
/// <item>check: the alias exists, this tool moved it, the target is an earlier generation (found through
/// previous-key), Enabled, of the same spec and usage, and no rotation is in progress;</item>
/// <item>tag the target with the alias and sequence = n (the current key's sequence + 1), so the next rotation from
/// it claims n + 1, a fresh marker, and never resumes a stale one;</item>
/// <item>claim marker n with CreateAlias pointing straight at the target: to the engine that is a recorded move,
/// so a rollback that dies here is finished by the next rotate (or by running the rollback again);</item>
/// <item>UpdateAlias; tag the restored key active (restored-at, restored-from) and the rolled-back key retired
/// (retired-at, successor-key, rolled-back-at); notify.</item>
/// </list>
/// Never disables, deletes or schedules deletion of a key.
/// </summary>
public sealed class AliasRollback
{
    private readonly IAmazonKeyManagementService _kms;
    private readonly KeyChainReader _reader;
    private readonly AliasStateReader _states;
    private readonly KmsCalls _calls;
    private readonly IRotationNotifier _notifier;
    private readonly TimeProvider _time;
    private readonly ReplicaRegions _replicas;
    private readonly LifecycleEventPublisher? _events;

    /// <param name="regions">KMS in the replica Regions, for an alias whose key is a multi-Region primary.</param>
    /// <param name="events">Where the rolled-back event goes; null: none is put.</param>
    public AliasRollback(IAmazonKeyManagementService kms, IRotationNotifier notifier, TimeProvider time, KmsRegionClients? regions = null, LifecycleEventPublisher? events = null)
    {
        _events = events;
        _replicas = new ReplicaRegions(regions);
        _kms = kms;
        _reader = new KeyChainReader(kms);
        _states = new AliasStateReader(kms);
        _calls = new KmsCalls(kms);
        _notifier = notifier;
        _time = time;
    }

    /// <summary>Rolls the alias back, or refuses with a reason and changes nothing. KMS failures throw <see cref="RotationException"/>.</summary>
    public async Task<RollbackResult> RollBackAsync(RollbackRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var alias = request.Alias;
        if (AliasNames.Validate(alias) is { } invalid)
        {
            return Refused(alias, $"Cannot roll back: {invalid}.");
        }

        var state = await _states.ReadAsync(alias, cancellationToken);
        if (state.Phase == AliasPhase.Missing)
        {
            return Refused(alias, $"Alias {alias} does not exist in this account and Region.");
        }

        var currentTags = new Dictionary<string, string>(state.CurrentTags, StringComparer.Ordinal);
        var current = KeyChainReader.ToGeneration(state.Current!, currentTags);
        var refused = Refused(alias, string.Empty) with { FromKeyId = current.KeyId, FromKeyArn = current.Arn };
        if (state.Phase == AliasPhase.Foreign)
        {
            return refused with { Reason = $"Key {current.KeyId} belongs to {currentTags.GetValueOrDefault(RotationTags.Alias)}'s chain, not {alias}'s; nothing to roll back for {alias}." };
        }

        if (state.Phase == AliasPhase.RollingBack && state.Recorded is null
            && currentTags.GetValueOrDefault(RotationTags.RestoredFrom) is { } rolledBackFrom)
        {
            // A rollback that moved the alias and died before its last tags: finish it, whatever --to says.
            var from = await _reader.DescribeAsync(rolledBackFrom, cancellationToken);
            if (from is null)
            {
                return refused with { Reason = $"{alias} points at {current.KeyId}, restored from {rolledBackFrom}, which no longer exists." };
            }

            var fromGeneration = KeyChainReader.ToGeneration(from, await _reader.TagsAsync(from.KeyId, cancellationToken));
            return await FinishAsync(request, alias, fromGeneration, current, resumed: true, cancellationToken);
        }

        if (state.Phase is AliasPhase.Superseded or AliasPhase.Stranded)
        {
            return refused with { Reason = state.Problem ?? $"{alias} moved to {state.NowPointsAt} while this rollback was reading it; run 'keyrotation status {alias}' and try again. Nothing was changed." };
        }

        if (request.TargetKeyId is null && MaterialRotation.IsMaterialMove(currentTags, current.Sequence) && current.Sequence > 0)
        {
            // The last move gave the same key new material: KMS has no way to make an earlier material current again.
            var alternative = current.PreviousKeyId is { } previous
                ? $" To point {alias} at its previous key instead, name it: keyrotation rollback {alias} --to {previous}."
                : string.Empty;
            return refused with
            {
                Reason = $"The last rotation of {alias} (move {current.Sequence}, {currentTags.GetValueOrDefault(RotationTags.MaterialRotatedAt) ?? "time unknown"}) gave key {current.KeyId} new key material " +
                    $"({currentTags.GetValueOrDefault(RotationTags.KeyMaterialId) ?? "id unknown"}) in place; KMS cannot make an older key material current again, so it cannot be rolled back. " +
                    $"Nothing needs undoing for decryption: {current.KeyId} still decrypts everything encrypted under its earlier materials.{alternative} Nothing was changed.",
            };
        }

        if (current.PreviousKeyId is null)
        {
            return refused with { Reason = $"{alias} was not rotated by this tool: its key {current.KeyId} has no {RotationTags.PreviousKey} tag, so there is no earlier generation to go back to." };
        }

        if (state.Phase == AliasPhase.Moved)
        {
            return refused with { Reason = $"A rotation is in progress: {alias} points at {current.KeyId}, whose rotation's last steps have not run. Run rotate to finish it, then roll back." };
        }

        var earlier = await _reader.EarlierAsync(current, cancellationToken);
        KeyGeneration? target;
        if (request.TargetKeyId is null)
        {
            target = earlier.FirstOrDefault();
        }
        else
        {
            var wanted = await _reader.DescribeAsync(request.TargetKeyId, cancellationToken);
            target = wanted is null ? null : earlier.FirstOrDefault(k => k.KeyId == wanted.KeyId);
            if (target is null)
            {
                var chain = string.Join(", ", earlier.Select(k => k.KeyId));
                return refused with
                {
                    Reason = wanted?.KeyId == current.KeyId
                        ? $"{alias} already points at {current.KeyId}; name an earlier generation."
                        : $"{request.TargetKeyId} is not an earlier generation of {alias}; its earlier generations are: {(chain.Length == 0 ? "none" : chain)}.",
                };
            }
        }

        if (target is null || target.Missing)
        {
            return refused with { Reason = $"The previous generation {current.PreviousKeyId} of {alias} no longer exists; name another one with --to." };
        }

        refused = refused with { ToKeyId = target.KeyId, ToKeyArn = target.Arn };
        if (target.KeyState != KeyState.Enabled.Value)
        {
            return refused with { Reason = $"Key {target.KeyId} is {target.KeyState}, not Enabled: the alias must only point at a key that works. Enable it first (or cancel its deletion), then roll back." };
        }

        if (target.KeySpec != current.KeySpec || target.KeyUsage != current.KeyUsage)
        {
            return refused with { Reason = $"Key {target.KeyId} is {target.KeySpec}/{target.KeyUsage}, but {alias}'s key is {current.KeySpec}/{current.KeyUsage}." };
        }

        var sequence = state.Move;
        var sequenceText = sequence.ToString(CultureInfo.InvariantCulture);
        var marker = state.Marker!;

        // A marker already at the target, with the target tagged for this move, is a rollback that died before
        // moving the alias: carry on. A rotation claimed, recorded or moved is left to finish.
        var resuming = state.Phase == AliasPhase.RollingBack && state.Recorded?.KeyId == target.KeyId;
        if (!resuming && state.Phase is not (AliasPhase.Idle or AliasPhase.MovedByHand))
        {
            return refused with { Reason = state.Phase == AliasPhase.RollingBack ? state.Problem! : InProgress(alias, marker) };
        }

        if (!resuming && await _replicas.RefuseAsync(alias, state.Current!, target.KeyId, cancellationToken) is { } replicaRefusal)
        {
            return refused with { Reason = replicaRefusal };
        }

        if (!resuming)
        {
            // Before the claim: if this run dies after claiming, the next rotate finishes the move (the marker reads
            // as a recorded move) and then carries on from this sequence instead of resuming a stale marker.
            // State "restoring" and restored-from make a rollback that dies after moving the alias recognisable:
            // running the rollback again finishes it, and a rotation refuses until then.
            await _calls.TagAsync(target.KeyId, KeyRecordTags.Restoring(alias, sequenceText, current.KeyId), cancellationToken);
            if (!await _calls.ClaimAsync(marker, target.KeyId, cancellationToken))
            {
                // Lost the race: the target stays where it was (retired); its sequence and restored-from tags are
                // rewritten by whichever rollback or rotation moves the alias to it later.
                await _calls.TagAsync(target.KeyId, KeyRecordTags.State(target.State ?? RotationTags.KeyStates.Retired), cancellationToken);
                return refused with { Reason = InProgress(alias, marker) };
            }
        }

        // A multi-Region set: each replica Region's alias first, this Region's last (it records the rollback).
        await _replicas.MoveBackAsync(alias, state.Current!, target.KeyId, RecordedTime.Format(_time.GetUtcNow()), cancellationToken);
        await KmsCalls.CallAsync("UpdateAlias", () => _kms.UpdateAliasAsync(new UpdateAliasRequest { AliasName = alias, TargetKeyId = target.KeyId }, cancellationToken));
        return await FinishAsync(request, alias, current, target, resumed: false, cancellationToken);
    }

    /// <summary>
    /// The steps after the alias moved: retire the rolled-back key, notify, and only then tag the restored key active,
    /// so a run that dies anywhere here leaves the restored key "restoring" and running the rollback again finishes it
    /// (rather than rolling back one more generation).
    /// </summary>
    private async Task<RollbackResult> FinishAsync(RollbackRequest request, string alias, KeyGeneration current, KeyGeneration target, bool resumed, CancellationToken cancellationToken)
    {
        var now = RecordedTime.Format(_time.GetUtcNow());
        await _calls.TagAsync(current.KeyId, KeyRecordTags.RolledBack(target.KeyId, now), cancellationToken);

        var result = new RollbackResult
        {
            Alias = alias,
            Outcome = RollbackOutcome.RolledBack,
            FromKeyId = current.KeyId,
            FromKeyArn = current.Arn,
            ToKeyId = target.KeyId,
            ToKeyArn = target.Arn,
            Reason = (resumed ? "Finished an interrupted rollback: " : string.Empty) +
                $"{alias} points at {target.KeyId} (generation {target.Generation}) again; {current.KeyId} (generation {current.Generation}) is tagged retired and stays enabled, so data encrypted under it still decrypts.",
        };
        try
        {
            await _notifier.NotifyAsync(RollbackNotice.For(result, request.RollbackId, _time.GetUtcNow()), cancellationToken);
        }
        catch (Exception ex) when (ex is RotationException or AmazonClientException or HttpRequestException or NotificationFailedException)
        {
            result = result with { NotificationError = $"The notification could not be sent: {ex.Message}" };
        }

        if (_events is not null)
        {
            result = result with { EventError = await _events.PutAsync([LifecycleEvents.RolledBack(result, target.Generation, request.RollbackId, _time.GetUtcNow())], request.RollbackId, alias, cancellationToken) };
        }

        await _calls.TagAsync(target.KeyId, KeyRecordTags.Restored(now, current.KeyId), cancellationToken);
        return result;
    }

    private static string InProgress(string alias, string marker) =>
        $"A rotation is in progress: another run holds {marker} for the next move of {alias}. Run status to see it and rotate to finish it, then roll back.";

    private static RollbackResult Refused(string alias, string reason) => new() { Alias = alias, Outcome = RollbackOutcome.Refused, Reason = reason };

}
