using System.Text.Json.Serialization;
using KeyRotation.Core;

namespace KeyRotation.Function;

/// <summary>The invocation's response: the contract in docs/events.md.</summary>
internal sealed record RotationResponse(
    [property: JsonPropertyName("rotationId")] string RotationId,
    [property: JsonPropertyName("dryRun")] bool DryRun,
    [property: JsonPropertyName("results")] IReadOnlyList<AliasResult> Results)
{
    public static RotationResponse From(RotationReport report) =>
        new(report.RotationId, report.DryRun, [.. report.Results.Select(AliasResult.From)]);
}

/// <summary>One alias in the response.</summary>
internal sealed record AliasResult(
    [property: JsonPropertyName("alias")] string Alias,
    [property: JsonPropertyName("outcome")] RotationOutcome Outcome,
    [property: JsonPropertyName("previousKeyId")] string? PreviousKeyId,
    [property: JsonPropertyName("newKeyId")] string? NewKeyId,
    [property: JsonPropertyName("reason")] string Reason,
    [property: JsonPropertyName("notificationError")] string? NotificationError,
    [property: JsonPropertyName("method")] string? Method,
    [property: JsonPropertyName("postMoveHookError"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? PostMoveHookError = null,
    [property: JsonPropertyName("eventError"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? EventError = null)
{
    public static AliasResult From(AliasRotationResult result) =>
        new(result.Alias, result.Outcome, result.PreviousKeyId, result.NewKeyId, result.Reason, result.NotificationError, result.Method is { } method ? RotationStrategyNames.Name(method) : null, result.PostMoveHookError, result.EventError);
}

/// <summary>One log line on stdout.</summary>
internal sealed record LogLine(
    [property: JsonPropertyName("time")] string Time,
    [property: JsonPropertyName("level")] string Level,
    [property: JsonPropertyName("message")] string Message,
    [property: JsonPropertyName("rotationId")] string? RotationId,
    [property: JsonPropertyName("alias")] string? Alias,
    [property: JsonPropertyName("keyId")] string? KeyId,
    [property: JsonPropertyName("newKeyId")] string? NewKeyId,
    [property: JsonPropertyName("response"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] RotationResponse? Response = null);

/// <summary>Source-generated serialization: no reflection at run time, created once per container.</summary>
[JsonSourceGenerationOptions(
    DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    UseStringEnumConverter = true)]
[JsonSerializable(typeof(RotationResponse))]
[JsonSerializable(typeof(LogLine))]
[JsonSerializable(typeof(BatchResponse))]
internal sealed partial class FunctionJsonContext : JsonSerializerContext;

/// <summary>The answer to an SQS batch (ReportBatchItemFailures): the messages to deliver again, by message id.</summary>
internal sealed record BatchResponse(
    [property: JsonPropertyName("batchItemFailures")] IReadOnlyList<BatchItemFailure> BatchItemFailures);

/// <summary>One message of the batch that was not handled.</summary>
internal sealed record BatchItemFailure(
    [property: JsonPropertyName("itemIdentifier")] string ItemIdentifier);
