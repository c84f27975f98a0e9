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
        var aliases = await ReportEventAnswer.AliasesAsync(invocation, _settings.Selection, Refusal, _kms, _log, ct);
        var report = await new ComplianceReporter(_kms, _settings.Compliance, _time, readLastUse: false).ReportAsync(aliases, ct);
        return ReportEventAnswer.Respond(report, _log);
    }

    /// <summary>Why the event is refused: it names aliases this function's ROTATION_ALIASES does not select.</summary>
    private string Refusal(string unconfigured) =>
        $"Not configured for rotation: {unconfigured}. This function reports only on the aliases {SettingNames.RotationAliases} selects ({string.Join(", ", _settings.Aliases)}).";
}
