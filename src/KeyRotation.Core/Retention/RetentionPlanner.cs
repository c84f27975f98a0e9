using System.Globalization;
using KeyRotation.Core.Configuration;

namespace KeyRotation.Core.Retention;

/// <summary>The planner's answer for one alias: a step per key and marker alias it considered, or why it left the alias alone.</summary>
public sealed record RetentionPlan(string Alias, IReadOnlyList<RetentionStep> Steps, string? SkipReason)
{
    /// <summary>True when the alias could not be read at all (an error, not a decision); <see cref="SkipReason"/> says why.</summary>
    public bool ReadFailed { get; init; }
}

/// <summary>
/// Decides, without calling anything, what retention does with each key of a verified chain: never the current key or
/// the RETAIN_GENERATIONS keys right behind it, never the alias's first key (not created by this tool) unless
/// RETIRE_ORIGINAL_KEY is on and its first move's marker shows the key was behind the alias before it, never a key
/// another alias points at, never an EXTERNAL key whose escrow copy was not found, never a key someone needed again;
/// disable retired keys DISABLE_AFTER_DAYS after retirement, and (disable-then-delete) schedule deletion
/// DELETE_AFTER_DAYS after disabling. Takeover aliases of finished moves older than DISABLE_AFTER_DAYS are deleted.
/// Each disable and deletion step still needs its proof of non-use, read by the runner just before the KMS call.
/// </summary>
internal static class RetentionPlanner
{
    public static RetentionPlan Plan(RetentionView view, RetentionSettings settings, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(view);
        ArgumentNullException.ThrowIfNull(settings);
        if (view.Problem is { } problem)
        {
            return new RetentionPlan(view.Alias, [], problem);
        }

        if (view.InProgress is { } inProgress)
        {
            return new RetentionPlan(view.Alias, [], inProgress + " Retention leaves the alias alone until it is finished.");
        }

        var steps = new List<RetentionStep>();
        foreach (var key in view.Keys)
        {
            var (action, reason) = Decide(view, key, settings, now);
            if (!key.CreatedByTool && action != RetentionAction.Keep)
            {
                reason += OriginalKey.Note(view, key);
            }

            steps.Add(new RetentionStep { Alias = view.Alias, Action = action, KeyId = key.KeyId, KeyArn = key.Arn, Generation = key.Generation, Reason = reason, ReplicaRegions = key.ReplicaRegions });
        }

        if (settings.Mode != RetentionMode.Off && view.Keys.Count > 0)
        {
            var sequence = view.Keys[0].Record.Sequence;
            foreach (var marker in view.Markers.Where(m => m.IsTakeover && m.Move <= sequence && m.LastUpdated is { } u && Days(u, now) >= settings.DisableAfterDays))
            {
                steps.Add(new RetentionStep
                {
                    Alias = view.Alias,
                    Action = RetentionAction.DeleteMarkerAlias,
                    KeyId = marker.TargetKeyId ?? string.Empty,
                    MarkerAlias = marker.Name,
                    Reason = $"{marker.Name} claimed the takeover of move {marker.Move}, which finished; it is older than {settings.DisableAfterDays} days.",
                });
            }
        }

        return new RetentionPlan(view.Alias, steps, null);
    }

    private static (RetentionAction Action, string Reason) Decide(RetentionView view, RetentionKey key, RetentionSettings settings, DateTimeOffset now)
    {
        var record = key.Record;
        if (key.Index == 0)
        {
            return Keep("the alias's current key");
        }

        if (key.Index <= settings.RetainGenerations)
        {
            return Keep($"one of the {settings.RetainGenerations} generation(s) kept enabled behind the current key ({SettingNames.RetainGenerations}), so a rollback target always works");
        }

        if (!key.CreatedByTool && OriginalKey.Refuse(view, key, settings) is { } original)
        {
            return Keep(original);
        }

        if (key.OtherAliases.Count > 0)
        {
            return Keep($"still the target of {string.Join(", ", key.OtherAliases)}");
        }

        if (key.Origin == "EXTERNAL" && key.EscrowConfirmed != true && key.KeyState != "PendingDeletion")
        {
            return Keep($"imported key material whose escrow copy ({record.EscrowObject ?? "no escrow-object tag"}) could not be confirmed");
        }

        if (record.ReenabledAt is { } reenabledAt)
        {
            return key.KeyState == "Disabled"
                ? (RetentionAction.Reenable, $"enabled again after an attempted use at {reenabledAt}; finishing the interrupted re-enable")
                : Keep($"someone tried to use it ({record.UsedBy ?? "unknown caller"}) and retention enabled it again at {reenabledAt}; remove the tag {RetentionTags.ReenabledAt} once it is really no longer needed");
        }

        if (settings.Mode == RetentionMode.Off)
        {
            return Keep($"{SettingNames.RetentionMode} is off");
        }

        switch (key.KeyState)
        {
            case "Enabled":
                if (record.DisabledAt is { } disabledAt)
                {
                    return (RetentionAction.Disable, $"tagged disabled at {disabledAt} by a run that did not finish; disabling");
                }

                if (!record.IsRetired || !TryParse(record.RetiredAt, out var retired))
                {
                    return Keep("not tagged retired with a retirement time");
                }

                var sinceRetired = Days(retired, now);
                return sinceRetired >= settings.DisableAfterDays
                    ? (RetentionAction.Disable, $"retired {sinceRetired} day(s) ago; {SettingNames.DisableAfterDays} is {settings.DisableAfterDays}")
                    : Keep($"retired {sinceRetired} day(s) ago; disabled after {settings.DisableAfterDays}");

            case "Disabled":
                if (!TryParse(record.DisabledAt, out var disabled))
                {
                    return Keep("disabled, but not by retention: left as it is");
                }

                if (settings.Mode != RetentionMode.DisableThenDelete)
                {
                    return Keep($"disabled since {record.DisabledAt}; {SettingNames.RetentionMode} disable never deletes");
                }

                var sinceDisabled = Days(disabled, now);
                return sinceDisabled >= settings.DeleteAfterDays
                    ? (RetentionAction.ScheduleDeletion, $"disabled {sinceDisabled} day(s) ago with no attempted use; {SettingNames.DeleteAfterDays} is {settings.DeleteAfterDays}; KMS deletes it after a {settings.PendingWindowDays}-day waiting period")
                    : Keep($"disabled {sinceDisabled} day(s) ago; deletion is scheduled after {settings.DeleteAfterDays}");

            case "PendingDeletion":
                return Keep($"deletion scheduled; KMS deletes it {(key.DeletionDate is { } d ? "on " + RecordedTime.Format(d) : "after its waiting period")}");

            default:
                return Keep($"in state {key.KeyState}");
        }
    }

    private static (RetentionAction, string) Keep(string reason) => (RetentionAction.Keep, reason);

    private static int Days(DateTimeOffset since, DateTimeOffset now) => (int)Math.Floor((now - since).TotalDays);

    private static bool TryParse(string? text, out DateTimeOffset time) =>
        DateTimeOffset.TryParseExact(text, "yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out time);
}
