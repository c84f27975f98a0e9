using System.Text.Json;
using KeyRotation.Core;

namespace KeyRotation.Function;

/// <summary>
/// Writes one JSON object per line to stdout, which Lambda sends to CloudWatch Logs; and the run's counts as
/// CloudWatch Embedded Metric Format, so metrics need no PutMetricData permission.
/// </summary>
internal sealed class JsonLinesLog : IRotationLog
{
    public const string MetricNamespace = "KeyRotation";

    /// <summary>
    /// Written for scheduled runs only, per function: 1 when every alias is done, else 0. The template's missed-run
    /// alarm needs a success of the schedule itself, which neither Lambda's metrics (manual and failed invocations
    /// count too) nor the per-outcome counts (written for failed runs as well) show.
    /// </summary>
    public const string ScheduledRunSucceededMetric = "ScheduledRunSucceeded";

    /// <summary>
    /// Written for scheduled runs, per function, with <see cref="ScheduledRunSucceededMetric"/>: how many configured aliases
    /// are past their cryptoperiod (the overdue alarm watches it), how many are due soon, and how many could not be measured.
    /// </summary>
    public static readonly IReadOnlyList<string> CryptoperiodMetrics = ["AliasesOverdue", "AliasesDueSoon", "AliasesNotMeasured"];

    /// <summary>The dimension of <see cref="ScheduledRunSucceededMetric"/>: the function's name, so stacks sharing an account and Region stay apart.</summary>
    public const string FunctionNameDimension = "FunctionName";

    /// <summary>Aliases (of a rotation run) or retention runs whose lifecycle events could not be put: the rotation stands, the events are missing.</summary>
    public const string EventPutFailedMetric = "EventPutFailed";

    private readonly TextWriter _output;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();

    public JsonLinesLog(TextWriter output, TimeProvider time)
    {
        _output = output;
        _time = time;
    }

    public void Write(RotationLogEntry entry) => Write(entry, null);

    /// <summary>Writes an entry that carries the invocation's response, so it is in the logs even when the invocation fails.</summary>
    public void Write(RotationLogEntry entry, RotationResponse? response)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var line = new LogLine(
            RecordedTime.Format(_time.GetUtcNow()),
            entry.Level.ToString().ToUpperInvariant(),
            entry.Message,
            entry.RotationId,
            entry.Alias,
            entry.KeyId,
            entry.NewKeyId,
            response);
        WriteLine(JsonSerializer.Serialize(line, FunctionJsonContext.Default.LogLine));
    }

    /// <summary>
    /// Writes the run's counts per outcome as one EMF document; for a scheduled run of the function named
    /// <paramref name="scheduledRunOf"/>, the same document also carries <see cref="ScheduledRunSucceededMetric"/>.
    /// </summary>
    public void WriteMetrics(RotationReport report, string? scheduledRunOf = null, Core.Compliance.CryptoperiodMeasurements? cryptoperiods = null)
    {
        ArgumentNullException.ThrowIfNull(report);
        var counts = Enum.GetValues<RotationOutcome>().ToDictionary(o => o.ToString(), o => report.Results.Count(r => r.Outcome == o));
        counts["NotificationFailed"] = report.Results.Count(r => r.NotificationError is not null);
        counts[EventPutFailedMetric] = report.Results.Count(r => r.EventError is not null);

        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteStartObject("_aws");
            json.WriteNumber("Timestamp", _time.GetUtcNow().ToUnixTimeMilliseconds());
            json.WriteStartArray("CloudWatchMetrics");
            WriteDirective(json, "DryRun", counts.Keys);
            if (scheduledRunOf is not null)
            {
                WriteDirective(json, FunctionNameDimension, [ScheduledRunSucceededMetric]);
                if (cryptoperiods is not null)
                {
                    WriteDirective(json, FunctionNameDimension, CryptoperiodMetrics);
                }
            }

            json.WriteEndArray();
            json.WriteEndObject();
            json.WriteString("DryRun", report.DryRun ? "true" : "false");
            if (scheduledRunOf is not null)
            {
                json.WriteString(FunctionNameDimension, scheduledRunOf);
                json.WriteNumber(ScheduledRunSucceededMetric, report.Problems.Any() ? 0 : 1);
                if (cryptoperiods is not null)
                {
                    json.WriteNumber(CryptoperiodMetrics[0], cryptoperiods.Overdue);
                    json.WriteNumber(CryptoperiodMetrics[1], cryptoperiods.DueSoon);
                    json.WriteNumber(CryptoperiodMetrics[2], cryptoperiods.NotMeasured.Count);
                }
            }

            json.WriteString("rotationId", report.RotationId);
            foreach (var (name, count) in counts)
            {
                json.WriteNumber(name, count);
            }

            json.WriteEndObject();
        }

        WriteLine(System.Text.Encoding.UTF8.GetString(buffer.ToArray()));
    }

    /// <summary>One CloudWatchMetrics directive: the namespace, one dimension set (empty for null), the metrics' names as counts.</summary>
    private static void WriteDirective(Utf8JsonWriter json, string? dimension, IEnumerable<string> metrics)
    {
        json.WriteStartObject();
        json.WriteString("Namespace", MetricNamespace);
        json.WriteStartArray("Dimensions");
        json.WriteStartArray();
        if (dimension is not null)
        {
            json.WriteStringValue(dimension);
        }

        json.WriteEndArray();
        json.WriteEndArray();
        json.WriteStartArray("Metrics");
        foreach (var name in metrics)
        {
            json.WriteStartObject();
            json.WriteString("Name", name);
            json.WriteString("Unit", "Count");
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }

    /// <summary>A retention run's <see cref="EventPutFailedMetric"/> as one EMF document (the rotation's is in <see cref="WriteMetrics"/>).</summary>
    public void WriteEventMetrics(string runId, int failed)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteStartObject("_aws");
            json.WriteNumber("Timestamp", _time.GetUtcNow().ToUnixTimeMilliseconds());
            json.WriteStartArray("CloudWatchMetrics");
            WriteDirective(json, null, [EventPutFailedMetric]);
            json.WriteEndArray();
            json.WriteEndObject();
            json.WriteString("runId", runId);
            json.WriteNumber(EventPutFailedMetric, failed);
            json.WriteEndObject();
        }

        WriteLine(System.Text.Encoding.UTF8.GetString(buffer.ToArray()));
    }

    private void WriteLine(string line)
    {
        lock (_gate)
        {
            _output.WriteLine(line);
            _output.Flush();
        }
    }
}
