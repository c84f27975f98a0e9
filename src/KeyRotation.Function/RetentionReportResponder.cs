using System.Text;
using Amazon.KeyManagementService;
using KeyRotation.Core;
using KeyRotation.Core.Compliance;
using KeyRotation.Core.Configuration;
using KeyRotation.Core.Consumers;

namespace KeyRotation.Function;

/// <summary>
/// The retention function's answer to the report event with RETIRE_CHECK_CONSUMERS on: the same document as the
/// rotation function's report (docs/report.schema.json), plus each generation's consumers, found with the retention
/// role's read-only inventory actions (the rotation role has none). Changes nothing; no last use is read.
/// </summary>
internal sealed class RetentionReportResponder
{
    private readonly IAmazonKeyManagementService _kms;
    private readonly RetentionSettings _settings;
    private readonly ComplianceSettings _compliance;
    private readonly IReadOnlyList<IConsumerSource> _sources;
    private readonly TimeProvider _time;
    private readonly IRotationLog _log;

    public RetentionReportResponder(IAmazonKeyManagementService kms, RetentionSettings settings, ComplianceSettings compliance, IReadOnlyList<IConsumerSource> sources, TimeProvider time, IRotationLog log)
    {
        _kms = kms;
        _settings = settings;
        _compliance = compliance;
        _sources = sources;
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
                    $"Not configured: {string.Join(", ", unconfigured)}. Retention reports only on the aliases {SettingNames.RotationAliases} selects ({string.Join(", ", _settings.Aliases)}).");
                _log.Write(new RotationLogEntry(RotationLogLevel.Error, "Refused the event: " + error.Message));
                throw error;
            }

            aliases = named;
        }
        else
        {
            aliases = await _settings.Selection.ResolveAsync(_kms, ct);
        }

        var report = await new ComplianceReporter(_kms, _compliance, _time, readLastUse: false).ReportAsync(aliases, ct);
        report = await ReportConsumers.AddAsync(report, _kms, _sources, ct);
        foreach (var alias in report.Aliases.Where(a => a.Error is not null))
        {
            _log.Write(new RotationLogEntry(RotationLogLevel.Error, "Report: " + alias.Error, Alias: alias.Alias));
        }

        _log.Write(new RotationLogEntry(RotationLogLevel.Information, "Report: " + report.DescribeSummary()));
        return new MemoryStream(Encoding.UTF8.GetBytes(ComplianceReportJson.ToJson(report).ToJsonString()), writable: false);
    }
}
