namespace KeyRotation.Core;

/// <summary>
/// The tags this tool writes on keys (the marker aliases' names are <see cref="Protocol.MarkerNames"/>). Every tag shares one prefix, so
/// copying an old key's tags to its successor can drop exactly these, and IAM conditions can name them.
/// The new key names its predecessor and the old key its successor: the generations of an alias form a chain.
/// </summary>
public static class RotationTags
{
    public const string Prefix = "keyrotation:";

    /// <summary>On a key this tool created: the alias it was created for.</summary>
    public const string Alias = Prefix + "alias";

    /// <summary>On a key this tool created: the run that created it.</summary>
    public const string RotationId = Prefix + "rotation-id";

    /// <summary>On a key this tool created: the key id of the key it replaced.</summary>
    public const string PreviousKey = Prefix + "previous-key";

    /// <summary>On a key this tool created: when (ISO 8601, UTC).</summary>
    public const string CreatedAt = Prefix + "created-at";

    /// <summary>On a key this tool created: its place in the alias's chain; the first, untagged key is generation 1.</summary>
    public const string Generation = Prefix + "generation";

    /// <summary>
    /// How many times this tool has moved the alias when it moved it to this key. The next move claims the
    /// marker alias for this number plus one, which makes two runs racing for one alias exclusive.
    /// </summary>
    public const string Sequence = Prefix + "sequence";

    /// <summary>On a key this tool created by a scheduled run: the schedule slot (minute, UTC) it was created for.</summary>
    public const string ScheduleSlot = Prefix + "schedule-slot";

    /// <summary>Lifecycle of a key in the chain: <see cref="KeyStates"/>.</summary>
    public const string State = Prefix + "state";

    /// <summary>
    /// On a key whose setup is finished: written on a new key right after CreateKey, in the same request as the tags
    /// copied from its predecessor, and on every key this tool retires. The role's IAM policy denies rewriting the key
    /// policy of a sealed key and giving it tags outside this prefix, and the role cannot remove a tag, so once sealed
    /// a key stays out of the role's reach for good (docs/permissions.md).
    /// </summary>
    public const string Sealed = Prefix + "sealed";

    /// <summary>The value of <see cref="Sealed"/>; only the tag's presence counts.</summary>
    public const string SealedValue = "true";

    /// <summary>On a key the alias moved away from: when.</summary>
    public const string RetiredAt = Prefix + "retired-at";

    /// <summary>On a key the alias moved away from: the key id it moved to.</summary>
    public const string SuccessorKey = Prefix + "successor-key";

    /// <summary>
    /// On a key with imported material: the name of the escrow object (in the escrow bucket, under
    /// <c>&lt;prefix&gt;&lt;alias&gt;/</c>) holding the material being imported or imported. Written before
    /// ImportKeyMaterial and only changed while the key still has no material, so it always names the copy of
    /// the material the key holds.
    /// </summary>
    public const string EscrowObject = Prefix + "escrow-object";

    /// <summary>On a key restored by rollback: when.</summary>
    public const string RestoredAt = Prefix + "restored-at";

    /// <summary>On a key restored by rollback: the key id the alias was rolled back from.</summary>
    public const string RestoredFrom = Prefix + "restored-from";

    /// <summary>On a key the alias was rolled back from: when.</summary>
    public const string RolledBackAt = Prefix + "rolled-back-at";

    /// <summary>
    /// On the key being replaced: the claim (marker or takeover alias name) that a run gave up after a reported failure,
    /// so the next run takes over at once instead of waiting for the claim to time out.
    /// </summary>
    public const string ClaimReleased = Prefix + "claim-released";

    /// <summary>
    /// On the key a claim points at: the cause of the failure after which a run released its claim, so that a run
    /// refusing later (for example after too many takeovers) still names it. Only KMS's tag characters are kept.
    /// </summary>
    public const string LastFailure = Prefix + "last-failure";

    /// <summary>
    /// On the key a claim's marker points at, written with <see cref="ClaimReleased"/>: the new key the releasing run had
    /// created for the move. The marker stays on the old key, so the run taking the claim over adopts that key from this
    /// tag (read at once, unlike the Resource Groups Tagging index, which can lag behind a key created seconds before).
    /// </summary>
    public const string ReleasedWithKey = Prefix + "released-with-key";

    /// <summary>
    /// On a key created from a key the alias was pointed back at by hand: the key this tool had last moved the alias to.
    /// The chain then records that the alias did not go on from that key.
    /// </summary>
    public const string MovedByHandFrom = Prefix + "moved-by-hand-from";

    /// <summary>
    /// Set by you on an alias's current key: how that alias is rotated (new-key, material or auto), overriding
    /// ROTATION_STRATEGY. A new key inherits it from the key it replaces.
    /// </summary>
    public const string Strategy = Prefix + "strategy";

    /// <summary>
    /// Set by you on an alias's current key: that alias's cryptoperiod in days, overriding MAX_KEY_AGE_DAYS (the report
    /// and the overdue metric). A new key inherits it from the key it replaces.
    /// </summary>
    public const string MaxKeyAgeDays = Prefix + "max-key-age-days";

    /// <summary>
    /// Set by you on an alias's current key: the Lambda function ARN of the alias's pre-move hook, or none, overriding
    /// PRE_MOVE_HOOK_ARN (docs/hooks.md). A new key inherits it from the key it replaces.
    /// </summary>
    public const string PreMoveHook = Prefix + "pre-move-hook";

    /// <summary>As <see cref="PreMoveHook"/>, for the post-move hook (POST_MOVE_HOOK_ARN).</summary>
    public const string PostMoveHook = Prefix + "post-move-hook";

    /// <summary>
    /// On the key a move starts from (the alias's key until the move; for a material move, the key itself): the move
    /// number whose new generation the pre-move hook accepted. Written after the hook answered and before the move, so a
    /// run that takes the move over moves without asking the hook again.
    /// </summary>
    public const string Tested = Prefix + "tested";

    /// <summary>
    /// On a key whose material this tool rotates: the move number of its latest material rotation, written once the move
    /// is claimed and before RotateKeyOnDemand, so a run that takes the move over knows it is a material move.
    /// </summary>
    public const string MaterialMove = Prefix + "material-move";

    /// <summary>
    /// With <see cref="MaterialMove"/>: the key's current KeyMaterialId when that move started. The move's rotation has
    /// happened once DescribeKey's CurrentKeyMaterialId differs, so a run that died after RotateKeyOnDemand is never
    /// followed by a second one.
    /// </summary>
    public const string MaterialFrom = Prefix + "material-from";

    /// <summary>On a key whose material this tool rotated: the KeyMaterialId that rotation made current.</summary>
    public const string KeyMaterialId = Prefix + "key-material-id";

    /// <summary>On a key whose material this tool rotated: when (the key's age for MIN_KEY_AGE_HOURS counts from it).</summary>
    public const string MaterialRotatedAt = Prefix + "material-rotated-at";

    /// <summary>Values of <see cref="State"/>.</summary>
    internal static class KeyStates
    {
        /// <summary>
        /// Written by CreateKey: the key's setup (the seal) has not run yet. Earlier versions kept a new key pending until
        /// their last step, after the move and the notification.
        /// </summary>
        public const string Pending = "pending";

        /// <summary>
        /// Written with the seal, before the alias moves to the key (so the key needs no write after the move): the key is
        /// set up. Its rotation is finished once the alias points at it and its previous key is tagged retired naming it.
        /// </summary>
        public const string Active = "active";

        /// <summary>The alias moved on; it stays enabled so data encrypted under it still decrypts.</summary>
        public const string Retired = "retired";

        /// <summary>A rollback to this key has started and not finished; running the rollback again finishes it.</summary>
        public const string Restoring = "restoring";
    }

    /// <summary>True for a tag this tool owns (and so never copies from an old key to a new one).</summary>
    public static bool IsOwnTag(string tagKey) => tagKey.StartsWith(Prefix, StringComparison.Ordinal);
}
