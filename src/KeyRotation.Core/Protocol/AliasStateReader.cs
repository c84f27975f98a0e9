using System.Globalization;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;

namespace KeyRotation.Core.Protocol;

/// <summary>
/// The one reader of the protocol: DescribeKey on the alias, its key's tags, then the markers from the key's move
/// number upward. A marker whose key finished its move (active or retired) but is not the alias's key means the alias
/// was moved by hand, so the reader walks on to the next free marker. Readings that could be an artefact of another
/// run writing at the same time (moved by hand, stranded) are confirmed by describing the alias again: if it moved
/// meanwhile, the reading is <see cref="AliasPhase.Superseded"/>. Reads only.
/// </summary>
internal sealed class AliasStateReader
{
    /// <summary>Completed moves walked past before giving up (each one is a hand move the tool already rotated past).</summary>
    private const int MaxMovesWalked = 1000;

    private readonly KmsCalls _calls;

    public AliasStateReader(IAmazonKeyManagementService kms) => _calls = new KmsCalls(kms);

    public async Task<AliasState> ReadAsync(string alias, CancellationToken ct)
    {
        var current = await _calls.DescribeAsync(alias, ct);
        if (current is null)
        {
            return new AliasState { Alias = alias, Phase = AliasPhase.Missing };
        }

        var state = await ReadFromAsync(alias, current, ct);
        if (state.Phase is not (AliasPhase.MovedByHand or AliasPhase.Stranded))
        {
            return state;
        }

        var again = await _calls.DescribeAsync(alias, ct);
        return again?.KeyId == current.KeyId
            ? state
            : state with { Phase = AliasPhase.Superseded, NowPointsAt = again?.KeyId };
    }

    private async Task<AliasState> ReadFromAsync(string alias, KeyMetadata current, CancellationToken ct)
    {
        var tags = await _calls.TagsAsync(current.KeyId, ct);
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
                Marker = sequence > 0 ? RotationTags.MarkerAlias(alias, sequence) : null,
                Problem = $"A rollback of {alias} to {current.KeyId} moved the alias and did not finish; run 'keyrotation rollback {alias}' again to finish it before rotating. Nothing was changed.",
            };
        }

        if (keyState == RotationTags.KeyStates.Pending && taggedAlias == alias && sequence > 0)
        {
            return state with
            {
                Phase = AliasPhase.Moved,
                Move = sequence,
                Marker = RotationTags.MarkerAlias(alias, sequence),
                FromKeyId = tags.GetValueOrDefault(RotationTags.PreviousKey),
            };
        }

        string? lastMovedTo = null;
        for (var move = sequence + 1; move <= sequence + MaxMovesWalked; move++)
        {
            var marker = RotationTags.MarkerAlias(alias, move);
            var target = await _calls.DescribeAsync(marker, ct);
            state = state with { Move = move, Marker = marker, MovedByHandFrom = lastMovedTo };
            if (target is null)
            {
                return state with { Phase = lastMovedTo is null ? AliasPhase.Idle : AliasPhase.MovedByHand };
            }

            if (target.KeyId == current.KeyId)
            {
                return state with { Phase = AliasPhase.Claimed };
            }

            var targetTags = await _calls.TagsAsync(target.KeyId, ct);
            var targetState = targetTags.GetValueOrDefault(RotationTags.State);
            var forThisMove = targetTags.GetValueOrDefault(RotationTags.Sequence) == move.ToString(CultureInfo.InvariantCulture);
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

    internal static long ReadLong(IReadOnlyDictionary<string, string> tags, string key, long fallback = 0) =>
        tags.TryGetValue(key, out var text) && long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : fallback;
}
