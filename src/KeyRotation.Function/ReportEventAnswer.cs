using System.Text;
using Amazon.KeyManagementService;
using KeyRotation.Core;
using KeyRotation.Core.Compliance;

namespace KeyRotation.Function;

/// <summary>
/// What the rotation function's and the retention function's answers to the report event share: the event may name
/// only aliases the function's selection holds (any other is refused, logged, before KMS is read), and the report is
/// logged and written the same way. Each function words its own refusal: they are configured apart.
/// </summary>
internal static class ReportEventAnswer
{
    /// <summary>The event's aliases, each one the selection matches, or every alias the selection resolves to when it names none.</summary>
    /// <param name="refusal">The refusal's message, given the aliases the selection does not hold, joined with ", ".</param>
    public static async Task<IReadOnlyList<string>> AliasesAsync(InvocationEvent invocation, AliasSelection selection, Func<string, string> refusal, IAmazonKeyManagementService kms, IRotationLog log, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(invocation);
        ArgumentNullException.ThrowIfNull(selection);
        ArgumentNullException.ThrowIfNull(refusal);
        ArgumentNullException.ThrowIfNull(log);
        if (invocation.ReportAliases is not { } named)
        {
            return await selection.ResolveAsync(kms, ct);
        }

        var unconfigured = named.Where(a => !selection.Matches(a)).ToList();
        if (unconfigured.Count > 0)
        {
            var error = new InvalidEventException(refusal(string.Join(", ", unconfigured)));
            log.Write(new RotationLogEntry(RotationLogLevel.Error, "Refused the event: " + error.Message));
            throw error;
        }

        return named;
    }

    /// <summary>Logs each alias's error and the summary, and gives the report's JSON (docs/report.schema.json) as the response.</summary>
    public static Stream Respond(ComplianceReport report, IRotationLog log)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(log);
        foreach (var alias in report.Aliases.Where(a => a.Error is not null))
        {
            log.Write(new RotationLogEntry(RotationLogLevel.Error, "Report: " + alias.Error, Alias: alias.Alias));
        }

        log.Write(new RotationLogEntry(RotationLogLevel.Information, "Report: " + report.DescribeSummary()));
        return new MemoryStream(Encoding.UTF8.GetBytes(ComplianceReportJson.ToJson(report).ToJsonString()), writable: false);
    }
}
