using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using KeyRotation.Core.Compliance;
using KeyRotation.Core.Retention;

namespace KeyRotation.Function;

/// <summary>
/// The retention function's response: every key acted on (or that would be, in a dry run) with the proof of non-use
/// its retirement read, every retirement the proof refused (the key is still used), and every alias left alone.
/// </summary>
internal sealed record RetentionResponse(
    [property: JsonPropertyName("runId")] string RunId,
    [property: JsonPropertyName("mode")] string Mode,
    [property: JsonPropertyName("dryRun")] bool DryRun,
    [property: JsonPropertyName("actions")] IReadOnlyList<RetentionActionResult> Actions,
    [property: JsonPropertyName("refused")] IReadOnlyList<RetentionRefusal> Refused,
    [property: JsonPropertyName("skipped")] IReadOnlyList<RetentionSkip> Skipped,
    [property: JsonPropertyName("notificationError")] string? NotificationError,
    [property: JsonPropertyName("eventError"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? EventError = null)
{
    public static RetentionResponse From(RetentionReport report, string mode) => new(
        report.RunId,
        mode,
        report.DryRun,
        [.. report.Results.Where(r => r.Step.Action != RetentionAction.Keep || r.Outcome == RetentionOutcome.Failed).Select(RetentionActionResult.From)],
        [.. report.Refused.Select(RetentionRefusal.From)],
        [.. report.Skipped.Select(s => new RetentionSkip(s.Step.Alias, s.Step.KeyId.Length == 0 ? null : s.Step.KeyId, s.Step.Reason))],
        report.NotificationError,
        report.EventError);
}

/// <summary>A retirement step the proof of non-use refused: the key is kept, and why (which use, when, which CloudTrail event).</summary>
internal sealed record RetentionRefusal(
    [property: JsonPropertyName("alias")] string Alias,
    [property: JsonPropertyName("keyId")] string KeyId,
    [property: JsonPropertyName("generation")] long Generation,
    [property: JsonPropertyName("refusedAction")] RetentionAction RefusedAction,
    [property: JsonPropertyName("reason")] string Reason,
    [property: JsonPropertyName("proof")] RetentionProofJson Proof)
{
    public static RetentionRefusal From(RetentionResult result) =>
        new(result.Step.Alias, result.Step.KeyId, result.Step.Generation, result.Step.Refused!.Value, result.Step.Reason, RetentionProofJson.From(result.Step.Proof!));
}

/// <summary>The proof of non-use of one step: the verdict, its sentence, and GetKeyLastUsage's answer for the key and each replica.</summary>
internal sealed record RetentionProofJson(
    [property: JsonPropertyName("verdict")] RetirementVerdict Verdict,
    [property: JsonPropertyName("readAt")] string ReadAt,
    [property: JsonPropertyName("retireUnusedForDays")] int WindowDays,
    [property: JsonPropertyName("summary")] string Summary,
    [property: JsonPropertyName("keys")] IReadOnlyList<RetentionKeyUseJson> Keys,
    [property: JsonPropertyName("consumers"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] JsonObject? Consumers)
{
    public static RetentionProofJson From(RetirementProof proof) => new(
        proof.Verdict,
        Core.RecordedTime.Format(proof.ReadAt),
        proof.WindowDays,
        proof.Describe(),
        [.. proof.Keys.Select(k => new RetentionKeyUseJson(k.KeyId, k.Region, k.Finding, k.Description, k.ProvenUnusedDays, k.Operation, k.LastUsedAt is { } at ? Core.RecordedTime.Format(at) : null, k.CloudTrailEventId))],
        proof.Consumers is { } consumers ? ConsumersJson.ForRetirement(consumers) : null);
}

/// <summary>GetKeyLastUsage's answer for one key of a proof (the key itself, region null, or a replica).</summary>
internal sealed record RetentionKeyUseJson(
    [property: JsonPropertyName("keyId")] string KeyId,
    [property: JsonPropertyName("region")] string? Region,
    [property: JsonPropertyName("finding")] KeyUseFinding Finding,
    [property: JsonPropertyName("description")] string Description,
    [property: JsonPropertyName("provenUnusedDays")] int? ProvenUnusedDays,
    [property: JsonPropertyName("operation"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Operation,
    [property: JsonPropertyName("lastUsedAt"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? LastUsedAt,
    [property: JsonPropertyName("cloudTrailEventId"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? CloudTrailEventId);

/// <summary>One key (or marker alias) acted on.</summary>
internal sealed record RetentionActionResult(
    [property: JsonPropertyName("alias")] string Alias,
    [property: JsonPropertyName("keyId")] string KeyId,
    [property: JsonPropertyName("markerAlias"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? MarkerAlias,
    [property: JsonPropertyName("action")] RetentionAction Action,
    [property: JsonPropertyName("outcome")] RetentionOutcome Outcome,
    [property: JsonPropertyName("deletionCancelled")] bool DeletionCancelled,
    [property: JsonPropertyName("reason")] string Reason,
    [property: JsonPropertyName("error"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Error,
    [property: JsonPropertyName("proof"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] RetentionProofJson? Proof)
{
    public static RetentionActionResult From(RetentionResult result) =>
        new(result.Step.Alias, result.Step.KeyId, result.Step.MarkerAlias, result.Step.Action, result.Outcome, result.DeletionCancelled, result.Step.Reason, result.Error, result.Step.Proof is { } p ? RetentionProofJson.From(p) : null);
}

/// <summary>An alias (or an attempted-use key) left alone, and why.</summary>
internal sealed record RetentionSkip(
    [property: JsonPropertyName("alias")] string Alias,
    [property: JsonPropertyName("keyId"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? KeyId,
    [property: JsonPropertyName("reason")] string Reason);

/// <summary>Source-generated serialization of the retention response, created once per container.</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.Never, UseStringEnumConverter = true)]
[JsonSerializable(typeof(RetentionResponse))]
internal sealed partial class RetentionJsonContext : JsonSerializerContext;
