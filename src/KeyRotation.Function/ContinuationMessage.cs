using System.Globalization;
using System.Text.Json;
using KeyRotation.Core;

namespace KeyRotation.Function;

/// <summary>
/// The body of one continuation message: one alias a run could not start before its deadline, with that run's rotation
/// id, schedule slot and flags, so the invocation that takes it rotates the alias as the original run would have, and a
/// second delivery changes nothing (the new key records the rotation id and the slot). The contract in docs/events.md.
/// </summary>
internal sealed record ContinuationMessage
{
    private static readonly string[] Fields = ["rotationId", "alias", "scheduleSlot", "dryRun", "force", "changeOrigin"];

    public required string RotationId { get; init; }

    public required string Alias { get; init; }

    public DateTimeOffset? ScheduleSlot { get; init; }

    public bool DryRun { get; init; }

    public bool Force { get; init; }

    public bool ChangeOrigin { get; init; }

    /// <summary>The continuation of <paramref name="alias"/> for <paramref name="request"/>.</summary>
    public static ContinuationMessage For(RotationRequest request, string alias)
    {
        ArgumentNullException.ThrowIfNull(request);
        return new ContinuationMessage
        {
            RotationId = request.RotationId,
            Alias = alias,
            ScheduleSlot = request.ScheduleSlot,
            DryRun = request.DryRun,
            Force = request.Force,
            ChangeOrigin = request.ChangeOrigin,
        };
    }

    /// <summary>The request that continues the run: same id, slot and flags; its own deadline.</summary>
    public RotationRequest ToRequest(IReadOnlyList<string> aliases, DateTimeOffset deadline) => new()
    {
        RotationId = RotationId,
        Aliases = aliases,
        ScheduleSlot = ScheduleSlot,
        DryRun = DryRun,
        Force = Force,
        ChangeOrigin = ChangeOrigin,
        Deadline = deadline,
    };

    public string ToJson()
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("rotationId", RotationId);
            writer.WriteString("alias", Alias);
            if (ScheduleSlot is { } slot)
            {
                writer.WriteString("scheduleSlot", RecordedTime.FormatSlot(slot));
            }

            writer.WriteBoolean("dryRun", DryRun);
            writer.WriteBoolean("force", Force);
            writer.WriteBoolean("changeOrigin", ChangeOrigin);
            writer.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>Parses a message body; anything else is refused with a message naming what was wrong.</summary>
    public static ContinuationMessage Parse(string body)
    {
        ArgumentNullException.ThrowIfNull(body);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body);
        }
        catch (JsonException ex)
        {
            throw new InvalidEventException($"The continuation message body is not valid JSON: {ex.Message}");
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new InvalidEventException("The continuation message body must be a JSON object with \"rotationId\" and \"alias\".");
            }

            foreach (var property in root.EnumerateObject())
            {
                if (!Fields.Contains(property.Name, StringComparer.Ordinal))
                {
                    throw new InvalidEventException($"A continuation message has no field \"{property.Name}\"; it may have {string.Join(", ", Fields.Select(f => $"\"{f}\""))}.");
                }
            }

            var rotationId = RequiredString(root, "rotationId");
            if (rotationId.Length > 128)
            {
                throw new InvalidEventException("\"rotationId\" of a continuation message must be at most 128 characters.");
            }

            var alias = RequiredString(root, "alias");
            if (AliasNames.Validate(alias) is { } problem)
            {
                throw new InvalidEventException($"\"alias\" of a continuation message: {problem}.");
            }

            DateTimeOffset? slot = null;
            if (root.TryGetProperty("scheduleSlot", out var slotValue) && slotValue.ValueKind != JsonValueKind.Null)
            {
                if (slotValue.ValueKind != JsonValueKind.String
                    || !DateTimeOffset.TryParseExact(slotValue.GetString(), "yyyy-MM-dd'T'HH:mm'Z'", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var parsed))
                {
                    throw new InvalidEventException($"\"scheduleSlot\" of a continuation message must be a slot such as 2026-12-01T03:00Z, not {slotValue.GetRawText()}.");
                }

                slot = parsed;
            }

            return new ContinuationMessage
            {
                RotationId = rotationId,
                Alias = alias,
                ScheduleSlot = slot,
                DryRun = OptionalBool(root, "dryRun"),
                Force = OptionalBool(root, "force"),
                ChangeOrigin = OptionalBool(root, "changeOrigin"),
            };
        }
    }

    private static string RequiredString(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && !string.IsNullOrWhiteSpace(value.GetString())
            ? value.GetString()!
            : throw new InvalidEventException($"A continuation message needs \"{name}\" as a non-empty string.");

    private static bool OptionalBool(JsonElement root, string name) =>
        !root.TryGetProperty(name, out var value) ? false : value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw new InvalidEventException($"\"{name}\" of a continuation message must be true or false."),
        };
}
