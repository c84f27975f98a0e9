using Amazon.KeyManagementService;
using KeyRotation.Core.Configuration;
using KeyRotation.Core.Protocol;

namespace KeyRotation.Core.Retention;

/// <summary>The runner's answer to an attempted use of a key it retired (a CloudTrail event of a failed KMS call).</summary>
public sealed partial class RetentionRunner
{
    /// <summary>
    /// Someone tried to use a key this tool retired and retention disabled (or scheduled for deletion): cancel the
    /// deletion, tag why and who, enable it, notify. Anything else (a key of another alias or tool, a broken chain) is
    /// refused with the reason and nothing changes.
    /// </summary>
    public async Task<RetentionReport> HandleAttemptedUseAsync(string runId, AttemptedUse use, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(use);
        RetentionReport Refused(string alias, string keyId, string reason)
        {
            _log.Write(new RotationLogEntry(RotationLogLevel.Warning, "Attempted use left alone: " + reason, runId, alias, keyId));
            return new RetentionReport { RunId = runId, DryRun = false, Results = [], Skipped = [new RetentionResult { Step = new RetentionStep { Alias = alias, Action = RetentionAction.Keep, KeyId = keyId, Reason = reason }, Outcome = RetentionOutcome.Kept }] };
        }

        var key = await _calls.DescribeAsync(use.Key, ct);
        if (key is null)
        {
            return Refused(string.Empty, use.Key, $"{use.Key} does not exist (any more).");
        }

        var record = KeyRecord.From(await _calls.TagsAsync(key.KeyId, ct));
        var alias = record.Alias;
        if (alias is null || !_settings.Aliases.Contains(alias, StringComparer.Ordinal))
        {
            return Refused(alias ?? string.Empty, key.KeyId, $"{key.KeyId} is not a key this tool created for an alias in {SettingNames.RotationAliases}.");
        }

        if (record.DisabledAt is null)
        {
            return Refused(alias, key.KeyId, $"{key.KeyId} was not disabled by retention; it is {key.KeyState}.");
        }

        if (key.KeyState == KeyState.Enabled)
        {
            return Refused(alias, key.KeyId, $"{key.KeyId} is already Enabled.");
        }

        var view = await _reader.ReadAsync(alias, await _reader.ListAliasesAsync(ct), ct);
        var inChain = view.Keys.FirstOrDefault(k => k.KeyId == key.KeyId);
        if (view.Problem is not null || inChain is null)
        {
            return Refused(alias, key.KeyId, view.Problem ?? $"{key.KeyId} is not in the chain of {alias}.");
        }

        var step = new RetentionStep
        {
            Alias = alias,
            Action = RetentionAction.Reenable,
            KeyId = key.KeyId,
            KeyArn = key.Arn,
            Generation = inChain.Generation,
            Reason = $"{use.UsedBy} called {use.EventName}{(use.EventTime is { } t ? " at " + RecordedTime.Format(t) : string.Empty)} and got {use.ErrorCode}: the key is still needed",
        };
        var result = await ExecuteAsync(runId, step, use, ct);
        return await NotifyAsync(new RetentionReport { RunId = runId, DryRun = false, Results = [result], Skipped = [] }, ct);
    }
}
