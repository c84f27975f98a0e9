using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;

namespace KeyRotation.Core.Protocol;

/// <summary>The writes that make a move visible: retire the old key, move the alias, mark the new key active.</summary>
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
    /// Tags the old key retired, naming its successor. Done while the alias still points at it: the role reaches it
    /// through kms:ResourceAliases, which stops matching once the alias moves.
    /// </summary>
    public Task RetireAsync(string oldKeyId, string alias, string newKeyId, CancellationToken ct) =>
        _calls.TagAsync(oldKeyId, new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [RotationTags.Alias] = alias,
            [RotationTags.State] = RotationTags.KeyStates.Retired,
            [RotationTags.RetiredAt] = RotationTags.FormatTime(_time.GetUtcNow()),
            [RotationTags.SuccessorKey] = newKeyId,
            [RotationTags.Sealed] = RotationTags.SealedValue,
        }, ct);

    /// <summary>Points the alias at the new key: from now on applications encrypt under it.</summary>
    public Task MoveAliasAsync(string alias, string newKeyId, CancellationToken ct) =>
        KmsCalls.CallAsync("UpdateAlias", () => _kms.UpdateAliasAsync(new UpdateAliasRequest { AliasName = alias, TargetKeyId = newKeyId }, ct));

    /// <summary>The last step of a rotation: the new key is active, nothing is left for a later run to finish.</summary>
    public Task MarkActiveAsync(string newKeyId, CancellationToken ct) =>
        _calls.TagAsync(newKeyId, [new(RotationTags.State, RotationTags.KeyStates.Active)], ct);
}
