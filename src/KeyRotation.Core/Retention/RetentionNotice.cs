using System.Globalization;
using System.Text;

namespace KeyRotation.Core.Retention;

/// <summary>
/// The notice of a retention run or a re-enabled key: every key disabled, scheduled for deletion, re-enabled or whose
/// deletion was cancelled, with the proof of non-use each retirement read; and every retired key kept because it was
/// still used (a consumer someone may have forgotten).
/// </summary>
internal static class RetentionNotice
{
    /// <summary>The outcome attribute, for subscription filter policies.</summary>
    public const string Outcome = "Retention";

    /// <summary>Null when the run acted on nothing (and failed nowhere): nothing to tell.</summary>
    public static RotationNotice? For(RetentionReport report, DateTimeOffset time)
    {
        ArgumentNullException.ThrowIfNull(report);
        var acted = report.Acted.Where(r => r.Step.Action != RetentionAction.DeleteMarkerAlias).ToList();
        var failed = report.Failed.ToList();
        var refused = report.Refused.ToList();
        if (acted.Count == 0 && failed.Count == 0 && refused.Count == 0)
        {
            return null;
        }

        var aliases = acted.Concat(failed).Concat(refused).Select(r => r.Step.Alias).Distinct(StringComparer.Ordinal).ToList();
        var reenabled = acted.Any(r => r.Step.Action == RetentionAction.Reenable);
        var subject = reenabled ? "KMS key re-enabled after attempted use"
            : acted.Count == 0 && failed.Count == 0 ? $"KMS key retention: {refused.Count} retired key(s) still in use, kept"
            : $"KMS key retention: {acted.Count} key(s) changed";
        var body = new StringBuilder();
        body.AppendLine(CultureInfo.InvariantCulture, $"Run:     {report.RunId}{(report.DryRun ? " (dry run: nothing was changed)" : string.Empty)}");
        body.AppendLine(CultureInfo.InvariantCulture, $"Time:    {RecordedTime.Format(time)}");
        body.AppendLine(CultureInfo.InvariantCulture, $"Aliases: {string.Join(", ", aliases)}");
        body.AppendLine();
        foreach (var result in acted)
        {
            body.AppendLine(CultureInfo.InvariantCulture, $"{Verb(result)}: {result.Step.KeyId} (generation {result.Step.Generation} of {result.Step.Alias}): {result.Step.Reason}");
            if (result.Step.Proof is { } proof)
            {
                body.AppendLine(CultureInfo.InvariantCulture, $"  Proof: {proof.Describe()}");
            }
        }

        foreach (var result in refused)
        {
            body.AppendLine(CultureInfo.InvariantCulture, $"Kept ({result.Step.Refused} refused, still in use): {result.Step.KeyId} (generation {result.Step.Generation} of {result.Step.Alias}): {result.Step.Reason}");
        }

        foreach (var result in failed)
        {
            body.AppendLine(CultureInfo.InvariantCulture, $"FAILED to {result.Step.Action} {result.Step.KeyId} of {result.Step.Alias}: {result.Error}");
        }

        body.AppendLine();
        body.AppendLine("A disabled key still holds its material: enabling it (kms:EnableKey) makes its data decryptable again.");
        body.AppendLine("A key pending deletion can be saved until its deletion date: cancel the deletion, then enable it (docs/retention.md).");
        var attributes = new Dictionary<string, string>(StringComparer.Ordinal) { ["alias"] = aliases.Count == 1 ? aliases[0] : "multiple", ["outcome"] = Outcome };
        return new RotationNotice(subject, body.ToString(), attributes);
    }

    private static string Verb(RetentionResult result) => result.Step.Action switch
    {
        RetentionAction.Disable => "Disabled",
        RetentionAction.ScheduleDeletion => "Deletion scheduled",
        RetentionAction.Reenable when result.DeletionCancelled => "Deletion cancelled and re-enabled",
        RetentionAction.Reenable => "Re-enabled",
        _ => result.Step.Action.ToString(),
    };
}
