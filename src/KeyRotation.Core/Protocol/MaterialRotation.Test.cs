using Amazon.KeyManagementService.Model;

namespace KeyRotation.Core.Protocol;

/// <summary>The pre-move test of a material move (docs/hooks.md, "The material strategy").</summary>
internal sealed partial class MaterialRotation
{
    private readonly PreMoveTest _test;

    /// <summary>
    /// After the new material is current and before the move is recorded as done: null when the hook accepted (or there
    /// is none), else the failed result. KMS cannot make the earlier material current again, so a refusal leaves the key
    /// encrypting with the new material, the move unrecorded and the claim released: the next run takes it over, sees
    /// the rotation happened (CurrentKeyMaterialId) and asks the hook again without rotating again.
    /// </summary>
    private async Task<AliasRotationResult?> UntestedAsync(RotationRequest request, AliasState state, KeyMetadata rotated, RunClaim claim, AliasRotationResult result, CancellationToken ct)
    {
        if (await _test.RunAsync(request, state, rotated, claim, RotationMethod.Material, ct) is not { } untested)
        {
            return null;
        }

        var key = state.Current!;
        var reason = $"{untested} {key.KeyId} already encrypts with its new material {rotated.CurrentKeyMaterialId}; the rotation is not recorded as done, and the next run tests it again without rotating again.";
        await _claims.ReleaseAsync(claim, reason, ct);
        return result with { NewKeyId = key.KeyId, NewKeyArn = key.Arn, Reason = reason };
    }
}
