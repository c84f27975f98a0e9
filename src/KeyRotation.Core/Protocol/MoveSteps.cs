using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;

namespace KeyRotation.Core.Protocol;

/// <summary>The writes that make a move visible: move the alias, retire the old key (for an earlier version's move: mark the new key active).</summary>
internal sealed class MoveSteps
{
    private readonly IAmazonKeyManagementService _kms;
    private readonly KmsCalls _calls;
    private readonly TimeProvider _time;

    public MoveSteps(IAmazonKeyManagementService kms, TimeProvider time)
    {
        _kms = kms;
        _calls = new KmsCalls(kms);
        _time = time;
    }

    /// <summary>
    /// Tags the old key retired, naming its successor: the rotation's last step, after the move and the notification.
    /// The role still reaches the old key through kms:ResourceAliases then, because the move's marker alias stays on it
    /// (and through the key policy's statement for the role). A move recorded by an earlier version, whose marker is on
    /// the new key, retires the old key before the move instead, while the alias still points at it.
    /// </summary>
    public Task RetireAsync(string oldKeyId, string alias, string newKeyId, CancellationToken ct) =>
        _calls.TagAsync(oldKeyId, new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [RotationTags.Alias] = alias,
            [RotationTags.State] = RotationTags.KeyStates.Retired,
            [RotationTags.RetiredAt] = RecordedTime.Format(_time.GetUtcNow()),
            [RotationTags.SuccessorKey] = newKeyId,
            [RotationTags.Sealed] = RotationTags.SealedValue,
        }, ct);

    /// <summary>Points the alias at the new key: from now on applications encrypt under it.</summary>
    public Task MoveAliasAsync(string alias, string newKeyId, CancellationToken ct) =>
        KmsCalls.CallAsync("UpdateAlias", () => _kms.UpdateAliasAsync(new UpdateAliasRequest { AliasName = alias, TargetKeyId = newKeyId }, ct));

    /// <summary>The last step of a move an earlier version recorded: the new key is active, nothing is left for a later run to finish.</summary>
    public Task MarkActiveAsync(string newKeyId, CancellationToken ct) =>
        _calls.TagAsync(newKeyId, [new(RotationTags.State, RotationTags.KeyStates.Active)], ct);
}
