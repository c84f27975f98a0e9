using Amazon.KeyManagementService;
using Amazon.Runtime;
using KeyRotation.Core.Configuration;
using KeyRotation.Core.Events;
using KeyRotation.Core.KeyMaterial;
using KeyRotation.Core.Protocol;

namespace KeyRotation.Core.Retention;

/// <summary>
/// Runs retention: for each configured alias, read and verify its chain, plan, then carry out each step as small
/// idempotent calls whose intent is tagged on the key first (a key pending deletion cannot be tagged), so a run that
/// dies anywhere is finished by the next one. Just before each disable and each deletion it reads the proof of
/// non-use (GetKeyLastUsage on the key and each replica): a key used within RETIRE_UNUSED_FOR_DAYS is kept, and one
/// whose last use cannot be read is not touched. Also re-enables a retired key someone tried to use.
/// </summary>
public sealed partial class RetentionRunner
{
    private readonly RetentionTransitions _transitions;
    private readonly RetentionSettings _settings;
    private readonly IRotationNotifier? _notifier;
    private readonly TimeProvider _time;
    private readonly IRotationLog _log;
    private readonly RetentionReader _reader;
    private readonly KmsCalls _calls;
    private readonly NonUseProofReader _proofs;
    private readonly LifecycleEventPublisher? _events;
    private readonly RetirementConsumerCheck? _consumers;

    /// <summary>Aliases read at once (each read is a few DescribeKey and ListResourceTags calls per generation).</summary>
    private const int ReadAhead = 4;

    /// <param name="regions">KMS clients of the replica Regions, for the last use of multi-Region keys' replicas.</param>
    /// <param name="events">Where the disabled, scheduled-for-deletion and re-enabled events go; null: none are put.</param>
    /// <param name="consumers">The consumer inventory each retirement step consults; required when <see cref="RetentionSettings.CheckConsumers"/> is on, unused otherwise.</param>
    public RetentionRunner(IAmazonKeyManagementService kms, IEscrowStore? escrowStore, RetentionSettings settings, IRotationNotifier? notifier, TimeProvider time, IRotationLog log, KmsRegionClients? regions = null, LifecycleEventPublisher? events = null, RetirementConsumerCheck? consumers = null)
    {
        _events = events;
        ArgumentNullException.ThrowIfNull(settings);
        _consumers = settings.CheckConsumers
            ? consumers ?? throw new ArgumentException($"{SettingNames.RetireCheckConsumers} is on but the runner was given no consumer inventory.", nameof(consumers))
            : null;
        _transitions = new RetentionTransitions(kms, settings.PendingWindowDays);
        _settings = settings;
        _notifier = notifier;
        _time = time;
        _log = log;
        _reader = new RetentionReader(kms, escrowStore, settings.Escrow);
        _calls = new KmsCalls(kms);
        _proofs = new NonUseProofReader(kms, regions, settings.RetireUnusedForDays);
    }

    /// <summary>
    /// What retention would do for each alias now, with the proof of non-use of each disable and deletion step (a step
    /// the proof refuses is shown kept, with the use or the failed read that refused it); reads only.
    /// </summary>
    public async Task<IReadOnlyList<RetentionPlan>> PlanAsync(IReadOnlyList<string> aliases, CancellationToken ct)
    {
        var plans = new List<RetentionPlan>();
        var consumers = _consumers?.StartRun();
        foreach (var plan in await PlanWithoutProofAsync(aliases, ct))
        {
            var steps = new List<RetentionStep>(plan.Steps.Count);
            foreach (var step in plan.Steps)
            {
                steps.Add(step.NeedsProof ? Proven(step, await ProofAsync(step, consumers, ct), refuseUnreadable: true) : step);
            }

            plans.Add(plan with { Steps = steps });
        }

        return plans;
    }

    /// <summary>The planner's decisions, before any proof of non-use is read.</summary>
    private async Task<IReadOnlyList<RetentionPlan>> PlanWithoutProofAsync(IReadOnlyList<string> aliases, CancellationToken ct)
    {
        var plans = new List<RetentionPlan>();
        foreach (var plan in await StartPlansAsync(aliases, ct))
        {
            plans.Add(await plan);
        }

        return plans;
    }

    /// <summary>
    /// Starts reading every alias, <see cref="ReadAhead"/> at a time, in order: a run carries out one alias's steps
    /// while the next ones are read, so the chain reads do not hold back the 5-per-second state changes. Reads only.
    /// </summary>
    private async Task<List<Task<RetentionPlan>>> StartPlansAsync(IReadOnlyList<string> aliases, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(aliases);
        var listed = await _reader.ListAliasesAsync(ct);
        var reads = new SemaphoreSlim(ReadAhead);
        async Task<RetentionPlan> PlanOneAsync(string alias)
        {
            await reads.WaitAsync(ct);
            try
            {
                return RetentionPlanner.Plan(await _reader.ReadAsync(alias, listed, ct), _settings, _time.GetUtcNow());
            }
            catch (RotationException ex)
            {
                // One alias that cannot be read (a key policy that refuses the role, say) does not stop the others.
                return new RetentionPlan(alias, [], $"{alias} could not be read: {ex.Message}") { ReadFailed = true };
            }
            finally
            {
                reads.Release();
            }
        }

        return [.. aliases.Select(PlanOneAsync)];
    }

    /// <summary>Plans and (unless a dry run) carries out retention for the aliases, then notifies about every key changed.</summary>
    public async Task<RetentionReport> RunAsync(string runId, IReadOnlyList<string> aliases, bool dryRun, CancellationToken ct)
    {
        var results = new List<RetentionResult>();
        var skipped = new List<RetentionResult>();
        var consumers = _consumers?.StartRun();
        foreach (var reading in await StartPlansAsync(aliases, ct))
        {
            var plan = await reading;
            if (plan.SkipReason is { } reason)
            {
                _log.Write(new RotationLogEntry(plan.ReadFailed ? RotationLogLevel.Error : RotationLogLevel.Warning, "Left alone: " + reason, runId, plan.Alias));
                var whole = new RetentionStep { Alias = plan.Alias, Action = RetentionAction.Keep, KeyId = string.Empty, Reason = reason };
                (plan.ReadFailed ? results : skipped).Add(new RetentionResult { Step = whole, Outcome = plan.ReadFailed ? RetentionOutcome.Failed : RetentionOutcome.Kept, Error = plan.ReadFailed ? reason : null });
                continue;
            }

            var failed = false;
            foreach (var planned in plan.Steps)
            {
                var step = planned;
                if (step.Action == RetentionAction.Keep)
                {
                    results.Add(new RetentionResult { Step = step, Outcome = RetentionOutcome.Kept });
                    continue;
                }

                if (failed && !dryRun)
                {
                    // The alias's state is not what the plan saw: its remaining steps wait for the next run.
                    results.Add(new RetentionResult { Step = step, Outcome = RetentionOutcome.Failed, Error = "Not attempted: an earlier step of this alias failed." });
                    continue;
                }

                if (step.NeedsProof)
                {
                    // Read just before the step's calls, so no use between the plan and the call goes unseen.
                    step = Proven(step, await ProofAsync(step, consumers, ct), refuseUnreadable: false);
                    if (step.Refused is not null || step.Proof?.Verdict == RetirementVerdict.Unreadable)
                    {
                        results.Add(Refusal(runId, step));
                        continue;
                    }
                }

                if (dryRun)
                {
                    results.Add(new RetentionResult { Step = step, Outcome = RetentionOutcome.Planned });
                }
                else
                {
                    var result = await ExecuteAsync(runId, step, null, ct);
                    failed = result.Outcome == RetentionOutcome.Failed;
                    results.Add(result);
                }
            }
        }

        return await NotifyAsync(new RetentionReport { RunId = runId, DryRun = dryRun, Results = results, Skipped = skipped }, ct);
    }

    private async Task<RetentionResult> ExecuteAsync(string runId, RetentionStep step, AttemptedUse? use, CancellationToken ct)
    {
        var now = RecordedTime.Format(_time.GetUtcNow());
        var cancelled = false;
        try
        {
            switch (step.Action)
            {
                case RetentionAction.Disable:
                    await _transitions.DisableAsync(step.KeyId, runId, now, ProofOf(step).TagText(), ct);
                    break;

                case RetentionAction.ScheduleDeletion:
                    await _transitions.ScheduleDeletionAsync(step.KeyId, runId, now, ProofOf(step).TagText(), ct);
                    break;

                case RetentionAction.DeleteMarkerAlias:
                    await _transitions.DeleteMarkerAsync(step.MarkerAlias!, ct);
                    break;

                case RetentionAction.Reenable:
                    cancelled = await _transitions.CancelDeletionIfScheduledAsync(step.KeyId, ct);
                    await _transitions.EnableAsync(step.KeyId, now, use is null ? null : ($"{use.EventName} {use.ErrorCode}", use.UsedBy), ct);
                    break;

                default:
                    throw new InvalidOperationException($"No step for {step.Action}.");
            }
        }
        catch (Exception ex) when (ex is RotationException or AmazonServiceException)
        {
            _log.Write(new RotationLogEntry(RotationLogLevel.Error, $"{step.Action} failed: {ex.Message}", runId, step.Alias, step.KeyId));
            return new RetentionResult { Step = step, Outcome = RetentionOutcome.Failed, Error = ex.Message, DeletionCancelled = cancelled };
        }

        _log.Write(new RotationLogEntry(RotationLogLevel.Information, $"{step.Action}{(step.MarkerAlias is { } m ? " " + m : string.Empty)}: {step.Reason}{(step.Proof is { } p ? "; " + p.Describe() : string.Empty)}", runId, step.Alias, step.KeyId));
        return new RetentionResult { Step = step, Outcome = RetentionOutcome.Done, DeletionCancelled = cancelled };
    }

    /// <summary>The notice, then one lifecycle event per key changed; a failure of either is reported and changes no step.</summary>
    private async Task<RetentionReport> NotifyAsync(RetentionReport report, CancellationToken ct)
    {
        report = await SendNoticeAsync(report, ct);
        return _events is null
            ? report
            : report with { EventError = await _events.PutAsync(LifecycleEvents.ForRetention(report, _time.GetUtcNow()), report.RunId, alias: null, ct) };
    }

    private async Task<RetentionReport> SendNoticeAsync(RetentionReport report, CancellationToken ct)
    {
        if (report.DryRun || _notifier is null || RetentionNotice.For(report, _time.GetUtcNow()) is not { } notice)
        {
            return report;
        }

        try
        {
            await _notifier.NotifyAsync(notice, ct);
            return report;
        }
        catch (Exception ex) when (ex is RotationException or AmazonClientException or HttpRequestException or Notifications.SnsPublishException)
        {
            _log.Write(new RotationLogEntry(RotationLogLevel.Error, "The retention notification could not be sent: " + ex.Message, report.RunId));
            return report with { NotificationError = $"The notification could not be sent: {ex.Message}" };
        }
    }
}
