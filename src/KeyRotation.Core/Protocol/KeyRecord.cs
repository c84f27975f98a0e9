using System.Globalization;
using KeyRotation.Core.Retention;

namespace KeyRotation.Core.Protocol;

/// <summary>
/// A key's rotation state as its <c>keyrotation:</c> tags record it, parsed in this one place: its place in its alias's
/// chain (generation, predecessor, successor, move number), its lifecycle, rollback, material, escrow and retention
/// marks. Code outside the protocol reads a key's state through this record and never through a tag name;
/// <see cref="KeyRecordTags"/> is the one writer of these tags.
/// </summary>
internal sealed record KeyRecord
{
    /// <summary>The tag naming the alias, for messages that tell an operator which tag is missing.</summary>
    public const string AliasTag = RotationTags.Alias;

    /// <summary>The tag naming the escrow object, for messages that tell an operator which tag to check.</summary>
    public const string EscrowObjectTag = RotationTags.EscrowObject;

    /// <summary>The record of a key with none of this tool's tags (an alias's first key, or a key never touched).</summary>
    public static readonly KeyRecord Untagged = new();

    /// <summary>The alias the key was created for (or restored to by rollback).</summary>
    public string? Alias { get; init; }

    /// <summary>The run that created the key.</summary>
    public string? RotationId { get; init; }

    /// <summary>The key this one replaced; null on a key this tool did not create.</summary>
    public string? PreviousKeyId { get; init; }

    /// <summary>The key the alias moved to from this one; null while the key is current.</summary>
    public string? SuccessorKeyId { get; init; }

    /// <summary>The key's place in the chain as tagged; null when untagged (see <see cref="GenerationOr"/>).</summary>
    public long? Generation { get; init; }

    /// <summary>The alias-move number this key carries (0 when the tool never moved the alias to it).</summary>
    public long Sequence { get; init; }

    /// <summary>This tool's lifecycle tag (pending, active, retired, restoring); null on a key the tool never tagged.</summary>
    public string? State { get; init; }

    /// <summary>The schedule slot the key was created for, as written.</summary>
    public string? ScheduleSlot { get; init; }

    public string? RetiredAt { get; init; }

    public string? RestoredAt { get; init; }

    /// <summary>On a key restored by rollback: the key the alias was rolled back from.</summary>
    public string? RestoredFrom { get; init; }

    public string? RolledBackAt { get; init; }

    /// <summary>On a key with imported material: the escrow object holding the material it holds (or is importing).</summary>
    public string? EscrowObject { get; init; }

    /// <summary>The strategy the operator set for the alias on this key (new-key, material, auto), as written.</summary>
    public string? Strategy { get; init; }

    /// <summary>The cryptoperiod the operator set for the alias on this key, in days as written (checked by ComplianceSettings).</summary>
    public string? MaxKeyAgeDays { get; init; }
    /// <summary>The pre-move hook the operator set for the alias on this key (a Lambda function ARN, or none), as written.</summary>
    public string? PreMoveHook { get; init; }

    /// <summary>The post-move hook the operator set for the alias on this key, as written.</summary>
    public string? PostMoveHook { get; init; }

    /// <summary>The move whose new generation the pre-move hook accepted (tagged on the key the move starts from); null when none.</summary>
    public long? TestedMove { get; init; }

    /// <summary>The KeyMaterialId this tool's last material rotation made current.</summary>
    public string? KeyMaterialId { get; init; }

    /// <summary>When this tool last rotated the key's material, as written.</summary>
    public string? MaterialRotatedAt { get; init; }

    /// <summary>When retention disabled the key, as written; null when it did not.</summary>
    public string? DisabledAt { get; init; }

    /// <summary>When retention enabled the key again because someone used it; such a key is never disabled again.</summary>
    public string? ReenabledAt { get; init; }

    /// <summary>Who tried to use the key when retention enabled it again (a CloudTrail identity ARN).</summary>
    public string? UsedBy { get; init; }

    /// <summary>True when the key is tagged retired (the alias moved on from it).</summary>
    public bool IsRetired => State == RotationTags.KeyStates.Retired;

    /// <summary>True when this tool created the key (it names its predecessor); the alias's first key is not.</summary>
    public bool CreatedByTool => PreviousKeyId is not null;

    /// <summary>The tagged generation, or <paramref name="untagged"/> for a key without (or with a malformed) generation tag.</summary>
    public long GenerationOr(long untagged) => Generation ?? untagged;

    /// <summary>Parses a key's tags (every tag the key has; others than this tool's are ignored).</summary>
    public static KeyRecord From(IReadOnlyDictionary<string, string> tags)
    {
        ArgumentNullException.ThrowIfNull(tags);
        return new KeyRecord
        {
            Alias = tags.GetValueOrDefault(RotationTags.Alias),
            RotationId = tags.GetValueOrDefault(RotationTags.RotationId),
            PreviousKeyId = tags.GetValueOrDefault(RotationTags.PreviousKey),
            SuccessorKeyId = tags.GetValueOrDefault(RotationTags.SuccessorKey),
            Generation = ReadLong(tags, RotationTags.Generation),
            Sequence = ReadLong(tags, RotationTags.Sequence) ?? 0,
            State = tags.GetValueOrDefault(RotationTags.State),
            ScheduleSlot = tags.GetValueOrDefault(RotationTags.ScheduleSlot),
            RetiredAt = tags.GetValueOrDefault(RotationTags.RetiredAt),
            RestoredAt = tags.GetValueOrDefault(RotationTags.RestoredAt),
            RestoredFrom = tags.GetValueOrDefault(RotationTags.RestoredFrom),
            RolledBackAt = tags.GetValueOrDefault(RotationTags.RolledBackAt),
            EscrowObject = tags.GetValueOrDefault(RotationTags.EscrowObject),
            Strategy = tags.GetValueOrDefault(RotationTags.Strategy),
            MaxKeyAgeDays = tags.GetValueOrDefault(RotationTags.MaxKeyAgeDays),
            PreMoveHook = tags.GetValueOrDefault(RotationTags.PreMoveHook),
            PostMoveHook = tags.GetValueOrDefault(RotationTags.PostMoveHook),
            TestedMove = ReadLong(tags, RotationTags.Tested),
            KeyMaterialId = tags.GetValueOrDefault(RotationTags.KeyMaterialId),
            MaterialRotatedAt = tags.GetValueOrDefault(RotationTags.MaterialRotatedAt),
            DisabledAt = tags.GetValueOrDefault(RetentionTags.DisabledAt),
            ReenabledAt = tags.GetValueOrDefault(RetentionTags.ReenabledAt),
            UsedBy = tags.GetValueOrDefault(RetentionTags.UsedBy),
        };
    }

    /// <summary>A whole-number tag (digits only); null when absent or malformed.</summary>
    internal static long? ReadLong(IReadOnlyDictionary<string, string> tags, string key) =>
        tags.TryGetValue(key, out var text) && long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : null;
}
