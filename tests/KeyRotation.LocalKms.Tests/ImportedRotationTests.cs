using System.Security.Cryptography;
using System.Text;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;

namespace KeyRotation.LocalKms.Tests;

/// <summary>Keys with imported material: NEW_KEY_MATERIAL waits in PENDING_ROTATION until RotateKeyOnDemand.</summary>
public sealed class ImportedRotationTests
{
    private static readonly byte[] Secret = Encoding.UTF8.GetBytes("escrowed");

    private static async Task<string> CreateImportedKeyAsync(LocalKmsHarness kms, byte[] material)
    {
        var keyId = (await kms.CreateKeyAsync(new CreateKeyRequest { Origin = OriginType.EXTERNAL })).KeyId;
        await kms.ImportAsync(keyId, material);
        return keyId;
    }

    private static async Task<ImportKeyMaterialResponse> ImportAsync(
        LocalKmsHarness kms, string keyId, byte[] material, ImportType? importType, string? materialId = null, string? description = null, DateTimeOffset? validTo = null)
    {
        var (token, wrapped) = await kms.WrapForImportAsync(keyId, material);
        return await kms.Client.ImportKeyMaterialAsync(new ImportKeyMaterialRequest
        {
            KeyId = keyId,
            ImportToken = token,
            EncryptedKeyMaterial = wrapped,
            ExpirationModel = validTo is null ? ExpirationModelType.KEY_MATERIAL_DOES_NOT_EXPIRE : ExpirationModelType.KEY_MATERIAL_EXPIRES,
            ValidTo = validTo?.UtcDateTime,
            ImportType = importType,
            KeyMaterialId = materialId,
            KeyMaterialDescription = description,
        });
    }

    private static async Task<List<RotationsListEntry>> AllMaterialsAsync(LocalKmsHarness kms, string keyId) =>
        (await kms.Client.ListKeyRotationsAsync(new ListKeyRotationsRequest { KeyId = keyId, IncludeKeyMaterial = IncludeKeyMaterial.ALL_KEY_MATERIAL })).Rotations;

    [Fact]
    public async Task ImportKeyMaterial_FirstImport_ReturnsKeyArnAndMaterialIdThatDescribeShowsCurrent()
    {
        using var kms = new LocalKmsHarness();
        var keyId = (await kms.CreateKeyAsync(new CreateKeyRequest { Origin = OriginType.EXTERNAL })).KeyId;

        var response = await ImportAsync(kms, keyId, RandomNumberGenerator.GetBytes(32), importType: null, description: "first escrow v1");

        var key = (await kms.Client.DescribeKeyAsync(new DescribeKeyRequest { KeyId = keyId })).KeyMetadata;
        Assert.Equal(key.Arn, response.KeyId);
        Assert.Matches("^[0-9a-f]{64}$", response.KeyMaterialId);
        Assert.Equal(response.KeyMaterialId, key.CurrentKeyMaterialId);
        var entry = Assert.Single(await AllMaterialsAsync(kms, keyId));
        Assert.Equal("first escrow v1", entry.KeyMaterialDescription);
        Assert.Equal(ImportState.IMPORTED, entry.ImportState);
        Assert.Equal(ExpirationModelType.KEY_MATERIAL_DOES_NOT_EXPIRE, entry.ExpirationModel);
        Assert.Equal(KeyMaterialState.CURRENT, entry.KeyMaterialState);
    }

    [Fact]
    public async Task ImportKeyMaterial_NewMaterial_PendingRotationUntilRotateKeyOnDemand()
    {
        using var kms = new LocalKmsHarness();
        var keyId = await CreateImportedKeyAsync(kms, RandomNumberGenerator.GetBytes(32));
        var before = await kms.EncryptAsync(keyId, Secret);
        var initialId = (await kms.Client.DescribeKeyAsync(new DescribeKeyRequest { KeyId = keyId })).KeyMetadata.CurrentKeyMaterialId;

        var imported = await ImportAsync(kms, keyId, RandomNumberGenerator.GetBytes(32), ImportType.NEW_KEY_MATERIAL);
        var pending = (await AllMaterialsAsync(kms, keyId)).Single(m => m.KeyMaterialId == imported.KeyMaterialId);
        var currentWhilePending = (await kms.Client.DescribeKeyAsync(new DescribeKeyRequest { KeyId = keyId })).KeyMetadata.CurrentKeyMaterialId;
        await kms.Client.RotateKeyOnDemandAsync(new RotateKeyOnDemandRequest { KeyId = keyId });
        var rotated = (await kms.Client.ListKeyRotationsAsync(new ListKeyRotationsRequest { KeyId = keyId })).Rotations;

        Assert.Equal(KeyMaterialState.PENDING_ROTATION, pending.KeyMaterialState);
        Assert.Null(pending.RotationDate);
        Assert.Equal(initialId, currentWhilePending);
        var rotation = Assert.Single(rotated);
        Assert.Equal(imported.KeyMaterialId, rotation.KeyMaterialId);
        Assert.Equal(KeyMaterialState.CURRENT, rotation.KeyMaterialState);
        Assert.Equal(RotationType.ON_DEMAND, rotation.RotationType);
        Assert.Equal(imported.KeyMaterialId, (await kms.Client.DescribeKeyAsync(new DescribeKeyRequest { KeyId = keyId })).KeyMetadata.CurrentKeyMaterialId);
        Assert.Equal(Secret, await kms.DecryptAsync(before));
    }

    [Fact]
    public async Task ListKeyRotations_ExpiringImportedMaterial_EntryShowsExpirationModelAndValidTo()
    {
        using var kms = new LocalKmsHarness();
        var keyId = (await kms.CreateKeyAsync(new CreateKeyRequest { Origin = OriginType.EXTERNAL })).KeyId;
        var validTo = kms.Time.GetUtcNow().AddDays(30);

        await ImportAsync(kms, keyId, RandomNumberGenerator.GetBytes(32), importType: null, validTo: validTo);

        var entry = Assert.Single(await AllMaterialsAsync(kms, keyId));
        Assert.Equal(ExpirationModelType.KEY_MATERIAL_EXPIRES, entry.ExpirationModel);
        Assert.Equal(validTo.UtcDateTime, entry.ValidTo);
        Assert.Null(entry.KeyMaterialDescription);
    }

    [Fact]
    public async Task DescribeKey_NonCurrentMaterialExpires_ShowsItsValidToAsEarliestExpiry()
    {
        using var kms = new LocalKmsHarness();
        var keyId = (await kms.CreateKeyAsync(new CreateKeyRequest { Origin = OriginType.EXTERNAL })).KeyId;
        var firstExpiry = kms.Time.GetUtcNow().AddDays(10);
        await ImportAsync(kms, keyId, RandomNumberGenerator.GetBytes(32), importType: null, validTo: firstExpiry);
        await ImportAsync(kms, keyId, RandomNumberGenerator.GetBytes(32), ImportType.NEW_KEY_MATERIAL);
        await kms.Client.RotateKeyOnDemandAsync(new RotateKeyOnDemandRequest { KeyId = keyId });

        var key = (await kms.Client.DescribeKeyAsync(new DescribeKeyRequest { KeyId = keyId })).KeyMetadata;

        Assert.Equal(ExpirationModelType.KEY_MATERIAL_EXPIRES, key.ExpirationModel);
        Assert.Equal(firstExpiry.UtcDateTime, key.ValidTo);
    }

    [Fact]
    public async Task RotateKeyOnDemand_ImportedKeyWithoutPendingMaterial_ThrowsKmsInvalidState()
    {
        using var kms = new LocalKmsHarness();
        var keyId = await CreateImportedKeyAsync(kms, RandomNumberGenerator.GetBytes(32));

        await Assert.ThrowsAsync<KMSInvalidStateException>(() => kms.Client.RotateKeyOnDemandAsync(new RotateKeyOnDemandRequest { KeyId = keyId }));
    }

    [Fact]
    public async Task ImportKeyMaterial_SecondNewWhileOnePending_ThrowsKmsInvalidState()
    {
        using var kms = new LocalKmsHarness();
        var keyId = await CreateImportedKeyAsync(kms, RandomNumberGenerator.GetBytes(32));
        await ImportAsync(kms, keyId, RandomNumberGenerator.GetBytes(32), ImportType.NEW_KEY_MATERIAL);

        await Assert.ThrowsAsync<KMSInvalidStateException>(() => ImportAsync(kms, keyId, RandomNumberGenerator.GetBytes(32), ImportType.NEW_KEY_MATERIAL));
    }

    [Fact]
    public async Task DeleteImportedKeyMaterial_PendingRotation_ForgetsItSoOtherMaterialCanTakeItsPlace()
    {
        using var kms = new LocalKmsHarness();
        var keyId = await CreateImportedKeyAsync(kms, RandomNumberGenerator.GetBytes(32));
        var pending = await ImportAsync(kms, keyId, RandomNumberGenerator.GetBytes(32), ImportType.NEW_KEY_MATERIAL);

        await kms.Client.DeleteImportedKeyMaterialAsync(new DeleteImportedKeyMaterialRequest { KeyId = keyId, KeyMaterialId = pending.KeyMaterialId });
        var afterDelete = await AllMaterialsAsync(kms, keyId);
        var replacement = await ImportAsync(kms, keyId, RandomNumberGenerator.GetBytes(32), ImportType.NEW_KEY_MATERIAL);

        Assert.DoesNotContain(afterDelete, m => m.KeyMaterialId == pending.KeyMaterialId);
        Assert.Equal("Enabled", kms.Service.GetKeySnapshot(keyId)!.KeyState);
        Assert.Equal(KeyMaterialState.PENDING_ROTATION, (await AllMaterialsAsync(kms, keyId)).Single(m => m.KeyMaterialId == replacement.KeyMaterialId).KeyMaterialState);
    }

    [Fact]
    public async Task ImportKeyMaterial_NewWithKeyMaterialId_ThrowsValidation()
    {
        using var kms = new LocalKmsHarness();
        var keyId = await CreateImportedKeyAsync(kms, RandomNumberGenerator.GetBytes(32));

        var ex = await Assert.ThrowsAsync<AmazonKeyManagementServiceException>(() => ImportAsync(kms, keyId, RandomNumberGenerator.GetBytes(32), ImportType.NEW_KEY_MATERIAL, materialId: new string('a', 64)));

        Assert.Equal("ValidationException", ex.ErrorCode);
    }

    [Fact]
    public async Task ImportKeyMaterial_ExistingWithWrongMaterialId_ThrowsIncorrectKeyMaterial()
    {
        using var kms = new LocalKmsHarness();
        var material = RandomNumberGenerator.GetBytes(32);
        var keyId = await CreateImportedKeyAsync(kms, material);

        await Assert.ThrowsAsync<IncorrectKeyMaterialException>(() => ImportAsync(kms, keyId, material, ImportType.EXISTING_KEY_MATERIAL, materialId: new string('b', 64)));
    }

    [Fact]
    public async Task ImportKeyMaterial_ExistingRotatedOutMaterialAfterExpiry_KeyEnabledAgainAndOldCiphertextDecrypts()
    {
        using var kms = new LocalKmsHarness();
        var first = RandomNumberGenerator.GetBytes(32);
        var keyId = (await kms.CreateKeyAsync(new CreateKeyRequest { Origin = OriginType.EXTERNAL })).KeyId;
        var firstId = (await ImportAsync(kms, keyId, first, importType: null, validTo: kms.Time.GetUtcNow().AddDays(2))).KeyMaterialId;
        var before = await kms.EncryptAsync(keyId, Secret);
        await ImportAsync(kms, keyId, RandomNumberGenerator.GetBytes(32), ImportType.NEW_KEY_MATERIAL);
        await kms.Client.RotateKeyOnDemandAsync(new RotateKeyOnDemandRequest { KeyId = keyId });
        kms.Time.Advance(TimeSpan.FromDays(3));
        var expiredState = (await kms.Client.DescribeKeyAsync(new DescribeKeyRequest { KeyId = keyId })).KeyMetadata.KeyState;
        var expiredEntry = (await AllMaterialsAsync(kms, keyId)).Single(m => m.KeyMaterialId == firstId);

        await ImportAsync(kms, keyId, first, ImportType.EXISTING_KEY_MATERIAL, materialId: firstId);

        Assert.Equal(KeyState.PendingImport, expiredState);
        Assert.Equal(ImportState.PENDING_IMPORT, expiredEntry.ImportState);
        Assert.Equal(KeyState.Enabled, (await kms.Client.DescribeKeyAsync(new DescribeKeyRequest { KeyId = keyId })).KeyMetadata.KeyState);
        Assert.Equal(Secret, await kms.DecryptAsync(before));
    }

    [Fact]
    public async Task ImportKeyMaterial_NewMaterialIntoHmacKey_ThrowsIncorrectKeyMaterial()
    {
        using var kms = new LocalKmsHarness();
        var keyId = (await kms.CreateKeyAsync(new CreateKeyRequest { Origin = OriginType.EXTERNAL, KeySpec = KeySpec.HMAC_256, KeyUsage = KeyUsageType.GENERATE_VERIFY_MAC })).KeyId;
        await kms.ImportAsync(keyId, RandomNumberGenerator.GetBytes(32));

        await Assert.ThrowsAsync<IncorrectKeyMaterialException>(() => kms.ImportAsync(keyId, RandomNumberGenerator.GetBytes(32)));
    }

    [Fact]
    public async Task DeleteImportedKeyMaterial_NonCurrentMaterialById_KeyPendingImportAndResponseNamesMaterial()
    {
        using var kms = new LocalKmsHarness();
        var keyId = await CreateImportedKeyAsync(kms, RandomNumberGenerator.GetBytes(32));
        var firstId = (await kms.Client.DescribeKeyAsync(new DescribeKeyRequest { KeyId = keyId })).KeyMetadata.CurrentKeyMaterialId;
        await ImportAsync(kms, keyId, RandomNumberGenerator.GetBytes(32), ImportType.NEW_KEY_MATERIAL);
        await kms.Client.RotateKeyOnDemandAsync(new RotateKeyOnDemandRequest { KeyId = keyId });

        var response = await kms.Client.DeleteImportedKeyMaterialAsync(new DeleteImportedKeyMaterialRequest { KeyId = keyId, KeyMaterialId = firstId });

        Assert.Equal(firstId, response.KeyMaterialId);
        Assert.Equal("PendingImport", kms.Service.GetKeySnapshot(keyId)!.KeyState);
    }

    [Fact]
    public async Task GetKeyRotationStatus_ImportedSymmetricKey_FalseWithoutPeriod()
    {
        using var kms = new LocalKmsHarness();
        var keyId = await CreateImportedKeyAsync(kms, RandomNumberGenerator.GetBytes(32));

        var status = await kms.Client.GetKeyRotationStatusAsync(new GetKeyRotationStatusRequest { KeyId = keyId });

        Assert.False(status.KeyRotationEnabled);
        Assert.Null(status.RotationPeriodInDays);
    }
}
