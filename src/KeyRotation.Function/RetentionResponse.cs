using System.Text.Json.Serialization;
using KeyRotation.Core.Retention;

namespace KeyRotation.Function;

/// <summary>The retention function's response: every key acted on (or that would be, in a dry run), and every alias left alone.</summary>
internal sealed record RetentionResponse(
    [property: JsonPropertyName("runId")] string RunId,
    [property: JsonPropertyName("mode")] string Mode,
    [property: JsonPropertyName("dryRun")] bool DryRun,
    [property: JsonPropertyName("actions")] IReadOnlyList<RetentionActionResult> Actions,
    [property: JsonPropertyName("skipped")] IReadOnlyList<RetentionSkip> Skipped,
    [property: JsonPropertyName("notificationError")] string? NotificationError,
    [property: JsonPropertyName("eventError"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? EventError = null)
{
    public static RetentionResponse From(RetentionReport report, string mode) => new(
        report.RunId,
        mode,
        report.DryRun,
        [.. report.Results.Where(r => r.Step.Action != RetentionAction.Keep || r.Outcome == RetentionOutcome.Failed).Select(RetentionActionResult.From)],
        [.. report.Skipped.Select(s => new RetentionSkip(s.Step.Alias, s.Step.KeyId.Length == 0 ? null : s.Step.KeyId, s.Step.Reason))],
        report.NotificationError,
        report.EventError);
}

/// <summary>One key (or marker alias) acted on.</summary>
internal sealed record RetentionActionResult(
    [property: JsonPropertyName("alias")] string Alias,
    [property: JsonPropertyName("keyId")] string KeyId,
    [property: JsonPropertyName("markerAlias"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? MarkerAlias,
    [property: JsonPropertyName("action")] RetentionAction Action,
    [property: JsonPropertyName("outcome")] RetentionOutcome Outcome,
    [property: JsonPropertyName("deletionCancelled")] bool DeletionCancelled,
    [property: JsonPropertyName("reason")] string Reason,
    [property: JsonPropertyName("error"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Error)
{
    public static RetentionActionResult From(RetentionResult result) =>
        new(result.Step.Alias, result.Step.KeyId, result.Step.MarkerAlias, result.Step.Action, result.Outcome, result.DeletionCancelled, result.Step.Reason, result.Error);
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
