using System.Text.Json.Serialization;

namespace KeyRotation.Core.Events;

/// <summary>
/// The detail-types of this tool's lifecycle events, exactly as rules match them (docs/events.md, section Lifecycle events on EventBridge); each has its
/// JSON Schema in docs/events/.
/// </summary>
public static class LifecycleDetailTypes
{
    public const string RotationStarted = "Key Rotation Started";
    public const string Rotated = "Key Rotated";
    public const string RotationFailed = "Key Rotation Failed";
    public const string RolledBack = "Key Rotation Rolled Back";
    public const string GenerationDisabled = "Key Generation Disabled";
    public const string GenerationScheduledForDeletion = "Key Generation Scheduled For Deletion";
    public const string GenerationReenabled = "Key Generation Re-enabled";
    public const string AliasRotationOverdue = "Alias Rotation Overdue";

    public static IReadOnlyList<string> All { get; } =
    [
        RotationStarted, Rotated, RotationFailed, RolledBack, GenerationDisabled, GenerationScheduledForDeletion, GenerationReenabled, AliasRotationOverdue,
    ];
}

/// <summary>One lifecycle event: its detail-type, its detail, the key ARNs rules can match on, and when it happened.</summary>
public sealed record LifecycleEvent(string DetailType, LifecycleEventDetail Detail, IReadOnlyList<string> Resources, DateTimeOffset Time);

/// <summary>
/// The detail of every lifecycle event, one shape for all detail-types (fields that do not apply are null). Names are
/// kebab-case as in KMS's own "KMS CMK Rotation" event, whose <c>key-id</c> this shares.
/// </summary>
public sealed record LifecycleEventDetail
{
    [JsonPropertyName("alias")]
    public required string Alias { get; init; }

    [JsonPropertyName("account")]
    public string? Account { get; init; }

    [JsonPropertyName("region")]
    public string? Region { get; init; }

    /// <summary>The key the alias pointed at before the transition (for retention: null).</summary>
    [JsonPropertyName("previous-key-arn")]
    public string? PreviousKeyArn { get; init; }

    /// <summary>The key the alias points at after the transition (for retention: null).</summary>
    [JsonPropertyName("new-key-arn")]
    public string? NewKeyArn { get; init; }

    /// <summary>The key id the event is about, as KMS's rotation event names it.</summary>
    [JsonPropertyName("key-id")]
    public string? KeyId { get; init; }

    /// <summary>The key's place in the alias's chain (keyrotation:generation); null when not known or, for a material rotation, unchanged.</summary>
    [JsonPropertyName("generation")]
    public long? Generation { get; init; }

    /// <summary><c>new-key</c> or <c>material</c>; null when no method was chosen (retention, a refusal before deciding).</summary>
    [JsonPropertyName("strategy")]
    public string? Strategy { get; init; }

    [JsonPropertyName("run-id")]
    public required string RunId { get; init; }

    /// <summary>Rotated, Failed, Started, RolledBack, Disabled, ScheduledForDeletion, Reenabled or Overdue.</summary>
    [JsonPropertyName("outcome")]
    public required string Outcome { get; init; }

    [JsonPropertyName("reason")]
    public required string Reason { get; init; }

    /// <summary>Alias Rotation Overdue only: when the rotation was due.</summary>
    [JsonPropertyName("due-at"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? DueAt { get; init; }

    /// <summary>Alias Rotation Overdue only: the current key's age in whole days.</summary>
    [JsonPropertyName("age-days"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public long? AgeDays { get; init; }

    /// <summary>Key Generation Re-enabled only: true when a scheduled deletion was cancelled first.</summary>
    [JsonPropertyName("deletion-cancelled"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public bool? DeletionCancelled { get; init; }

    /// <summary>The detail as the JSON string PutEvents carries.</summary>
    public string ToJson() => System.Text.Json.JsonSerializer.Serialize(this, LifecycleEventJson.Default.LifecycleEventDetail);
}

/// <summary>Source-generated serialization of the detail: null fields are written as null, so every detail has every common field.</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(LifecycleEventDetail))]
internal sealed partial class LifecycleEventJson : JsonSerializerContext;
