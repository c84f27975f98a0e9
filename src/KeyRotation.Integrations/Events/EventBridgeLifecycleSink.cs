using System.Globalization;
using System.Text.Json.Nodes;
using KeyRotation.Core.Events;

namespace KeyRotation.Integrations.Events;

/// <summary>
/// Puts lifecycle events on an EventBridge bus: each event as one PutEvents entry (Source, DetailType, the detail as
/// JSON, the key ARNs as Resources, Time, EventBusName), in as few calls as PutEvents' limits allow. Whatever could not
/// be put after the client's retries is reported in one <see cref="LifecycleEventsException"/> naming each event.
/// </summary>
public sealed class EventBridgeLifecycleSink : ILifecycleEventSink
{
    private readonly PutEventsClient _client;
    private readonly string _busName;
    private readonly string _source;

    /// <param name="busName">The bus name or ARN (EVENT_BUS_NAME), validated by the settings.</param>
    /// <param name="source">The events' source (EVENT_SOURCE).</param>
    public EventBridgeLifecycleSink(PutEventsClient client, string busName, string source)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentException.ThrowIfNullOrEmpty(busName);
        ArgumentException.ThrowIfNullOrEmpty(source);
        _client = client;
        _busName = busName;
        _source = source;
    }

    /// <inheritdoc />
    public async Task PutAsync(IReadOnlyList<LifecycleEvent> events, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(events);
        var entries = events.Select(Entry).ToList();
        var problems = new List<string>();
        var batches = PutEventsBatches.Split(entries, out var tooLarge);
        problems.AddRange(tooLarge.Select(t => $"{Describe(events[t.Index])}: {t.Problem}"));
        foreach (var batch in batches)
        {
            var failures = await _client.PutAsync([.. batch.Select(i => entries[i])], cancellationToken);
            problems.AddRange(failures.Select(f => $"{Describe(events[batch[f.Index]])}: {f.ErrorCode}: {f.ErrorMessage}"));
        }

        if (problems.Count > 0)
        {
            throw new LifecycleEventsException(string.Create(CultureInfo.InvariantCulture, $"{problems.Count} of {events.Count} event(s) were not put on {_busName}: {string.Join("; ", problems)}"));
        }
    }

    /// <summary>The PutEvents entry of one event.</summary>
    internal JsonObject Entry(LifecycleEvent lifecycleEvent) => new()
    {
        ["Source"] = _source,
        ["DetailType"] = lifecycleEvent.DetailType,
        ["Detail"] = lifecycleEvent.Detail.ToJson(),
        ["Resources"] = new JsonArray([.. lifecycleEvent.Resources.Select(r => (JsonNode)r)]),
        // JSON 1.1 timestamps are epoch seconds.
        ["Time"] = lifecycleEvent.Time.ToUnixTimeMilliseconds() / 1000.0,
        ["EventBusName"] = _busName,
    };

    private static string Describe(LifecycleEvent lifecycleEvent) => $"{lifecycleEvent.DetailType} of {lifecycleEvent.Detail.Alias}";
}
