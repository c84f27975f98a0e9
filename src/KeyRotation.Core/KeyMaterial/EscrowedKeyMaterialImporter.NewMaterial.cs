using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using Amazon.Runtime;
using KeyRotation.Core.Protocol;

namespace KeyRotation.Core.KeyMaterial;

/// <content>
/// New material for a key that already has imported material (a material move of an EXTERNAL key). The record that
/// ties a material to its escrow copy is KMS's own: the import sets KeyMaterialDescription to the escrow object's
/// name, so ListKeyRotations (IncludeKeyMaterial ALL_KEY_MATERIAL) names, for the key, each KeyMaterialId and its
/// escrow object. Crash safety follows the first import's rules: material escrowed by a run that died before
/// importing it is never reused (the function holds only the public key); the move's next object name is written
/// instead, and a material already imported for the move (PENDING_ROTATION) is never imported twice.
/// </content>
public sealed partial class EscrowedKeyMaterialImporter : INewKeyMaterialImporter
{
    async Task INewKeyMaterialImporter.EnsureNewMaterialPendingAsync(string aliasName, KeyMetadata key, long move, CancellationToken cancellationToken)
    {
        if (await PendingMaterialAsync(key.KeyId, cancellationToken) is not null)
        {
            // Imported by a run that died before rotating: the rotation makes it current; nothing is imported again.
            return;
        }

        var parameters = await KmsCalls.CallAsync("GetParametersForImport", () => _kms.GetParametersForImportAsync(
            new GetParametersForImportRequest { KeyId = key.KeyId, WrappingAlgorithm = AlgorithmSpec.RSAES_OAEP_SHA_256, WrappingKeySpec = _options.WrappingKeySpec },
            cancellationToken));
        var (wrappedForKms, wrappedForEscrow) = GenerateAndWrap(parameters.PublicKey, _options.Escrow?.PublicKey);
        var objectName = _options.Escrow is { } escrow
            ? await WriteEscrowAsync(escrow, aliasName, key, n => EscrowLocation.MoveObjectName(key.KeyId, move, n), 1, wrappedForEscrow!, cancellationToken)
            : null;

        var now = _time.GetUtcNow();
        try
        {
            await _import.ImportAsync(
                new ImportKeyMaterialRequest
                {
                    KeyId = key.KeyId,
                    ImportType = ImportType.NEW_KEY_MATERIAL,
                    KeyMaterialDescription = objectName ?? MaterialImport.NoEscrowDescription,
                    ImportToken = new MemoryStream(parameters.ImportToken.ToArray()),
                    EncryptedKeyMaterial = new MemoryStream(wrappedForKms),
                    ExpirationModel = _options.ExpirationDays == 0 ? ExpirationModelType.KEY_MATERIAL_DOES_NOT_EXPIRE : ExpirationModelType.KEY_MATERIAL_EXPIRES,
                    ValidTo = _options.ExpirationDays == 0 ? null : ValidTo(now).UtcDateTime,
                },
                cancellationToken);
        }
        catch (AmazonServiceException ex)
        {
            throw new RotationException($"KMS ImportKeyMaterial (NEW_KEY_MATERIAL) failed for {key.KeyId}: {ex.ErrorCode ?? ex.GetType().Name}: {ex.Message} Nothing was rotated; the next run retries with fresh material and the move's next escrow object.", ex);
        }

        _log.Write(new RotationLogEntry(RotationLogLevel.Information, objectName is null ? "Imported new key material (escrow disabled)" : "Imported new key material escrowed as " + objectName, null, aliasName, key.KeyId, key.KeyId));
    }

    async Task<bool> INewKeyMaterialImporter.HasPendingMaterialAsync(string keyId, CancellationToken cancellationToken) =>
        await PendingMaterialAsync(keyId, cancellationToken) is not null;

    async Task<CurrentKeyMaterial> INewKeyMaterialImporter.DescribeCurrentMaterialAsync(string aliasName, KeyMetadata key, CancellationToken cancellationToken)
    {
        var current = (await MaterialsAsync(key.KeyId, cancellationToken)).FirstOrDefault(m => m.KeyMaterialId == key.CurrentKeyMaterialId);
        var objectName = current?.KeyMaterialDescription is { } description && description != MaterialImport.NoEscrowDescription ? description : null;
        return new CurrentKeyMaterial(objectName, Notes(aliasName, key.KeyId, objectName, resumedAfterImport: false));
    }

    private async Task<RotationsListEntry?> PendingMaterialAsync(string keyId, CancellationToken ct) =>
        (await MaterialsAsync(keyId, ct)).FirstOrDefault(m => m.KeyMaterialState == KeyMaterialState.PENDING_ROTATION && m.ImportState == ImportState.IMPORTED);

    /// <summary>Every material of the key (ListKeyRotations with ALL_KEY_MATERIAL, every page).</summary>
    private async Task<List<RotationsListEntry>> MaterialsAsync(string keyId, CancellationToken ct)
    {
        var materials = new List<RotationsListEntry>();
        try
        {
            var request = new ListKeyRotationsRequest { KeyId = keyId, IncludeKeyMaterial = IncludeKeyMaterial.ALL_KEY_MATERIAL };
            await foreach (var material in _kms.Paginators.ListKeyRotations(request).Rotations.WithCancellation(ct))
            {
                materials.Add(material);
            }
        }
        catch (AmazonServiceException ex)
        {
            throw KmsCalls.StepFailed("ListKeyRotations", ex);
        }

        return materials;
    }
}
