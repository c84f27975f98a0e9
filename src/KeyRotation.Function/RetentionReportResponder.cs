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
        var aliases = await ReportEventAnswer.AliasesAsync(invocation, _settings.Selection, Refusal, _kms, _log, ct);
        var report = await new ComplianceReporter(_kms, _compliance, _time, readLastUse: false).ReportAsync(aliases, ct);
        report = await ReportConsumers.AddAsync(report, _kms, _sources, ct);
        return ReportEventAnswer.Respond(report, _log);
    }

    /// <summary>Why the event is refused: it names aliases this function's ROTATION_ALIASES does not select.</summary>
    private string Refusal(string unconfigured) =>
        $"Not configured: {unconfigured}. Retention reports only on the aliases {SettingNames.RotationAliases} selects ({string.Join(", ", _settings.Aliases)}).";
}
