using Amazon.KeyManagementService.Model;

namespace KeyRotation.Core.Protocol;

/// <summary>
/// Where the rotation protocol of one alias stands, as read from KMS by <see cref="AliasStateReader"/>. Every command
/// (rotate, plan, status, rollback) starts from this one reading; docs/architecture.md's state diagram names the same phases.
/// </summary>
internal enum AliasPhase
{
    /// <summary>The alias does not exist.</summary>
    Missing,

    /// <summary>The alias points at a key created by this tool for another alias: never rotated from here.</summary>
    Foreign,

    /// <summary>Nothing in progress; the next move claims <see cref="AliasState.Marker"/>.</summary>
    Idle,

    /// <summary>
    /// Nothing in progress, but the alias points at a key other than the one this tool last moved it to (an operator
    /// pointed it back): the next move is a new chain link from the current key, under the next free marker.
    /// </summary>
    MovedByHand,

    /// <summary>
    /// A run claimed the marker (it points at the current key, which is not retired) and has not moved the alias yet. The
    /// marker keeps pointing at that key for good: a new key the run created, sealed and perhaps imported is found on
    /// takeover by its tags (alias, move number, previous key), not through the marker.
    /// </summary>
    Claimed,

    /// <summary>
    /// Written by earlier versions only: the marker points at the new key (tagged pending), the alias still at the old
    /// one. Finished the way it was started: retire the old key, move, notify, tag the new key active.
    /// </summary>
    Recorded,

    /// <summary>
    /// The alias points at the new key and the rotation's last steps are left: the notification, then retiring the old
    /// key (the marker points at the old key, which is not yet tagged retired naming the new one); or, for a move
    /// recorded by an earlier version, the notification and the active tag (the new key is still tagged pending).
    /// </summary>
    Moved,

    /// <summary>A rollback claimed the marker or moved the alias and has not finished; only the rollback finishes it.</summary>
    RollingBack,

    /// <summary>
    /// A marker records a pending key for a move from a key the alias no longer points at (the alias was moved by
    /// hand while that rotation ran): pointing the alias back at that key lets the next run finish it.
    /// </summary>
    Stranded,

    /// <summary>The alias changed while it was being read: another run moved it; this reading is out of date.</summary>
    Superseded,
}

/// <summary>A claim on a move: the marker, or its latest takeover alias, with KMS's own timestamps.</summary>
/// <param name="Holder">The alias name of the claim that counts (the marker or its highest takeover).</param>
/// <param name="Rank">0 for the marker, k for takeover k.</param>
/// <param name="ClaimedAt">When KMS created the holder (its CreationDate).</param>
/// <param name="Now">KMS's time when the claim was read (the LastUpdatedDate of the alias's clock alias).</param>
/// <param name="Released">True when the holder gave the claim up after a failure it reported (it writes nothing more).</param>
/// <param name="LastFailure">The failure the last run that released a claim reported, if any.</param>
internal sealed record ClaimInfo(string Holder, int Rank, DateTimeOffset ClaimedAt, DateTimeOffset Now, bool Released, string? LastFailure)
{
    /// <summary>How long ago the claim was made, on KMS's clock.</summary>
    public TimeSpan Age => Now - ClaimedAt;
}

/// <summary>One reading of an alias's protocol state; see <see cref="AliasPhase"/> for what each phase means.</summary>
internal sealed record AliasState
{
    public required string Alias { get; init; }

    public required AliasPhase Phase { get; init; }

    /// <summary>The key the alias points at (null only when <see cref="AliasPhase.Missing"/>).</summary>
    public KeyMetadata? Current { get; init; }

    /// <summary>The current key's tags.</summary>
    public IReadOnlyDictionary<string, string> CurrentTags { get; init; } = Empty;

    /// <summary>The move number the phase is about: the next free one (idle), or the one in progress.</summary>
    public long Move { get; init; }

    /// <summary>The marker alias of <see cref="Move"/>.</summary>
    public string? Marker { get; init; }

    /// <summary>The key the marker records (recorded, stranded, rolling back before the move).</summary>
    public KeyMetadata? Recorded { get; init; }

    public IReadOnlyDictionary<string, string> RecordedTags { get; init; } = Empty;

    /// <summary>The key the move started from: the current key, or (moved) the current key's predecessor.</summary>
    public string? FromKeyId { get; init; }

    /// <summary>For <see cref="AliasPhase.Moved"/> when <see cref="RetiresAfterMove"/>: the tags of the key the move started from.</summary>
    public IReadOnlyDictionary<string, string> FromTags { get; init; } = Empty;

    /// <summary>
    /// True when the move keeps its marker on the old key and retires that key as its last step, after the move and the
    /// notification (this version's protocol); false for a move an earlier version recorded by pointing the marker at the
    /// new key, which retires the old key before the move and tags the new key active as its last step.
    /// </summary>
    public bool RetiresAfterMove { get; init; } = true;

    /// <summary>For <see cref="AliasPhase.MovedByHand"/>: the key this tool last moved the alias to.</summary>
    public string? MovedByHandFrom { get; init; }

    /// <summary>For <see cref="AliasPhase.Superseded"/>: what the alias points at now.</summary>
    public string? NowPointsAt { get; init; }

    /// <summary>For <see cref="AliasPhase.Foreign"/>, <see cref="AliasPhase.RollingBack"/>, <see cref="AliasPhase.Stranded"/>: why nothing can go on, and what to do.</summary>
    public string? Problem { get; init; }

    /// <summary>The key that holds the marker while the move is claimed, recorded, moved or rolled back to (takeovers point at it too).</summary>
    public string? MarkerTargetKeyId => Phase switch
    {
        AliasPhase.Claimed => Current?.KeyId,
        AliasPhase.Recorded => Recorded?.KeyId,
        AliasPhase.Moved => RetiresAfterMove ? FromKeyId : Current?.KeyId,
        AliasPhase.RollingBack => (Recorded ?? Current)?.KeyId,
        _ => null,
    };

    /// <summary>True for the phases a run is working in (another run must not start the same move).</summary>
    public bool InFlight => Phase is AliasPhase.Claimed or AliasPhase.Recorded or AliasPhase.Moved;

    private static readonly IReadOnlyDictionary<string, string> Empty = new Dictionary<string, string>(StringComparer.Ordinal);
}
