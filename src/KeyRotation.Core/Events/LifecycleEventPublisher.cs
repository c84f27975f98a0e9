using System.Collections.Concurrent;
using Amazon.Runtime;

namespace KeyRotation.Core.Events;

/// <summary>
/// Puts the events of one transition through the sink and never lets a failure reach the transition: a failed put is
/// logged as an error and returned (the caller reports it beside the result, as a failed notification is), and the
/// rotation, rollback or retention step stands. Events are put at least once: a notification that failed is repeated
/// by the next run, and its event with it.
/// </summary>
public sealed class LifecycleEventPublisher
{
    private readonly ILifecycleEventSink _sink;
    private readonly IRotationLog _log;
    private readonly ConcurrentDictionary<(string RunId, string Alias), string> _earlier = new();

    public LifecycleEventPublisher(ILifecycleEventSink sink, IRotationLog log)
    {
        ArgumentNullException.ThrowIfNull(sink);
        ArgumentNullException.ThrowIfNull(log);
        _sink = sink;
        _log = log;
    }

    /// <summary>Puts <paramref name="events"/>; returns why they could not be put, or null when they were (or there were none).</summary>
    public async Task<string?> PutAsync(IReadOnlyList<LifecycleEvent> events, string runId, string? alias, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(events);
        if (events.Count == 0)
        {
            return null;
        }

        try
        {
            await _sink.PutAsync(events, ct);
            return null;
        }
        catch (Exception ex) when (ex is LifecycleEventsException or AmazonClientException or HttpRequestException || (ex is OperationCanceledException && !ct.IsCancellationRequested))
        {
            var error = $"The lifecycle event(s) {string.Join(", ", events.Select(e => e.DetailType).Distinct(StringComparer.Ordinal))} could not be put: {(ex is OperationCanceledException ? "the call timed out" : ex.Message)}";
            _log.Write(new RotationLogEntry(RotationLogLevel.Error, error, runId, alias));
            return error;
        }
    }

    /// <summary>
    /// Puts an event of a step inside a run (the claim of a rotation) and keeps a failure for <see cref="TakeEarlierFailure"/>,
    /// so the alias's result reports it with the run's own events.
    /// </summary>
    internal async Task PutWithinRunAsync(LifecycleEvent lifecycleEvent, string runId, string alias, CancellationToken ct)
    {
        if (await PutAsync([lifecycleEvent], runId, alias, ct) is { } error)
        {
            _earlier[(runId, alias)] = error;
        }
    }

    /// <summary>Key Rotation Started, once this run holds the claim of the alias's next move.</summary>
    internal Task StartedAsync(string runId, Protocol.AliasState state, RotationMethod method, DateTimeOffset now, CancellationToken ct)
    {
        var current = state.Current!;
        var generation = Protocol.AliasStateReader.ReadLong(state.CurrentTags, RotationTags.Generation, 1) + 1;
        return PutWithinRunAsync(LifecycleEvents.Started(state.Alias, current.KeyId, current.Arn, method, generation, state.Marker!, runId, now), runId, state.Alias, ct);
    }

    /// <summary>The failure of an earlier event of this run and alias (<see cref="PutWithinRunAsync"/>), removed once taken.</summary>
    internal string? TakeEarlierFailure(string runId, string alias) =>
        _earlier.TryRemove((runId, alias), out var error) ? error : null;

    /// <summary>
    /// Puts <see cref="LifecycleDetailTypes.AliasRotationOverdue"/> for an alias whose rotation is overdue: its current
    /// key <paramref name="currentKeyArn"/>, due at <paramref name="dueAt"/>, now <paramref name="age"/> old. Returns
    /// why it could not be put, or null.
    /// </summary>
    public Task<string?> PutOverdueAsync(string alias, string currentKeyArn, DateTimeOffset dueAt, TimeSpan age, string runId, DateTimeOffset now, CancellationToken ct) =>
        PutAsync([LifecycleEvents.Overdue(alias, currentKeyArn, dueAt, age, runId, now)], runId, alias, ct);
}
