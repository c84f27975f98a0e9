using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using KeyRotation.Core.Protocol;

namespace KeyRotation.Core.Strategies;

/// <summary>
/// What KMS allows for giving a key new material in place, shared by the strategies that use it: on-demand rotation
/// works for symmetric encryption keys outside custom key stores, with KMS-generated or (when this run can import)
/// imported material, at most 25 times per key. Reads only (ListKeyRotations).
/// </summary>
internal sealed class MaterialAbility
{
    /// <summary>KMS allows at most this many on-demand rotations per key, for its whole life.</summary>
    public const int MaxOnDemandRotations = 25;

    private readonly IAmazonKeyManagementService _kms;
    private readonly bool _canImportNewMaterial;

    /// <param name="reserve">On-demand rotations auto keeps for a manual rotation (ROTATION_MATERIAL_RESERVE).</param>
    public MaterialAbility(IAmazonKeyManagementService kms, bool canImportNewMaterial, int reserve)
    {
        _kms = kms;
        _canImportNewMaterial = canImportNewMaterial;
        Reserve = reserve;
    }

    public int Reserve { get; }

    /// <summary>Why KMS cannot give this key new material in place, or null when it can.</summary>
    public string? WhyNot(KeyMetadata key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (key.KeySpec != KeySpec.SYMMETRIC_DEFAULT || key.KeyUsage != KeyUsageType.ENCRYPT_DECRYPT)
        {
            return $"key {key.KeyId} is a {key.KeySpec?.Value} {key.KeyUsage?.Value} key, and KMS rotates key material on demand only for symmetric encryption keys (HMAC and asymmetric keys are refused)";
        }

        if (!string.IsNullOrEmpty(key.CustomKeyStoreId))
        {
            return $"key {key.KeyId} is in the custom key store {key.CustomKeyStoreId}, where KMS does not rotate key material on demand";
        }

        if (key.Origin == OriginType.EXTERNAL && !_canImportNewMaterial)
        {
            return $"key {key.KeyId} has imported material (origin EXTERNAL), and new material for it must be generated, escrowed and imported, which needs KEY_MATERIAL_ORIGIN=EXTERNAL and its escrow settings";
        }

        if (key.Origin != OriginType.EXTERNAL && key.Origin != OriginType.AWS_KMS)
        {
            return $"key {key.KeyId} has origin {key.Origin?.Value}, and KMS rotates key material on demand only for keys with KMS-generated or imported material";
        }

        return null;
    }

    /// <summary>The key's on-demand rotations so far (ListKeyRotations, every page, RotationType ON_DEMAND).</summary>
    public async Task<int> CountOnDemandRotationsAsync(string keyId, CancellationToken ct)
    {
        var count = 0;
        try
        {
            await foreach (var rotation in _kms.Paginators.ListKeyRotations(new ListKeyRotationsRequest { KeyId = keyId }).Rotations.WithCancellation(ct))
            {
                count += rotation.RotationType == RotationType.ON_DEMAND ? 1 : 0;
            }
        }
        catch (Amazon.Runtime.AmazonServiceException ex)
        {
            throw KmsCalls.StepFailed("ListKeyRotations", ex);
        }

        return count;
    }
}
