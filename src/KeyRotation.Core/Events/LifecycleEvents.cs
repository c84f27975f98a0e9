using System.Globalization;
using KeyRotation.Core.History;
using KeyRotation.Core.Retention;

namespace KeyRotation.Core.Events;

/// <summary>
/// Builds the lifecycle events of each transition from the results the notices are built from (RotationNotice,
/// RollbackNotice, RetentionNotice), so an event and its notice always say the same thing.
/// </summary>
public static class LifecycleEvents
{
    /// <summary>The outcome values of the detail, one per detail-type.</summary>
    public static class Outcomes
    {
        public const string Started = "Started";
        public const string Rotated = "Rotated";
        public const string Failed = "Failed";
        public const string RolledBack = "RolledBack";
        public const string Disabled = "Disabled";
        public const string ScheduledForDeletion = "ScheduledForDeletion";
        public const string Reenabled = "Reenabled";
        public const string Overdue = "Overdue";
    }

    /// <summary>Key Rotation Started: this run claimed the next move of the alias, from its current key.</summary>
    internal static LifecycleEvent Started(string alias, string currentKeyId, string? currentKeyArn, RotationMethod method, long? generation, string marker, string runId, DateTimeOffset time)
    {
        var (region, account) = RotationNotice.RegionAndAccount(currentKeyArn);
        var material = method == RotationMethod.Material;
        var detail = new LifecycleEventDetail
        {
            Alias = alias,
            Account = account,
            Region = region,
            PreviousKeyArn = currentKeyArn,
            NewKeyArn = material ? currentKeyArn : null,
            KeyId = currentKeyId,
            Generation = material ? null : generation,
            Strategy = RotationStrategyNames.Name(method),
            RunId = runId,
            Outcome = Outcomes.Started,
            Reason = material
                ? $"Claimed {marker}: {alias} gets new key material in {currentKeyId}."
                : $"Claimed {marker}: {alias} moves from {currentKeyId} to a new key.",
        };
        return new LifecycleEvent(LifecycleDetailTypes.RotationStarted, detail, Arns(currentKeyArn), time);
    }

    /// <summary>Key Rotated or Key Rotation Failed for a rotated or failed alias; null for any other outcome.</summary>
    public static LifecycleEvent? ForRotation(AliasRotationResult result, string runId, DateTimeOffset time)
    {
        ArgumentNullException.ThrowIfNull(result);
        var (detailType, outcome) = result.Outcome switch
        {
            RotationOutcome.Rotated => (LifecycleDetailTypes.Rotated, Outcomes.Rotated),
            RotationOutcome.Failed => (LifecycleDetailTypes.RotationFailed, Outcomes.Failed),
            _ => (null, null),
        };
        if (detailType is null)
        {
            return null;
        }

        var (region, account) = RotationNotice.RegionAndAccount(result.NewKeyArn ?? result.PreviousKeyArn);
        var detail = new LifecycleEventDetail
        {
            Alias = result.Alias,
            Account = account,
            Region = region,
            PreviousKeyArn = result.PreviousKeyArn,
            NewKeyArn = result.NewKeyArn,
            KeyId = result.NewKeyId ?? result.PreviousKeyId,
            Generation = result.Method == RotationMethod.NewKey ? result.Generation : null,
            Strategy = result.Method is { } method ? RotationStrategyNames.Name(method) : null,
            RunId = runId,
            Outcome = outcome!,
            Reason = result.Reason,
        };
        return new LifecycleEvent(detailType, detail, Arns(result.PreviousKeyArn, result.NewKeyArn), time);
    }

    /// <summary>Key Rotation Rolled Back: the alias points at <paramref name="restoredGeneration"/> again.</summary>
    public static LifecycleEvent RolledBack(RollbackResult result, long restoredGeneration, string rollbackId, DateTimeOffset time)
    {
        ArgumentNullException.ThrowIfNull(result);
        var (region, account) = RotationNotice.RegionAndAccount(result.ToKeyArn ?? result.FromKeyArn);
        var detail = new LifecycleEventDetail
        {
            Alias = result.Alias,
            Account = account,
            Region = region,
            PreviousKeyArn = result.FromKeyArn,
            NewKeyArn = result.ToKeyArn,
            KeyId = result.ToKeyId,
            Generation = restoredGeneration,
            RunId = rollbackId,
            Outcome = Outcomes.RolledBack,
            Reason = result.Reason,
        };
        return new LifecycleEvent(LifecycleDetailTypes.RolledBack, detail, Arns(result.FromKeyArn, result.ToKeyArn), time);
    }

    /// <summary>One event per key a retention run (or an attempted use) disabled, scheduled for deletion or re-enabled; none for a dry run.</summary>
    public static IReadOnlyList<LifecycleEvent> ForRetention(RetentionReport report, DateTimeOffset time)
    {
        ArgumentNullException.ThrowIfNull(report);
        if (report.DryRun)
        {
            return [];
        }

        var events = new List<LifecycleEvent>();
        foreach (var result in report.Results.Where(r => r.Outcome == RetentionOutcome.Done))
        {
            var (detailType, outcome) = result.Step.Action switch
            {
                RetentionAction.Disable => (LifecycleDetailTypes.GenerationDisabled, Outcomes.Disabled),
                RetentionAction.ScheduleDeletion => (LifecycleDetailTypes.GenerationScheduledForDeletion, Outcomes.ScheduledForDeletion),
                RetentionAction.Reenable => (LifecycleDetailTypes.GenerationReenabled, Outcomes.Reenabled),
                _ => (null, null),
            };
            if (detailType is null)
            {
                continue;
            }

            var step = result.Step;
            var (region, account) = RotationNotice.RegionAndAccount(step.KeyArn);
            events.Add(new LifecycleEvent(detailType, new LifecycleEventDetail
            {
                Alias = step.Alias,
                Account = account,
                Region = region,
                KeyId = step.KeyId,
                Generation = step.Generation,
                RunId = report.RunId,
                Outcome = outcome!,
                Reason = step.Reason,
                DeletionCancelled = step.Action == RetentionAction.Reenable ? result.DeletionCancelled : null,
            }, Arns(step.KeyArn), time));
        }

        return events;
    }

    /// <summary>Alias Rotation Overdue: the alias's current key is older than its rotation period allows.</summary>
    public static LifecycleEvent Overdue(string alias, string currentKeyArn, DateTimeOffset dueAt, TimeSpan age, string runId, DateTimeOffset time)
    {
        ArgumentException.ThrowIfNullOrEmpty(alias);
        ArgumentException.ThrowIfNullOrEmpty(currentKeyArn);
        var (region, account) = RotationNotice.RegionAndAccount(currentKeyArn);
        var keyId = currentKeyArn[(currentKeyArn.LastIndexOf('/') + 1)..];
        var days = (long)Math.Floor(age.TotalDays);
        var detail = new LifecycleEventDetail
        {
            Alias = alias,
            Account = account,
            Region = region,
            KeyId = keyId,
            RunId = runId,
            Outcome = Outcomes.Overdue,
            Reason = string.Create(CultureInfo.InvariantCulture, $"{alias} was due for rotation at {RecordedTime.Format(dueAt)}; its key {keyId} is {days} day(s) old."),
            DueAt = RecordedTime.Format(dueAt),
            AgeDays = days,
        };
        return new LifecycleEvent(LifecycleDetailTypes.AliasRotationOverdue, detail, [currentKeyArn], time);
    }

    private static string[] Arns(params string?[] arns) => [.. arns.OfType<string>().Distinct(StringComparer.Ordinal)];
}
