using System.Globalization;
using System.Text.Json;
using KeyRotation.Core;

namespace KeyRotation.Function;

/// <summary>How the function was invoked.</summary>
internal enum InvocationKind
{
    /// <summary>An EventBridge rule's "Scheduled Event".</summary>
    ScheduledEvent,

    /// <summary>An EventBridge Scheduler payload.</summary>
    Scheduler,

    /// <summary>From the Lambda console, the CLI or a test: {} or {"aliases":[...],"dryRun":bool,"force":bool,"changeOrigin":bool}.</summary>
    Manual,

    /// <summary>A batch of the continuation queue's messages (the SQS event source): {"Records":[{"eventSource":"aws:sqs",...}]}.</summary>
    Continuation,

    /// <summary>The compliance report, changing nothing: {"report":{}} or {"report":{"aliases":[...]}} (InvocationEvent.Report.cs).</summary>
    Report,
}

/// <summary>
/// A parsed invocation event. Anything that is not one of the three documented shapes is refused with a message
/// that says what was wrong, before any AWS call.
/// </summary>
internal sealed partial record InvocationEvent
{
    private static readonly string[] ManualFields = ["aliases", "dryRun", "force", "changeOrigin"];
    private static readonly string[] SchedulerFields = ["trigger", "scheduledTime"];

    public required InvocationKind Kind { get; init; }

    /// <summary>The schedule slot for scheduled invocations.</summary>
    public DateTimeOffset? ScheduleSlot { get; init; }

    /// <summary>Aliases named by a manual event; null: every configured alias.</summary>
    public IReadOnlyList<string>? Aliases { get; init; }

    /// <summary>Dry run asked for by a manual event; null: the configured default.</summary>
    public bool? DryRun { get; init; }

    public bool Force { get; init; }

    /// <summary>Give new keys the configured origin even where the current key has the other one (manual events only).</summary>
    public bool ChangeOrigin { get; init; }

    /// <summary>The messages of a continuation batch, in the order delivered.</summary>
    public IReadOnlyList<QueuedContinuation>? Continuations { get; init; }

    public static Task<InvocationEvent> ReadAsync(Stream input, CancellationToken cancellationToken) =>
        ReadJsonAsync(input, Parse, cancellationToken);

    /// <summary>Parses an event stream as JSON and hands its root to <paramref name="parse"/>; invalid JSON is refused with the parser's reason.</summary>
    internal static async Task<T> ReadJsonAsync<T>(Stream input, Func<JsonElement, T> parse, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        JsonDocument document;
        try
        {
            document = await JsonDocument.ParseAsync(input, default, cancellationToken);
        }
        catch (JsonException ex)
        {
            throw new InvalidEventException($"The event is not valid JSON: {ex.Message}");
        }

        using (document)
        {
            return parse(document.RootElement);
        }
    }

    public static InvocationEvent Parse(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new InvalidEventException($"The event must be a JSON object, not {Describe(root.ValueKind)}. Use {{}} to rotate every configured alias.");
        }

        if (root.TryGetProperty("detail-type", out _) || root.TryGetProperty("source", out _))
        {
            return ParseScheduledEvent(root);
        }

        if (root.TryGetProperty("Records", out _))
        {
            return ParseQueueRecords(root);
        }

        if (root.TryGetProperty("trigger", out _))
        {
            return ParseSchedulerPayload(root);
        }

        if (root.TryGetProperty("report", out _))
        {
            return ParseReport(root);
        }

        return ParseManual(root);
    }

    private static InvocationEvent ParseScheduledEvent(JsonElement root)
    {
        var source = StringProperty(root, "source", "an EventBridge event");
        var detailType = StringProperty(root, "detail-type", "an EventBridge event");
        if (source != "aws.events" || detailType != "Scheduled Event")
        {
            throw new InvalidEventException($"Only EventBridge scheduled events are accepted (source \"aws.events\", detail-type \"Scheduled Event\"); this one has source \"{source}\" and detail-type \"{detailType}\".");
        }

        return new InvocationEvent
        {
            Kind = InvocationKind.ScheduledEvent,
            ScheduleSlot = ParseTime(StringProperty(root, "time", "an EventBridge scheduled event"), "time"),
        };
    }

    private static InvocationEvent ParseSchedulerPayload(JsonElement root)
    {
        RefuseUnknown(root, SchedulerFields, "A scheduler payload");
        var trigger = StringProperty(root, "trigger", "a scheduler payload");
        if (trigger != "schedule")
        {
            throw new InvalidEventException($"\"trigger\" must be \"schedule\", not \"{trigger}\".");
        }

        return new InvocationEvent
        {
            Kind = InvocationKind.Scheduler,
            ScheduleSlot = ParseTime(StringProperty(root, "scheduledTime", "a scheduler payload"), "scheduledTime"),
        };
    }

    private static InvocationEvent ParseManual(JsonElement root)
    {
        RefuseUnknown(root, ManualFields, "A manual event");
        List<string>? aliases = null;
        if (root.TryGetProperty("aliases", out var list))
        {
            if (list.ValueKind != JsonValueKind.Array)
            {
                throw new InvalidEventException($"\"aliases\" must be an array of alias names, not {Describe(list.ValueKind)}.");
            }

            aliases = [];
            foreach (var item in list.EnumerateArray())
            {
                if (item.ValueKind != JsonValueKind.String)
                {
                    throw new InvalidEventException($"\"aliases\" must hold alias names (strings), not {Describe(item.ValueKind)}.");
                }

                var name = item.GetString()!;
                if (AliasNames.Validate(name) is { } problem)
                {
                    throw new InvalidEventException($"\"aliases\": {problem}.");
                }

                if (!aliases.Contains(name, StringComparer.Ordinal))
                {
                    aliases.Add(name);
                }
            }

            if (aliases.Count == 0)
            {
                throw new InvalidEventException("\"aliases\" is empty; leave it out to rotate every configured alias.");
            }
        }

        return new InvocationEvent
        {
            Kind = InvocationKind.Manual,
            Aliases = aliases,
            DryRun = OptionalBool(root, "dryRun"),
            Force = OptionalBool(root, "force") ?? false,
            ChangeOrigin = OptionalBool(root, "changeOrigin") ?? false,
        };
    }

    private static void RefuseUnknown(JsonElement root, string[] known, string what)
    {
        foreach (var property in root.EnumerateObject())
        {
            if (!known.Contains(property.Name, StringComparer.Ordinal))
            {
                throw new InvalidEventException($"{what} has no field \"{property.Name}\"; it may have {string.Join(", ", known.Select(k => $"\"{k}\""))}.");
            }
        }
    }

    private static string StringProperty(JsonElement root, string name, string what)
    {
        if (!root.TryGetProperty(name, out var value) || value.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(value.GetString()))
        {
            throw new InvalidEventException($"{char.ToUpperInvariant(what[0])}{what[1..]} needs \"{name}\" as a non-empty string.");
        }

        return value.GetString()!;
    }

    private static bool? OptionalBool(JsonElement root, string name)
    {
        if (!root.TryGetProperty(name, out var value))
        {
            return null;
        }

        return value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw new InvalidEventException($"\"{name}\" must be true or false, not {Describe(value.ValueKind)}."),
        };
    }

    private static DateTimeOffset ParseTime(string text, string field)
    {
        if (!DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time)
            || !text.Contains('T', StringComparison.Ordinal))
        {
            throw new InvalidEventException($"\"{field}\" must be an ISO 8601 time such as 2026-01-01T03:00:00Z, not \"{text}\".");
        }

        // A schedule slot is a minute: deliveries of one slot a few seconds apart are the same slot.
        return new DateTimeOffset(time.Year, time.Month, time.Day, time.Hour, time.Minute, 0, TimeSpan.Zero);
    }

    internal static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        _ => "an object",
    };
}

/// <summary>The invocation event is not one of the accepted shapes; nothing was called.</summary>
public sealed class InvalidEventException : Exception
{
    public InvalidEventException(string message)
        : base(message)
    {
    }

    public InvalidEventException()
    {
    }

    public InvalidEventException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
