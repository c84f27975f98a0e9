namespace KeyRotation.Core.Retention;

/// <summary>The proof of non-use of the runner's disable and deletion steps: read it, and what it leaves of a step.</summary>
public sealed partial class RetentionRunner
{
    /// <summary>
    /// GetKeyLastUsage on the key and its replicas, then, with RETIRE_CHECK_CONSUMERS, what the consumer inventory of
    /// the alias (scanned once per run, in <paramref name="consumers"/>) shows about the key.
    /// </summary>
    private async Task<RetirementProof> ProofAsync(RetentionStep step, RetirementConsumerCheck.Scans? consumers, CancellationToken ct)
    {
        var proof = await _proofs.ReadAsync(step.KeyId, step.ReplicaRegions, _time.GetUtcNow(), ct);
        if (consumers is null)
        {
            return proof;
        }

        var found = await consumers.ForAsync(step.Alias, step.KeyId, ct);
        // Deletion is planned only for a key retention disabled: whatever references it cannot decrypt already.
        return proof.WithConsumers(step.Action == RetentionAction.ScheduleDeletion ? found.WhileDisabled(step.KeyId, step.Alias) : found);
    }

    /// <summary>
    /// The step as its proof leaves it: with the proof when proven; kept, naming the use, when not proven; and when a read
    /// failed, kept in a plan (<paramref name="refuseUnreadable"/>) but left as it is, to fail, in a run.
    /// </summary>
    private static RetentionStep Proven(RetentionStep step, RetirementProof proof, bool refuseUnreadable) =>
        proof.Verdict == RetirementVerdict.NotProven || (proof.Verdict == RetirementVerdict.Unreadable && refuseUnreadable)
            ? step with { Action = RetentionAction.Keep, Refused = step.Action, Reason = proof.Describe(), Proof = proof }
            : step with { Proof = proof };

    /// <summary>A step the proof stopped: kept when the key was used, failed (nothing touched) when its last use could not be read.</summary>
    private RetentionResult Refusal(string runId, RetentionStep step)
    {
        var proof = ProofOf(step);
        if (proof.Verdict == RetirementVerdict.Unreadable)
        {
            _log.Write(new RotationLogEntry(RotationLogLevel.Error, $"{step.Action} not attempted: {proof.Describe()}", runId, step.Alias, step.KeyId));
            return new RetentionResult { Step = step, Outcome = RetentionOutcome.Failed, Error = $"Not attempted: {proof.Describe()}." };
        }

        _log.Write(new RotationLogEntry(RotationLogLevel.Warning, $"{step.Refused} refused: {step.Reason}", runId, step.Alias, step.KeyId));
        return new RetentionResult { Step = step, Outcome = RetentionOutcome.Kept };
    }

    private static RetirementProof ProofOf(RetentionStep step) =>
        step.Proof ?? throw new InvalidOperationException($"{step.Action} of {step.KeyId} has no proof of non-use.");
}
