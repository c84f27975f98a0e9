using System.Globalization;
using System.Text;

namespace KeyRotation.Core.History;

/// <summary>The notice for a rollback, in the same shape (subject, body, alias/outcome attributes) as a rotation's.</summary>
internal static class RollbackNotice
{
    /// <summary>The outcome attribute of a rollback notice, for subscription filter policies.</summary>
    public const string Outcome = "RolledBack";

    public static RotationNotice For(RollbackResult result, string rollbackId, DateTimeOffset time)
    {
        ArgumentNullException.ThrowIfNull(result);
        var subject = $"KMS key rollback: {result.Alias}";
        if (subject.Length > 100)
        {
            subject = subject[..97] + "...";
        }

        var (region, account) = RotationNotice.RegionAndAccount(result.ToKeyArn ?? result.FromKeyArn);
        var body = new StringBuilder();
        body.AppendLine(CultureInfo.InvariantCulture, $"Alias:        {result.Alias}");
        body.AppendLine(CultureInfo.InvariantCulture, $"Outcome:      {Outcome}");
        body.AppendLine(CultureInfo.InvariantCulture, $"Account:      {account ?? "unknown"}");
        body.AppendLine(CultureInfo.InvariantCulture, $"Region:       {region ?? "unknown"}");
        body.AppendLine(CultureInfo.InvariantCulture, $"Rolled back:  {result.FromKeyArn ?? result.FromKeyId}");
        body.AppendLine(CultureInfo.InvariantCulture, $"Restored key: {result.ToKeyArn ?? result.ToKeyId}");
        body.AppendLine(CultureInfo.InvariantCulture, $"Time:         {RecordedTime.Format(time)}");
        body.AppendLine(CultureInfo.InvariantCulture, $"Rollback id:  {rollbackId}");
        body.AppendLine();
        body.AppendLine(result.Reason);
        body.AppendLine();
        body.AppendLine("What applications need to do: nothing if they use the alias; new data is encrypted under the restored key.");
        body.AppendLine("Data encrypted under the rolled-back key still decrypts: that key stays enabled.");
        body.AppendLine("Applications that cached the key id or key ARN must look the alias up again.");
        body.AppendLine("The next scheduled rotation creates a new key from the restored one; remove the alias from ROTATION_ALIASES first if the cause is not fixed.");
        var attributes = new Dictionary<string, string>(StringComparer.Ordinal) { ["alias"] = result.Alias, ["outcome"] = Outcome };
        return new RotationNotice(subject, body.ToString(), attributes);
    }
}
