using System.Globalization;
using Amazon.KeyManagementService;
using Amazon.Runtime;
using KeyRotation.Core;
using KeyRotation.Core.Compliance;
using KeyRotation.Core.Events;

namespace KeyRotation.Function;

/// <summary>
/// After every scheduled run: every configured alias, the skipped and failed ones too, measured against its
/// cryptoperiod, one log line per alias that is overdue, due soon or could not be measured, and the counts for the EMF
/// document (AliasesOverdue, which the overdue alarm watches). An alias whose rotation keeps failing keeps its old key
/// material, so it stays overdue until it rotates. Reads only, with the rotation role's own rights. With events on,
/// each overdue alias also gets an Alias Rotation Overdue event (docs/events.md); a failed put is logged by the
/// publisher and changes nothing else.
/// </summary>
internal sealed class CryptoperiodCheck
{
    private readonly CryptoperiodMeter _meter;
    private readonly IRotationLog _log;
    private readonly TimeProvider _time;
    private readonly TimeSpan _timeNeeded;
    private readonly LifecycleEventPublisher? _events;

    /// <param name="timeNeeded">Left before the run's deadline for the measurement to start, as for an alias's rotation.</param>
    /// <param name="events">Where the overdue events go; null: events are off.</param>
    public CryptoperiodCheck(IAmazonKeyManagementService kms, ComplianceSettings settings, TimeProvider time, IRotationLog log, TimeSpan timeNeeded, LifecycleEventPublisher? events = null)
    {
        _events = events;
        _meter = new CryptoperiodMeter(kms, settings, time);
        _log = log;
        _time = time;
        _timeNeeded = timeNeeded;
    }

    /// <summary>
    /// The measurements of the run's aliases, handed on to the metrics and to whatever else the run reports; null when
    /// the run's deadline leaves no time for them or KMS could not be reached at all (no metric is written then).
    /// </summary>
    public async Task<CryptoperiodMeasurements?> MeasureAsync(RotationRequest request, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        var left = request.Deadline is { } deadline ? deadline - _time.GetUtcNow() : Timeout.InfiniteTimeSpan;
        if (left != Timeout.InfiniteTimeSpan && left < _timeNeeded)
        {
            _log.Write(new RotationLogEntry(RotationLogLevel.Warning, "The cryptoperiods were not measured: the run's deadline is too close; the next scheduled run measures them.", request.RotationId));
            return null;
        }

        using var timeout = left == Timeout.InfiniteTimeSpan ? new CancellationTokenSource() : new CancellationTokenSource(left, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, timeout.Token);
        CryptoperiodMeasurements measurements;
        try
        {
            measurements = await _meter.MeasureAsync(request.Aliases, linked.Token);
        }
        catch (Exception ex) when (ex is AmazonClientException or HttpRequestException || (ex is OperationCanceledException && timeout.IsCancellationRequested))
        {
            // The rotation's own result stands; without a measurement the metric is not written, and the alarm keeps its state.
            _log.Write(new RotationLogEntry(RotationLogLevel.Error, $"Could not measure the aliases' cryptoperiods: {(ex is OperationCanceledException ? "the run's deadline passed" : ex.Message)}", request.RotationId));
            return null;
        }

        foreach (var measured in measurements.Measured.Where(m => m.Standing != CryptoperiodStanding.Compliant))
        {
            _log.Write(new RotationLogEntry(RotationLogLevel.Warning, Describe(measured), request.RotationId, measured.Alias, measured.KeyId));
            if (measured.IsOverdue && _events is not null)
            {
                await _events.PutOverdueAsync(measured.Alias, measured.KeyArn ?? measured.KeyId, measured.DueBy, measured.Age, request.RotationId, _time.GetUtcNow(), ct);
            }
        }

        foreach (var (alias, problem) in measurements.NotMeasured)
        {
            _log.Write(new RotationLogEntry(RotationLogLevel.Error, "Could not measure the cryptoperiod: " + problem, request.RotationId, alias));
        }

        return measurements;
    }

    private static string Describe(AliasCryptoperiod measured) => measured.IsOverdue
        ? string.Create(CultureInfo.InvariantCulture, $"{measured.Alias} is overdue: its key material has been in use {measured.Age.TotalDays:0.#} days (since {RecordedTime.Format(measured.MaterialSince)}), past its cryptoperiod of {measured.CryptoperiodDays} days ({measured.CryptoperiodSource}), which ended {RecordedTime.Format(measured.DueBy)}. Rotate it (docs/runbook.md: an alias is overdue).")
        : $"{measured.Alias} is due soon: its cryptoperiod of {measured.CryptoperiodDays} days ({measured.CryptoperiodSource}) ends {RecordedTime.Format(measured.DueBy)}, before the schedule's next run {(measured.NextScheduledRun is { } next ? RecordedTime.Format(next) : "(none)")} rotates it. Rotate it by hand before then.";
}
