using System.Globalization;
using System.Text.Json;
using KeyRotation.Core.Retention;

namespace KeyRotation.Function;

/// <summary>
/// An invocation of the retention function: the rotation function's schedule and manual shapes (<see cref="InvocationEvent"/>,
/// without "force"), or an EventBridge "AWS API Call via CloudTrail" event of a KMS call that failed because the key is
/// disabled or pending deletion. Anything else is refused before any AWS call.
/// </summary>
internal sealed record RetentionEvent
{
    public const string CloudTrailDetailType = "AWS API Call via CloudTrail";

    /// <summary>A scheduled or manual run; null for an attempted use.</summary>
    public InvocationEvent? Run { get; init; }

    /// <summary>The attempted use a CloudTrail event reported; null for a run.</summary>
    public AttemptedUse? AttemptedUse { get; init; }

    public static Task<RetentionEvent> ReadAsync(Stream input, CancellationToken cancellationToken) =>
        InvocationEvent.ReadJsonAsync(input, Parse, cancellationToken);

    public static RetentionEvent Parse(JsonElement root)
    {
        if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("detail-type", out var type) && type.ValueKind == JsonValueKind.String && type.GetString() == CloudTrailDetailType)
        {
            return new RetentionEvent { AttemptedUse = ParseCloudTrail(root) };
        }

        var run = InvocationEvent.Parse(root);
        if (run.Force)
        {
            throw new InvalidEventException("\"force\" is a rotation option; retention has none: its waiting periods are DISABLE_AFTER_DAYS and DELETE_AFTER_DAYS.");
        }

        return new RetentionEvent { Run = run };
    }

    private static AttemptedUse ParseCloudTrail(JsonElement root)
    {
        if (!root.TryGetProperty("source", out var source) || source.ValueKind != JsonValueKind.String || source.GetString() != "aws.kms")
        {
            throw new InvalidEventException("Only CloudTrail events of KMS calls (source \"aws.kms\") are accepted.");
        }

        if (!root.TryGetProperty("detail", out var detail) || detail.ValueKind != JsonValueKind.Object)
        {
            throw new InvalidEventException("The CloudTrail event has no \"detail\" object.");
        }

        var errorCode = Text(detail, "errorCode");
        if (errorCode is null || !AttemptedUse.ErrorCodes.Contains(errorCode, StringComparer.Ordinal))
        {
            throw new InvalidEventException($"The CloudTrail event's errorCode is {(errorCode is null ? "missing" : $"\"{errorCode}\"")}; only {string.Join(" and ", AttemptedUse.ErrorCodes)} (a disabled key or one pending deletion) are handled.");
        }

        var key = KeyArnOf(detail) ?? (detail.TryGetProperty("requestParameters", out var request) && request.ValueKind == JsonValueKind.Object ? Text(request, "keyId") : null)
            ?? throw new InvalidEventException("The CloudTrail event names no key (neither resources[].ARN nor requestParameters.keyId).");
        var identity = detail.TryGetProperty("userIdentity", out var user) && user.ValueKind == JsonValueKind.Object
            ? Text(user, "arn") ?? Text(user, "principalId") ?? Text(user, "type")
            : null;
        var eventTime = Text(detail, "eventTime");
        return new AttemptedUse
        {
            Key = key,
            EventName = Text(detail, "eventName") ?? "an unknown call",
            ErrorCode = errorCode,
            UsedBy = identity ?? "an unknown caller",
            EventTime = DateTimeOffset.TryParse(eventTime, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time) ? time : null,
        };
    }

    private static string? KeyArnOf(JsonElement detail)
    {
        if (!detail.TryGetProperty("resources", out var resources) || resources.ValueKind != JsonValueKind.Array)
        {
            return null;
        }

        return resources.EnumerateArray()
            .Where(r => r.ValueKind == JsonValueKind.Object && Text(r, "type") == "AWS::KMS::Key")
            .Select(r => Text(r, "ARN"))
            .FirstOrDefault(arn => arn is not null);
    }

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } text ? text : null;
}
