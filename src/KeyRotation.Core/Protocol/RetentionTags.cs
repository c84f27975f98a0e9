namespace KeyRotation.Core.Retention;

/// <summary>
/// The tags the retention function writes on a retired key, under this tool's prefix (<see cref="RotationTags.Prefix"/>),
/// so the chain keeps each key's whole history: when it was disabled, when its deletion was scheduled, and by which run;
/// and, when someone still needed it, when and why it was enabled again and who used it.
/// </summary>
internal static class RetentionTags
{
    /// <summary>When retention disabled the key. Written just before DisableKey, so a crash in between is finished by the next run.</summary>
    public const string DisabledAt = RotationTags.Prefix + "disabled-at";

    /// <summary>The retention run that disabled the key.</summary>
    public const string DisabledBy = RotationTags.Prefix + "disabled-by";

    /// <summary>When retention scheduled the key's deletion (written before ScheduleKeyDeletion: a key pending deletion cannot be tagged).</summary>
    public const string DeletionScheduledAt = RotationTags.Prefix + "deletion-scheduled-at";

    /// <summary>The retention run that scheduled the key's deletion.</summary>
    public const string DeletionScheduledBy = RotationTags.Prefix + "deletion-scheduled-by";

    /// <summary>
    /// When retention enabled the key again because someone tried to use it. A key carrying this tag is never disabled
    /// again by retention: an operator removes the tag once the key is really no longer needed.
    /// </summary>
    public const string ReenabledAt = RotationTags.Prefix + "reenabled-at";

    /// <summary>Why the key was enabled again: the failed call (event name and error code).</summary>
    public const string ReenabledBecause = RotationTags.Prefix + "reenabled-because";

    /// <summary>Who tried to use the key (the CloudTrail event's userIdentity ARN).</summary>
    public const string UsedBy = RotationTags.Prefix + "used-by";

    /// <summary>
    /// The proof of non-use retention read just before it disabled the key (GetKeyLastUsage on the key and each replica):
    /// when it was read, how long the key was proven unused, and what KMS answered. Written with <see cref="DisabledAt"/>.
    /// </summary>
    public const string DisableProof = RotationTags.Prefix + "disable-proof";

    /// <summary>The proof of non-use read again just before retention scheduled the key's deletion. Written with <see cref="DeletionScheduledAt"/>.</summary>
    public const string DeletionProof = RotationTags.Prefix + "deletion-proof";
}
