using System.Globalization;
using KeyRotation.Core;
using KeyRotation.Core.Configuration;
using KeyRotation.Core.Continuation;

namespace KeyRotation.Function;

/// <summary>
/// Continuation: a run hands the aliases it could not start before its deadline to the continuation queue, one message
/// each, and the same function takes them from the queue (its SQS event source) and rotates them under the original
/// rotation id and schedule slot, so 5,000 aliases finish within the hour instead of next period. A message whose alias
/// fails is reported back (ReportBatchItemFailures): SQS delivers it again and, after the queue's maxReceiveCount, moves
/// it to the continuation dead-letter queue, whose alarm fires; each failure is logged with the alias and its reason.
/// </summary>
internal sealed class ContinuationRunner(RotationEngine engine, RotationSettings configuration, IContinuationQueue? queue, TimeProvider time, JsonLinesLog log)
{
    /// <summary>After the run's deadline: by then the run that sent the messages has ended (the function runs one invocation at a time).</summary>
    private static readonly TimeSpan AfterTheRun = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Sends the aliases <paramref name="report"/> did not start to the queue and says so in their results; an alias
    /// whose message could not be sent becomes Failed (the invocation errors, the alarm fires). No queue: unchanged.
    /// </summary>
    public async Task<RotationReport> HandOffAsync(RotationRequest request, RotationReport report, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(report);
        var deferred = report.Results.Where(r => r.NotStartedBeforeDeadline).Select(r => r.Alias).ToList();
        if (queue is null || deferred.Count == 0)
        {
            return report;
        }

        var delay = request.Deadline is { } deadline ? deadline - time.GetUtcNow() + AfterTheRun : TimeSpan.Zero;
        var failures = await queue.SendAsync([.. deferred.Select(alias => ContinuationMessage.For(request, alias)).Select(m => new ContinuationEnvelope(m.Alias, m.RotationId, m.ToJson()))], delay, ct);
        log.Write(new RotationLogEntry(
            failures.Count == 0 ? RotationLogLevel.Information : RotationLogLevel.Error,
            string.Create(CultureInfo.InvariantCulture, $"Handed {deferred.Count - failures.Count} alias(es) the run could not start to the continuation queue{(failures.Count == 0 ? string.Empty : $"; {failures.Count} could not be sent")}"),
            request.RotationId));
        return report with
        {
            Results = [.. report.Results.Select(r => !r.NotStartedBeforeDeadline ? r : failures.TryGetValue(r.Alias, out var why)
                ? r with { Outcome = RotationOutcome.Failed, Reason = $"Not started before the run's deadline, and its continuation message could not be sent ({why}): the next run rotates it." }
                : r with { Reason = "Not started before the run's deadline: handed to the continuation queue, from which this function rotates it shortly under the same rotation id and schedule slot." })],
        };
    }

    /// <summary>Rotates the aliases of a batch of continuation messages; answers the ids of the messages to deliver again.</summary>
    public async Task<BatchResponse> RunAsync(IReadOnlyList<QueuedContinuation> records, DateTimeOffset started, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(records);
        var failed = new List<string>();
        void Fail(QueuedContinuation record, string reason, string? rotationId = null, string? alias = null)
        {
            failed.Add(record.MessageId);
            log.Write(new RotationLogEntry(
                RotationLogLevel.Error,
                $"Continuation message {record.MessageId}{(record.ReceiveCount is { } n ? string.Create(CultureInfo.InvariantCulture, $" (receive {n})") : string.Empty)} failed: {reason} It is delivered again, and after the queue's receive limit moves to the continuation dead-letter queue.",
                rotationId,
                alias));
        }

        var runnable = new List<(QueuedContinuation Record, ContinuationMessage Message)>();
        foreach (var record in records)
        {
            if (record.Message is not { } message)
            {
                Fail(record, record.Problem!);
            }
            else if (!configuration.Selection.Matches(message.Alias))
            {
                Fail(record, $"{message.Alias} is not configured for rotation ({SettingNames.RotationAliases} no longer selects it).", message.RotationId, message.Alias);
            }
            else
            {
                runnable.Add((record, message));
            }
        }

        // One engine run per original run (id, slot and flags), so the pacer sizes the batch as a whole.
        foreach (var run in runnable.GroupBy(r => r.Message with { Alias = string.Empty }))
        {
            var aliases = run.Select(r => r.Message.Alias).Distinct(StringComparer.Ordinal).ToList();
            var request = run.Key.ToRequest(aliases, started + configuration.Options.RunTimeout);
            log.Write(new RotationLogEntry(RotationLogLevel.Information, string.Create(CultureInfo.InvariantCulture, $"Continuing the run for {aliases.Count} alias(es){(request.ScheduleSlot is { } slot ? " of slot " + RecordedTime.FormatSlot(slot) : string.Empty)}"), request.RotationId));
            var report = await HandOffAsync(request, await engine.RunAsync(request, ct), ct);
            log.WriteMetrics(report);
            var byAlias = report.Results.ToDictionary(r => r.Alias, StringComparer.Ordinal);
            foreach (var (record, message) in run)
            {
                var result = byAlias[message.Alias];
                if (result.Outcome == RotationOutcome.Failed || result.NotificationError is not null)
                {
                    Fail(record, result.Outcome == RotationOutcome.Failed ? result.Reason : result.NotificationError!, message.RotationId, message.Alias);
                }
            }
        }

        return new BatchResponse([.. failed.Distinct(StringComparer.Ordinal).Select(id => new BatchItemFailure(id))]);
    }
}
