using System.Globalization;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;

namespace KeyRotation.Core.Protocol;

/// <summary>
/// The one reader of the protocol: DescribeKey on the alias, its key's tags, whether the move that brought the alias to
/// that key has finished (its marker and the previous key's tags), then the markers from the key's move number upward.
/// A marker of a finished move that does not lead to the alias's key (its old key was retired naming its successor, or,
/// for moves recorded by earlier versions, the marker's own key is active or retired) means the alias was moved by
/// hand, so the reader walks on to the next free marker. Readings that could be an artefact of another
/// run writing at the same time (moved by hand, stranded) are confirmed by describing the alias again: if it moved
/// meanwhile, the reading is <see cref="AliasPhase.Superseded"/>. Reads only.
/// </summary>
internal sealed class AliasStateReader
{
    /// <summary>Completed moves walked past before giving up (each one is a hand move the tool already rotated past).</summary>
    private const int MaxMovesWalked = 1000;

    private static readonly IReadOnlyDictionary<string, string> NoTags = new Dictionary<string, string>(StringComparer.Ordinal);

    private readonly KmsCalls _calls;

    public AliasStateReader(IAmazonKeyManagementService kms) => _calls = new KmsCalls(kms);

    public Task<AliasState> ReadAsync(string alias, CancellationToken ct) => ReadAsync(alias, snapshot: null, ct);

    /// <summary>
    /// Reads the alias; with a <paramref name="snapshot"/> (read-only commands only), the marker aliases' targets come
    /// from it instead of a DescribeKey each, and a key a marker records is known by its id only.
    /// </summary>
    public async Task<AliasState> ReadAsync(string alias, AliasSnapshot? snapshot, CancellationToken ct)
    {
        var current = await _calls.DescribeAsync(alias, ct);
        return current is null
            ? new AliasState { Alias = alias, Phase = AliasPhase.Missing }
            : await ReadAsync(alias, current, await _calls.TagsAsync(current.KeyId, ct), snapshot, ct);
    }

    /// <summary>As <see cref="ReadAsync(string, AliasSnapshot?, CancellationToken)"/>, for a caller that already described the alias's key and read its tags.</summary>
    public async Task<AliasState> ReadAsync(string alias, KeyMetadata current, Dictionary<string, string> tags, AliasSnapshot? snapshot, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(current);
        var state = await ReadFromAsync(alias, current, tags, snapshot, ct);
        if (state.Phase is not (AliasPhase.MovedByHand or AliasPhase.Stranded))
        {
            return state;
        }

        var again = await _calls.DescribeAsync(alias, ct);
        return again?.KeyId == current.KeyId
            ? state
            : state with { Phase = AliasPhase.Superseded, NowPointsAt = again?.KeyId };
    }

    private async Task<AliasState> ReadFromAsync(string alias, KeyMetadata current, Dictionary<string, string> tags, AliasSnapshot? snapshot, CancellationToken ct)
    {
        var state = new AliasState { Alias = alias, Phase = AliasPhase.Idle, Current = current, CurrentTags = tags, FromKeyId = current.KeyId };
        var taggedAlias = tags.GetValueOrDefault(RotationTags.Alias);
        if (taggedAlias is not null && taggedAlias != alias)
        {
            return state with
            {
                Phase = AliasPhase.Foreign,
                Problem = $"Key {current.KeyId} was created by this tool for {taggedAlias}, not {alias}; rotate {taggedAlias} instead, or point {alias} at a key of its own.",
            };
        }

        var keyState = tags.GetValueOrDefault(RotationTags.State);
        var sequence = ReadLong(tags, RotationTags.Sequence);
        if (keyState == RotationTags.KeyStates.Restoring)
        {
            return state with
            {
                Phase = AliasPhase.RollingBack,
                Move = sequence,
                Marker = sequence > 0 ? MarkerNames.Marker(alias, sequence) : null,
                Problem = $"A rollback of {alias} to {current.KeyId} moved the alias and did not finish; run 'keyrotation rollback {alias}' again to finish it before rotating. Nothing was changed.",
            };
        }

        if (keyState == RotationTags.KeyStates.Pending && taggedAlias == alias && sequence > 0)
        {
            // Only a move recorded by an earlier version reaches the alias with its key still pending.
            return state with
            {
                Phase = AliasPhase.Moved,
                Move = sequence,
                Marker = MarkerNames.Marker(alias, sequence),
                FromKeyId = tags.GetValueOrDefault(RotationTags.PreviousKey),
                RetiresAfterMove = false,
            };
        }

        if (await UnretiredPredecessorAsync(alias, current.KeyId, tags, sequence, snapshot, ct) is { } predecessor)
        {
            return state with
            {
                Phase = AliasPhase.Moved,
                Move = sequence,
                Marker = MarkerNames.Marker(alias, sequence),
                FromKeyId = predecessor.KeyId,
                FromTags = predecessor.Tags,
            };
        }

        string? lastMovedTo = null;
        for (var move = sequence + 1; move <= sequence + MaxMovesWalked; move++)
        {
            var marker = MarkerNames.Marker(alias, move);
            var target = await TargetAsync(marker, snapshot, ct);
            state = state with { Move = move, Marker = marker, MovedByHandFrom = lastMovedTo, Recorded = null, RecordedTags = NoTags };
            if (target is null)
            {
                return state with { Phase = lastMovedTo is null ? AliasPhase.Idle : AliasPhase.MovedByHand };
            }

            if (target.KeyId == current.KeyId)
            {
                if (RetiredSuccessor(tags) is not { } successor)
                {
                    return state with { Phase = AliasPhase.Claimed };
                }

                // The move from the current key finished (retiring it is its last step), and the alias was pointed back.
                lastMovedTo = successor;
                continue;
            }

            var targetTags = await _calls.TagsAsync(target.KeyId, ct);
            var targetState = targetTags.GetValueOrDefault(RotationTags.State);
            var forThisMove = targetTags.GetValueOrDefault(RotationTags.Sequence) == move.ToString(CultureInfo.InvariantCulture);
            if (!forThisMove && targetState != RotationTags.KeyStates.Restoring)
            {
                // The marker points at the old key of its move (this version's protocol), not at a new key.
                if (RetiredSuccessor(targetTags) is { } movedTo)
                {
                    lastMovedTo = movedTo;
                    continue;
                }

                return state with
                {
                    Phase = AliasPhase.Stranded,
                    Problem = $"{marker} holds an unfinished rotation from key {target.KeyId}, but {alias} now points at {current.KeyId} (it was moved while that rotation ran). " +
                        $"Point {alias} back at {target.KeyId} (aws kms update-alias) and run again: the run finishes that rotation. Nothing was changed.",
                };
            }

            state = state with { Recorded = target, RecordedTags = targetTags };
            if (forThisMove && targetState == RotationTags.KeyStates.Restoring && targetTags.GetValueOrDefault(RotationTags.RestoredFrom) == current.KeyId)
            {
                return state with
                {
                    Phase = AliasPhase.RollingBack,
                    Problem = $"A rollback of {alias} to {target.KeyId} claimed {marker} and did not move the alias yet; run 'keyrotation rollback {alias}' again to finish it before rotating. Nothing was changed.",
                };
            }

            if (targetState == RotationTags.KeyStates.Pending)
            {
                var from = targetTags.GetValueOrDefault(RotationTags.PreviousKey);
                if (forThisMove && from == current.KeyId && targetTags.GetValueOrDefault(RotationTags.Alias) == alias)
                {
                    return state with { Phase = AliasPhase.Recorded };
                }

                return state with
                {
                    Phase = AliasPhase.Stranded,
                    Problem = $"{marker} records key {target.KeyId}, an unfinished rotation from {from ?? "an unknown key"}, but {alias} now points at {current.KeyId} (it was moved while that rotation ran). " +
                        $"Point {alias} back at {from ?? "that key"} (aws kms update-alias) and run again: the run finishes that rotation. Nothing was changed.",
                };
            }

            // A move that finished (the key is active, retired or restored), yet the alias is not on its key.
            lastMovedTo = target.KeyId;
        }

        return state with
        {
            Phase = AliasPhase.Stranded,
            Problem = $"More than {MaxMovesWalked} finished moves of {alias} lead away from its key {current.KeyId}; check 'keyrotation status {alias}'. Nothing was changed.",
        };
    }

    /// <summary>
    /// For a key this tool moved the alias to with this version's protocol (tagged active, its marker still on the
    /// previous key): that previous key and its tags while it is not yet tagged retired naming this key, the rotation's
    /// last step; else null (the move finished, was recorded by an earlier version, or was a rollback).
    /// </summary>
    private async Task<(string KeyId, IReadOnlyDictionary<string, string> Tags)?> UnretiredPredecessorAsync(string alias, string keyId, Dictionary<string, string> tags, long sequence, AliasSnapshot? snapshot, CancellationToken ct)
    {
        if (sequence < 1 || tags.GetValueOrDefault(RotationTags.Alias) != alias || tags.GetValueOrDefault(RotationTags.State) != RotationTags.KeyStates.Active
            || tags.ContainsKey(RotationTags.RestoredFrom) || tags.GetValueOrDefault(RotationTags.PreviousKey) is not { } previous)
        {
            return null;
        }

        var marker = await TargetAsync(MarkerNames.Marker(alias, sequence), snapshot, ct);
        if (marker?.KeyId != previous)
        {
            // The marker records this key (an earlier version's move, finished once active), or the previous key was
            // deleted (retention deletes only retired keys), taking the marker with it.
            return null;
        }

        // A previous key that a later move brought the alias back to (a rollback: its sequence moved past this key's) is
        // not this move's unfinished old key, whatever it is tagged now.
        var previousTags = await _calls.TagsAsync(previous, ct);
        return RetiredSuccessor(previousTags) == keyId || ReadLong(previousTags, RotationTags.Sequence) >= sequence ? null : (previous, previousTags);
    }

    /// <summary>The key a marker alias points at: from the snapshot (its id only) when there is one, else DescribeKey.</summary>
    private async Task<KeyMetadata?> TargetAsync(string marker, AliasSnapshot? snapshot, CancellationToken ct) => snapshot is null
        ? await _calls.DescribeAsync(marker, ct)
        : snapshot.TargetOf(marker) is { } keyId ? new KeyMetadata { KeyId = keyId } : null;

    /// <summary>The successor a key was retired for, or null when it is not tagged retired.</summary>
    private static string? RetiredSuccessor(IReadOnlyDictionary<string, string> tags) =>
        tags.GetValueOrDefault(RotationTags.State) == RotationTags.KeyStates.Retired ? tags.GetValueOrDefault(RotationTags.SuccessorKey) : null;

    internal static long ReadLong(IReadOnlyDictionary<string, string> tags, string key, long fallback = 0) =>
        tags.TryGetValue(key, out var text) && long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : fallback;
}
