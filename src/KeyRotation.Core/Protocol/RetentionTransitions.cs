using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;

namespace KeyRotation.Core.Protocol;

/// <summary>
/// The retention function's transitions of a retired key, each a small idempotent step whose intent is tagged on the
/// key before the KMS call that changes its state (a key pending deletion cannot be tagged), so a run that dies between
/// the two is finished by the next: disable, schedule deletion, delete a stale takeover alias, and, when someone still
/// uses the key, cancel its deletion and enable it again. The rotation role never reaches these.
/// </summary>
internal sealed class RetentionTransitions
{
    private readonly IAmazonKeyManagementService _kms;
    private readonly KmsCalls _calls;
    private readonly int _pendingWindowDays;

    /// <param name="pendingWindowDays">KMS's waiting period before a key scheduled for deletion is deleted.</param>
    public RetentionTransitions(IAmazonKeyManagementService kms, int pendingWindowDays)
    {
        _kms = kms;
        _calls = new KmsCalls(kms);
        _pendingWindowDays = pendingWindowDays;
    }

    /// <summary>
    /// Tags the key disabled (unless an interrupted run already did) with the proof of non-use read just before, then
    /// DisableKey.
    /// </summary>
    public async Task DisableAsync(string keyId, string runId, string now, string proof, CancellationToken ct)
    {
        var tags = KeyRecord.From(await _calls.TagsAsync(keyId, ct)).DisabledAt is null ? KeyRecordTags.Disabled(now, runId, proof) : KeyRecordTags.DisableProof(proof);
        await _calls.TagAsync(keyId, tags, ct);

        await KmsCalls.CallAsync("DisableKey", () => _kms.DisableKeyAsync(new DisableKeyRequest { KeyId = keyId }, ct));
    }

    /// <summary>Tags the key's deletion as scheduled with the proof read just before, then ScheduleKeyDeletion with the configured waiting period.</summary>
    public async Task ScheduleDeletionAsync(string keyId, string runId, string now, string proof, CancellationToken ct)
    {
        await _calls.TagAsync(keyId, KeyRecordTags.DeletionScheduled(now, runId, proof), ct);
        await KmsCalls.CallAsync("ScheduleKeyDeletion", () => _kms.ScheduleKeyDeletionAsync(new ScheduleKeyDeletionRequest { KeyId = keyId, PendingWindowInDays = _pendingWindowDays }, ct));
    }

    /// <summary>Deletes a takeover alias whose move is long finished; one already gone counts as done. KMS errors propagate.</summary>
    public async Task DeleteMarkerAsync(string markerAlias, CancellationToken ct)
    {
        try
        {
            await _kms.DeleteAliasAsync(new DeleteAliasRequest { AliasName = markerAlias }, ct);
        }
        catch (NotFoundException)
        {
            // Deleted by an earlier run that did not hear back.
        }
    }

    /// <summary>
    /// First half of re-enabling: CancelKeyDeletion when the key is pending deletion (which leaves it Disabled); true
    /// when it cancelled one.
    /// </summary>
    public async Task<bool> CancelDeletionIfScheduledAsync(string keyId, CancellationToken ct)
    {
        if ((await _calls.DescribeAsync(keyId, ct))?.KeyState != KeyState.PendingDeletion)
        {
            return false;
        }

        await KmsCalls.CallAsync("CancelKeyDeletion", () => _kms.CancelKeyDeletionAsync(new CancelKeyDeletionRequest { KeyId = keyId }, ct));
        return true;
    }

    /// <summary>
    /// Second half: for an attempted use, tag when, why and who (so retention never disables the key again), then EnableKey.
    /// Without a use (finishing an interrupted re-enable) the tags are already there.
    /// </summary>
    public async Task EnableAsync(string keyId, string now, (string Because, string UsedBy)? use, CancellationToken ct)
    {
        if (use is { } attempted)
        {
            await _calls.TagAsync(keyId, KeyRecordTags.Reenabled(now, attempted.Because, attempted.UsedBy), ct);
        }

        await KmsCalls.CallAsync("EnableKey", () => _kms.EnableKeyAsync(new EnableKeyRequest { KeyId = keyId }, ct));
    }
}
