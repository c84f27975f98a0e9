using KeyRotation.Core.Retention;

namespace KeyRotation.Core.Protocol;

/// <summary>
/// The tags each transition outside the rotation's own steps writes on a key, built in this one place, so that the
/// rollback, the replica Regions, retention and escrow re-import record a key's state the same way (the rotation's own
/// steps write theirs in <see cref="SuccessorKey"/> and <see cref="MoveSteps"/>).
/// </summary>
internal static class KeyRecordTags
{
    /// <summary>A rollback's target, before its claim: the alias and move number it is being restored for, state restoring.</summary>
    public static Dictionary<string, string> Restoring(string alias, string sequence, string restoredFrom) => Tags(
        (RotationTags.Alias, alias),
        (RotationTags.Sequence, sequence),
        (RotationTags.State, RotationTags.KeyStates.Restoring),
        (RotationTags.RestoredFrom, restoredFrom));

    /// <summary>A key given back its lifecycle state (a rollback that lost its claim puts its target back).</summary>
    public static Dictionary<string, string> State(string state) => Tags((RotationTags.State, state));

    /// <summary>The key a rollback moved the alias away from: retired, naming the restored key as its successor.</summary>
    public static Dictionary<string, string> RolledBack(string restoredKeyId, string now) => Tags(
        (RotationTags.State, RotationTags.KeyStates.Retired),
        (RotationTags.RetiredAt, now),
        (RotationTags.SuccessorKey, restoredKeyId),
        (RotationTags.RolledBackAt, now));

    /// <summary>A rollback's target once the alias points at it and the notification went out: active again.</summary>
    public static Dictionary<string, string> Restored(string now, string restoredFrom) => Tags(
        (RotationTags.State, RotationTags.KeyStates.Active),
        (RotationTags.RestoredAt, now),
        (RotationTags.RestoredFrom, restoredFrom));

    /// <summary>The operator's choice of strategy for an alias, as set on its current key (the sandbox seeds it).</summary>
    public static (string Key, string Value) Strategy(string strategy) => (RotationTags.Strategy, strategy);

    /// <summary>The key a move starts from, once the pre-move hook accepted the move's new generation (docs/hooks.md).</summary>
    public static Dictionary<string, string> Tested(long move) => Tags((RotationTags.Tested, move.ToString(System.Globalization.CultureInfo.InvariantCulture)));

    /// <summary>An alias's own pre-move hook (a Lambda function ARN, or none), as set on its current key (the sandbox seeds it).</summary>
    public static (string Key, string Value) PreMoveHook(string hook) => (RotationTags.PreMoveHook, hook);

    /// <summary>An alias's own post-move hook, as set on its current key (the sandbox seeds it).</summary>
    public static (string Key, string Value) PostMoveHook(string hook) => (RotationTags.PostMoveHook, hook);

    /// <summary>A key about to import material: the escrow object holding that material.</summary>
    public static Dictionary<string, string> EscrowObject(string objectName) => Tags((RotationTags.EscrowObject, objectName));

    /// <summary>A retired key retention is about to disable, and the proof of non-use it read just before.</summary>
    public static Dictionary<string, string> Disabled(string now, string runId, string proof) =>
        Tags((RetentionTags.DisabledAt, now), (RetentionTags.DisabledBy, runId), (RetentionTags.DisableProof, ProofValue(proof)));

    /// <summary>
    /// The proof alone, on a key an interrupted run already tagged disabled: its disabled-at and -by stay as the first
    /// run wrote them, and the proof is the one read just before this run's DisableKey.
    /// </summary>
    public static Dictionary<string, string> DisableProof(string proof) => Tags((RetentionTags.DisableProof, ProofValue(proof)));

    /// <summary>A disabled key whose deletion retention is about to schedule, and the proof of non-use it read just before.</summary>
    public static Dictionary<string, string> DeletionScheduled(string now, string runId, string proof) =>
        Tags((RetentionTags.DeletionScheduledAt, now), (RetentionTags.DeletionScheduledBy, runId), (RetentionTags.DeletionProof, ProofValue(proof)));

    /// <summary>A key retention enables again because someone tried to use it: when, why and who (each cut to KMS's 256 characters).</summary>
    public static Dictionary<string, string> Reenabled(string now, string because, string usedBy) => Tags(
        (RetentionTags.ReenabledAt, now),
        (RetentionTags.ReenabledBecause, TagValue(because)),
        (RetentionTags.UsedBy, TagValue(usedBy)));

    private static Dictionary<string, string> Tags(params (string Key, string Value)[] tags)
    {
        var dictionary = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in tags)
        {
            dictionary[key] = value;
        }

        return dictionary;
    }

    /// <summary>KMS tag values are at most 256 characters.</summary>
    private static string TagValue(string value) => value.Length <= 256 ? value : value[..256];

    /// <summary>
    /// A proof as a tag value: only the characters every AWS tagging API accepts (letters, digits, spaces and
    /// _ . : / = + - @; anything else becomes a space), at most 256 of them.
    /// </summary>
    internal static string ProofValue(string proof) =>
        TagValue(new string([.. proof.Select(c => char.IsLetterOrDigit(c) || c is ' ' or '_' or '.' or ':' or '/' or '=' or '+' or '-' or '@' ? c : ' ')]));
}
