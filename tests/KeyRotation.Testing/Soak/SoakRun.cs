using System.Text.Json;

namespace KeyRotation.Testing.Soak;

/// <summary>One alias in a run's response: the contract's result fields.</summary>
internal sealed record SoakResult(string Alias, string Outcome, string? NewKeyId, string? Reason);

/// <summary>
/// What one invocation left behind: the scheduled run's results (from its answer, or from the log line that carries the
/// response when the invocation failed), an SQS batch's answer, or the exception it ended with.
/// </summary>
internal sealed record SoakRun(string Label, JsonElement? Answer, IReadOnlyList<SoakResult>? Results, bool Started, string? Error)
{
    public TimeSpan Elapsed { get; init; }

    public bool IsBatch => Answer is { } answer && answer.TryGetProperty("batchItemFailures", out _);

    public static SoakRun Of(string label, JsonElement? answer, Exception? error, string log)
    {
        JsonElement? response = answer is { } a && a.TryGetProperty("results", out _) ? a : null;
        var started = false;
        foreach (var line in log.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            using var entry = JsonDocument.Parse(line);
            var root = entry.RootElement;
            started |= root.TryGetProperty("message", out var message) && message.GetString()!.StartsWith("Started a ", StringComparison.Ordinal);
            if (response is null && root.TryGetProperty("response", out var logged))
            {
                response = logged.Clone();
            }
        }

        var results = response?.GetProperty("results").EnumerateArray().Select(r => new SoakResult(
            r.GetProperty("alias").GetString()!,
            r.GetProperty("outcome").GetString()!,
            Text(r, "newKeyId"),
            Text(r, "reason"))).ToList();
        return new SoakRun(label, answer, results, started, error is null ? null : $"{error.GetType().Name}: {error.Message}");
    }

    private static string? Text(JsonElement result, string name) =>
        result.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
