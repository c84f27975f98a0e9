using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;

namespace KeyRotation.LocalKms.Tests;

public sealed class ImportTests
{
    private static readonly byte[] Secret = Encoding.UTF8.GetBytes("payroll");

    private static async Task<string> CreateExternalKeyAsync(LocalKmsHarness kms) =>
        (await kms.CreateKeyAsync(new CreateKeyRequest { Origin = OriginType.EXTERNAL })).KeyId;

    [Fact]
    public async Task ImportKeyMaterial_WrappedWithOaepSha256_KeyEnabledAndEncrypts()
    {
        using var kms = new LocalKmsHarness();
        var keyId = await CreateExternalKeyAsync(kms);

        await kms.ImportAsync(keyId, RandomNumberGenerator.GetBytes(32));

        var key = (await kms.Client.DescribeKeyAsync(new DescribeKeyRequest { KeyId = keyId })).KeyMetadata;
        Assert.Equal(KeyState.Enabled, key.KeyState);
        Assert.Equal(ExpirationModelType.KEY_MATERIAL_DOES_NOT_EXPIRE, key.ExpirationModel);
        Assert.Equal(Secret, await kms.DecryptAsync(await kms.EncryptAsync(keyId, Secret)));
    }

    [Fact]
    public async Task GetParametersForImport_ExternalKey_ReturnsKeyArnPublicKeyAndValidity24h()
    {
        using var kms = new LocalKmsHarness();
        var keyId = await CreateExternalKeyAsync(kms);

        var parameters = await kms.Client.GetParametersForImportAsync(new GetParametersForImportRequest { KeyId = keyId, WrappingAlgorithm = AlgorithmSpec.RSAES_OAEP_SHA_1, WrappingKeySpec = WrappingKeySpec.RSA_3072 });

        using var rsa = RSA.Create();
        rsa.ImportSubjectPublicKeyInfo(parameters.PublicKey.ToArray(), out _);
        Assert.Equal(3072, rsa.KeySize);
        Assert.Equal($"arn:aws:kms:us-east-1:111122223333:key/{keyId}", parameters.KeyId);
        Assert.Equal(kms.Time.GetUtcNow().AddHours(24).UtcDateTime, parameters.ParametersValidTo);
        Assert.True(parameters.ImportToken.Length > 0);
    }

    [Theory]
    [InlineData("alias/byok")]
    [InlineData("arn:aws:kms:us-east-1:111122223333:alias/byok")]
    public async Task GetParametersForImport_Alias_ThrowsNotFound(string alias)
    {
        using var kms = new LocalKmsHarness();
        await kms.CreateKeyWithAliasAsync("alias/byok", new CreateKeyRequest { Origin = OriginType.EXTERNAL });

        await Assert.ThrowsAsync<NotFoundException>(() => kms.Client.GetParametersForImportAsync(new GetParametersForImportRequest { KeyId = alias, WrappingAlgorithm = AlgorithmSpec.RSAES_OAEP_SHA_256, WrappingKeySpec = WrappingKeySpec.RSA_2048 }));
    }

    [Fact]
    public async Task ImportKeyMaterial_Alias_ThrowsNotFoundAndKeyStaysPendingImport()
    {
        using var kms = new LocalKmsHarness();
        var keyId = (await kms.CreateKeyWithAliasAsync("alias/byok", new CreateKeyRequest { Origin = OriginType.EXTERNAL })).KeyId;
        var (token, wrapped) = await kms.WrapForImportAsync(keyId, RandomNumberGenerator.GetBytes(32));

        await Assert.ThrowsAsync<NotFoundException>(() => kms.Client.ImportKeyMaterialAsync(new ImportKeyMaterialRequest { KeyId = "alias/byok", ImportToken = token, EncryptedKeyMaterial = wrapped, ExpirationModel = ExpirationModelType.KEY_MATERIAL_DOES_NOT_EXPIRE }));

        Assert.Equal("PendingImport", kms.Service.GetKeySnapshot(keyId)!.KeyState);
    }

    [Fact]
    public async Task GetParametersForImport_Pkcs1Wrapping_ThrowsValidation()
    {
        using var kms = new LocalKmsHarness();
        var keyId = await CreateExternalKeyAsync(kms);

        var ex = await Assert.ThrowsAsync<AmazonKeyManagementServiceException>(() => kms.Client.GetParametersForImportAsync(new GetParametersForImportRequest { KeyId = keyId, WrappingAlgorithm = AlgorithmSpec.RSAES_PKCS1_V1_5, WrappingKeySpec = WrappingKeySpec.RSA_2048 }));

        Assert.Equal("ValidationException", ex.ErrorCode);
    }

    [Fact]
    public async Task GetParametersForImport_KmsOriginKey_ThrowsUnsupportedOperation()
    {
        using var kms = new LocalKmsHarness();
        var key = await kms.CreateKeyAsync();

        await Assert.ThrowsAsync<UnsupportedOperationException>(() => kms.Client.GetParametersForImportAsync(new GetParametersForImportRequest { KeyId = key.KeyId, WrappingAlgorithm = AlgorithmSpec.RSAES_OAEP_SHA_256, WrappingKeySpec = WrappingKeySpec.RSA_2048 }));
    }

    [Fact]
    public async Task ImportKeyMaterial_TokenOfAnotherKey_ThrowsInvalidImportToken()
    {
        using var kms = new LocalKmsHarness();
        var keyId = await CreateExternalKeyAsync(kms);
        var otherKeyId = await CreateExternalKeyAsync(kms);
        var (token, wrapped) = await kms.WrapForImportAsync(otherKeyId, RandomNumberGenerator.GetBytes(32));

        await Assert.ThrowsAsync<InvalidImportTokenException>(() => kms.Client.ImportKeyMaterialAsync(new ImportKeyMaterialRequest { KeyId = keyId, ImportToken = token, EncryptedKeyMaterial = wrapped, ExpirationModel = ExpirationModelType.KEY_MATERIAL_DOES_NOT_EXPIRE }));
    }

    [Fact]
    public async Task ImportKeyMaterial_TokenOlderThan24h_ThrowsExpiredImportToken()
    {
        using var kms = new LocalKmsHarness();
        var keyId = await CreateExternalKeyAsync(kms);
        var (token, wrapped) = await kms.WrapForImportAsync(keyId, RandomNumberGenerator.GetBytes(32));
        kms.Time.Advance(TimeSpan.FromHours(24) + TimeSpan.FromSeconds(1));

        await Assert.ThrowsAsync<ExpiredImportTokenException>(() => kms.Client.ImportKeyMaterialAsync(new ImportKeyMaterialRequest { KeyId = keyId, ImportToken = token, EncryptedKeyMaterial = wrapped, ExpirationModel = ExpirationModelType.KEY_MATERIAL_DOES_NOT_EXPIRE }));
    }

    [Fact]
    public async Task ImportKeyMaterial_MaterialNotWrappedWithTokenKey_ThrowsInvalidCiphertext()
    {
        using var kms = new LocalKmsHarness();
        var keyId = await CreateExternalKeyAsync(kms);
        var (token, _) = await kms.WrapForImportAsync(keyId, RandomNumberGenerator.GetBytes(32));
        using var stranger = RSA.Create(2048);
        var wrongWrap = stranger.Encrypt(RandomNumberGenerator.GetBytes(32), RSAEncryptionPadding.OaepSHA256);

        await Assert.ThrowsAsync<InvalidCiphertextException>(() => kms.Client.ImportKeyMaterialAsync(new ImportKeyMaterialRequest { KeyId = keyId, ImportToken = token, EncryptedKeyMaterial = new MemoryStream(wrongWrap), ExpirationModel = ExpirationModelType.KEY_MATERIAL_DOES_NOT_EXPIRE }));
    }

    [Fact]
    public async Task ImportKeyMaterial_ExpiresWithoutValidTo_ThrowsValidation()
    {
        using var kms = new LocalKmsHarness();
        var keyId = await CreateExternalKeyAsync(kms);
        var (token, wrapped) = await kms.WrapForImportAsync(keyId, RandomNumberGenerator.GetBytes(32));

        var ex = await Assert.ThrowsAsync<AmazonKeyManagementServiceException>(() => kms.Client.ImportKeyMaterialAsync(new ImportKeyMaterialRequest { KeyId = keyId, ImportToken = token, EncryptedKeyMaterial = wrapped, ExpirationModel = ExpirationModelType.KEY_MATERIAL_EXPIRES }));

        Assert.Equal("ValidationException", ex.ErrorCode);
    }

    [Fact]
    public async Task ImportKeyMaterial_DoesNotExpireWithValidTo_ThrowsValidation()
    {
        using var kms = new LocalKmsHarness();
        var keyId = await CreateExternalKeyAsync(kms);
        var (token, wrapped) = await kms.WrapForImportAsync(keyId, RandomNumberGenerator.GetBytes(32));

        var ex = await Assert.ThrowsAsync<AmazonKeyManagementServiceException>(() => kms.Client.ImportKeyMaterialAsync(new ImportKeyMaterialRequest { KeyId = keyId, ImportToken = token, EncryptedKeyMaterial = wrapped, ExpirationModel = ExpirationModelType.KEY_MATERIAL_DOES_NOT_EXPIRE, ValidTo = kms.Time.GetUtcNow().AddDays(1).UtcDateTime }));

        Assert.Equal("ValidationException", ex.ErrorCode);
    }

    [Fact]
    public async Task ImportKeyMaterial_DifferentMaterialAfterDelete_ThrowsIncorrectKeyMaterial()
    {
        using var kms = new LocalKmsHarness();
        var keyId = await CreateExternalKeyAsync(kms);
        await kms.ImportAsync(keyId, RandomNumberGenerator.GetBytes(32));
        await kms.Client.DeleteImportedKeyMaterialAsync(new DeleteImportedKeyMaterialRequest { KeyId = keyId });
        var (token, wrapped) = await kms.WrapForImportAsync(keyId, RandomNumberGenerator.GetBytes(32));

        await Assert.ThrowsAsync<IncorrectKeyMaterialException>(() => kms.Client.ImportKeyMaterialAsync(new ImportKeyMaterialRequest { KeyId = keyId, ImportToken = token, EncryptedKeyMaterial = wrapped, ExpirationModel = ExpirationModelType.KEY_MATERIAL_DOES_NOT_EXPIRE }));
    }

    [Fact]
    public async Task ImportKeyMaterial_SameMaterialAfterDelete_OldCiphertextDecrypts()
    {
        using var kms = new LocalKmsHarness();
        var keyId = await CreateExternalKeyAsync(kms);
        var material = RandomNumberGenerator.GetBytes(32);
        await kms.ImportAsync(keyId, material);
        var ciphertext = await kms.EncryptAsync(keyId, Secret);
        await kms.Client.DeleteImportedKeyMaterialAsync(new DeleteImportedKeyMaterialRequest { KeyId = keyId });
        var afterDelete = kms.Service.GetKeySnapshot(keyId)!.KeyState;

        await kms.ImportAsync(keyId, material);

        Assert.Equal("PendingImport", afterDelete);
        Assert.Equal(Secret, await kms.DecryptAsync(ciphertext));
    }

    [Fact]
    public async Task DescribeKey_ImportedMaterialPastValidTo_KeyIsPendingImport()
    {
        using var kms = new LocalKmsHarness();
        var keyId = await CreateExternalKeyAsync(kms);
        var validTo = kms.Time.GetUtcNow().AddDays(1);
        await kms.ImportAsync(keyId, RandomNumberGenerator.GetBytes(32), validTo);
        var before = (await kms.Client.DescribeKeyAsync(new DescribeKeyRequest { KeyId = keyId })).KeyMetadata;

        kms.Time.Advance(TimeSpan.FromDays(1));
        var after = (await kms.Client.DescribeKeyAsync(new DescribeKeyRequest { KeyId = keyId })).KeyMetadata;

        Assert.Equal(KeyState.Enabled, before.KeyState);
        Assert.Equal(validTo.UtcDateTime, before.ValidTo);
        Assert.Equal(KeyState.PendingImport, after.KeyState);
    }

    [Fact]
    public async Task ImportKeyMaterial_SameMaterialAfterExpiry_OldCiphertextDecrypts()
    {
        using var kms = new LocalKmsHarness();
        var keyId = await CreateExternalKeyAsync(kms);
        var material = RandomNumberGenerator.GetBytes(32);
        await kms.ImportAsync(keyId, material, kms.Time.GetUtcNow().AddHours(1));
        var ciphertext = await kms.EncryptAsync(keyId, Secret);
        kms.Time.Advance(TimeSpan.FromHours(2));

        await kms.ImportAsync(keyId, material);

        Assert.Equal(Secret, await kms.DecryptAsync(ciphertext));
    }

    [Fact]
    public async Task Decrypt_ImportedMaterialExpired_ThrowsKmsInvalidState()
    {
        using var kms = new LocalKmsHarness();
        var keyId = await CreateExternalKeyAsync(kms);
        await kms.ImportAsync(keyId, RandomNumberGenerator.GetBytes(32), kms.Time.GetUtcNow().AddHours(1));
        var ciphertext = await kms.EncryptAsync(keyId, Secret);
        kms.Time.Advance(TimeSpan.FromHours(2));

        await Assert.ThrowsAsync<KMSInvalidStateException>(() => kms.DecryptAsync(ciphertext));
    }

    [Fact]
    public async Task ImportKeyMaterial_Recorded_RequestCarriesKeyIdNotAlias()
    {
        using var kms = new LocalKmsHarness();
        var keyId = (await kms.CreateKeyWithAliasAsync("alias/byok", new CreateKeyRequest { Origin = OriginType.EXTERNAL })).KeyId;

        await kms.ImportAsync(keyId, RandomNumberGenerator.GetBytes(32));

        var body = kms.Service.RecordedRequests.Single(r => r.Operation == "ImportKeyMaterial").Body;
        using var json = JsonDocument.Parse(body);
        Assert.Equal(keyId, json.RootElement.GetProperty("KeyId").GetString());
    }
}
