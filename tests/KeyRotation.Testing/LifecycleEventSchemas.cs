using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;
using KeyRotation.Core;
using KeyRotation.Core.Configuration;
using KeyRotation.Core.Events;

namespace KeyRotation.Testing;

/// <summary>
/// The JSON Schemas of docs/events/ (one per detail-type, draft 2020-12), and the check every test applies to the
/// events it sees: the event as EventBridge delivers it to a rule's target must validate against its detail-type's schema.
/// </summary>
internal static class LifecycleEventSchemas
{
    private static readonly ConcurrentDictionary<string, JsonSchema> Loaded = new(StringComparer.Ordinal);

    /// <summary>The file name stem of a detail-type's schema and sample: "Key Rotated" is key-rotated.</summary>
    public static string Slug(string detailType) => detailType.ToLowerInvariant().Replace(' ', '-');

    /// <summary>The path of a detail-type's schema, from the repository root.</summary>
    public static string SchemaPath(string detailType) => Path.Combine(MarkdownPage.RepositoryRoot, "docs", "events", Slug(detailType) + ".schema.json");

    /// <summary>The schema of a detail-type, read once per test run.</summary>
    public static JsonSchema For(string detailType) =>
        Loaded.GetOrAdd(detailType, type => JsonSchema.FromText(File.ReadAllText(SchemaPath(type))));

    /// <summary>
    /// The event as a rule's target receives it: EventBridge's envelope around the entry this tool puts. The account
    /// and Region are the keys' (EventBridge sets the caller's; the tests' keys are all in one account and Region).
    /// </summary>
    public static JsonObject Delivered(LifecycleEvent lifecycleEvent, string source = EventSettings.DefaultSource) => new()
    {
        ["version"] = "0",
        ["id"] = "6a7e8feb-b491-4cf7-a9f1-bf3703467718",
        ["detail-type"] = lifecycleEvent.DetailType,
        ["source"] = source,
        ["account"] = lifecycleEvent.Detail.Account ?? "111122223333",
        ["time"] = RecordedTime.Format(lifecycleEvent.Time),
        ["region"] = lifecycleEvent.Detail.Region ?? "eu-west-1",
        ["resources"] = new JsonArray([.. lifecycleEvent.Resources.Select(r => (JsonNode)r)]),
        ["detail"] = JsonNode.Parse(lifecycleEvent.Detail.ToJson()),
    };

    /// <summary>Why <paramref name="delivered"/> does not match its detail-type's schema; empty when it does.</summary>
    public static IReadOnlyList<string> Problems(JsonNode delivered)
    {
        var detailType = (string?)delivered["detail-type"] ?? throw new ArgumentException("The event has no detail-type.", nameof(delivered));
        using var document = JsonDocument.Parse(delivered.ToJsonString());
        var results = For(detailType).Evaluate(document.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });
        return results.IsValid
            ? []
            : [.. (results.Details ?? []).Where(d => d.Errors is { Count: > 0 }).SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Key}: {e.Value}"))];
    }

    /// <summary>Fails the test when the event does not match its schema, naming each mismatch.</summary>
    public static void AssertValid(LifecycleEvent lifecycleEvent)
    {
        var problems = Problems(Delivered(lifecycleEvent));
        if (problems.Count > 0)
        {
            throw new InvalidOperationException($"{lifecycleEvent.DetailType} does not match {SchemaPath(lifecycleEvent.DetailType)}: {string.Join("; ", problems)}");
        }
    }
}

/// <summary>A sink that keeps every event it is given, after checking it against its schema; it can be told to fail.</summary>
internal sealed class RecordingEventSink : ILifecycleEventSink
{
    private readonly ConcurrentQueue<LifecycleEvent> _events = new();
    private string? _failure;

    public IReadOnlyList<LifecycleEvent> Events => [.. _events];

    /// <summary>Every later put fails with <paramref name="message"/> (nothing is recorded) until <see cref="Recover"/>.</summary>
    public void Fail(string message) => _failure = message;

    public void Recover() => _failure = null;

    public Task PutAsync(IReadOnlyList<LifecycleEvent> events, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(events);
        if (_failure is { } failure)
        {
            throw new LifecycleEventsException(failure);
        }

        foreach (var lifecycleEvent in events)
        {
            LifecycleEventSchemas.AssertValid(lifecycleEvent);
            _events.Enqueue(lifecycleEvent);
        }

        return Task.CompletedTask;
    }
}
