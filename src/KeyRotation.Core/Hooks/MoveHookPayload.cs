using System.Text;
using System.Text.Json;

namespace KeyRotation.Core.Hooks;

/// <summary>
/// What a hook function is sent (docs/hooks.md): which step, the alias, the new and the previous key's ARNs, the
/// strategy and the run. Key ids and ARNs only: a hook never sees key material.
/// </summary>
public sealed record MoveHookPayload(string Step, string Alias, string? NewKeyArn, string? PreviousKeyArn, string Strategy, string RunId)
{
    /// <summary>The step of the pre-move hook: the new generation is ready, the alias has not moved.</summary>
    public const string TestNewKey = "testNewKey";

    /// <summary>The step of the post-move hook: the alias moved (or the key's new material is current).</summary>
    public const string AfterMove = "afterMove";

    public string ToJson()
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("step", Step);
            json.WriteString("alias", Alias);
            json.WriteString("newKeyArn", NewKeyArn);
            json.WriteString("previousKeyArn", PreviousKeyArn);
            json.WriteString("strategy", Strategy);
            json.WriteString("runId", RunId);
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }
}

/// <summary>
/// Reads a pre-move hook's answer: <c>{"ok":true}</c> lets the alias move; <c>{"ok":false,"reason":"..."}</c>, a function
/// error or anything else is a refusal whose reason names the hook and, for an answer of another shape, quotes at most
/// <see cref="MaxQuoted"/> characters of it.
/// </summary>
internal static class MoveHookAnswer
{
    /// <summary>The most of a hook's own words a reason quotes.</summary>
    public const int MaxQuoted = 200;

    /// <summary>Null when the hook accepted the new generation, else why not.</summary>
    public static string? Refusal(MoveHookArn hook, HookAnswer answer)
    {
        ArgumentNullException.ThrowIfNull(hook);
        ArgumentNullException.ThrowIfNull(answer);
        if (answer.FunctionError is { } error)
        {
            return $"The pre-move hook {hook} failed ({error}): {Quote(ErrorMessage(answer.Payload) ?? answer.Payload)}";
        }

        JsonElement root;
        try
        {
            using var document = JsonDocument.Parse(answer.Payload);
            root = document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return Malformed(hook, answer.Payload);
        }

        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("ok", out var ok) || ok.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
        {
            return Malformed(hook, answer.Payload);
        }

        if (ok.ValueKind == JsonValueKind.True)
        {
            return null;
        }

        var reason = root.TryGetProperty("reason", out var given) ? given : default;
        return reason.ValueKind switch
        {
            JsonValueKind.String => $"The pre-move hook {hook} refused the new key: {Quote(reason.GetString()!)}",
            JsonValueKind.Undefined or JsonValueKind.Null => $"The pre-move hook {hook} refused the new key and gave no reason.",
            _ => Malformed(hook, answer.Payload),
        };
    }

    /// <summary>At most <see cref="MaxQuoted"/> characters of <paramref name="text"/>, quoted, marked when cut.</summary>
    public static string Quote(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return text.Length <= MaxQuoted ? $"'{text}'" : $"'{text[..MaxQuoted]}' (cut at {MaxQuoted} of {text.Length} characters)";
    }

    private static string Malformed(MoveHookArn hook, string payload) =>
        $"The pre-move hook {hook} answered {Quote(payload)}, which is not {{\"ok\":true}} or {{\"ok\":false,\"reason\":\"...\"}} (docs/hooks.md); the new key counts as not tested.";

    /// <summary>Lambda's error payload names the error in errorMessage; null when it does not.</summary>
    private static string? ErrorMessage(string payload)
    {
        try
        {
            using var document = JsonDocument.Parse(payload);
            return document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("errorMessage", out var message) && message.ValueKind == JsonValueKind.String
                ? message.GetString()
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
