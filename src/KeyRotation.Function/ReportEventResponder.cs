using System.Text;
using Amazon.KeyManagementService;
using KeyRotation.Core;
using KeyRotation.Core.Compliance;
using KeyRotation.Core.Configuration;

namespace KeyRotation.Function;

/// <summary>
/// Answers the report event with the compliance report's JSON, the same document as <c>keyrotation report --output
/// json</c> (docs/report.schema.json). Changes nothing. The rotation role has no kms:GetKeyLastUsage, and gets none for
/// this: the function's report reads no last use (lastUseRead false); the CLI's report reads it with the operator's
/// credentials.
/// </summary>
internal sealed class ReportEventResponder
{
    private readonly IAmazonKeyManagementService _kms;
    private readonly RotationSettings _settings;
    private readonly TimeProvider _time;
    private readonly IRotationLog _log;

    public ReportEventResponder(IAmazonKeyManagementService kms, RotationSettings settings, TimeProvider time, IRotationLog log)
    {
        _kms = kms;
        _settings = settings;
        _time = time;
        _log = log;
    }

    /// <summary>The report of the event's aliases (they must be configured), or of every configured alias.</summary>
    public async Task<Stream> AnswerAsync(InvocationEvent invocation, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(invocation);
        IReadOnlyList<string> aliases;
        if (invocation.ReportAliases is { } named)
        {
            var unconfigured = named.Where(a => !_settings.Selection.Matches(a)).ToList();
            if (unconfigured.Count > 0)
            {
                var error = new InvalidEventException(
                    $"Not configured for rotation: {string.Join(", ", unconfigured)}. This function reports only on the aliases {SettingNames.RotationAliases} selects ({string.Join(", ", _settings.Aliases)}).");
                _log.Write(new RotationLogEntry(RotationLogLevel.Error, "Refused the event: " + error.Message));
                throw error;
            }

            aliases = named;
        }
        else
        {
            aliases = await _settings.Selection.ResolveAsync(_kms, ct);
        }

        var report = await new ComplianceReporter(_kms, _settings.Compliance, _time, readLastUse: false).ReportAsync(aliases, ct);
        foreach (var alias in report.Aliases.Where(a => a.Error is not null))
        {
            _log.Write(new RotationLogEntry(RotationLogLevel.Error, "Report: " + alias.Error, Alias: alias.Alias));
        }

        _log.Write(new RotationLogEntry(RotationLogLevel.Information, "Report: " + report.DescribeSummary()));
        return new MemoryStream(Encoding.UTF8.GetBytes(ComplianceReportJson.ToJson(report).ToJsonString()), writable: false);
    }
}
