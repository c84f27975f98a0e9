using System.Security.Cryptography;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using Microsoft.Extensions.Time.Testing;

namespace KeyRotation.LocalKms.Tests;

/// <summary>One LocalKms service, its fake clock and a real SDK client with retries off.</summary>
internal sealed class LocalKmsHarness : IDisposable
{
    public LocalKmsHarness(LocalKmsOptions? options = null, int maxErrorRetry = 0)
    {
        Time = new FakeTimeProvider(new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero));
        Service = new LocalKmsService(options, Time);
        Client = Service.CreateClient(c => c.MaxErrorRetry = maxErrorRetry);
    }

    public FakeTimeProvider Time { get; }

    public LocalKmsService Service { get; }

    public AmazonKeyManagementServiceClient Client { get; }

    public async Task<KeyMetadata> CreateKeyAsync(CreateKeyRequest? request = null) =>
        (await Client.CreateKeyAsync(request ?? new CreateKeyRequest())).KeyMetadata;

    public async Task<KeyMetadata> CreateKeyWithAliasAsync(string aliasName, CreateKeyRequest? request = null)
    {
        var key = await CreateKeyAsync(request);
        await Client.CreateAliasAsync(new CreateAliasRequest { AliasName = aliasName, TargetKeyId = key.KeyId });
        return key;
    }

    public async Task<byte[]> EncryptAsync(string keyId, byte[] plaintext, Dictionary<string, string>? context = null)
    {
        var response = await Client.EncryptAsync(new EncryptRequest { KeyId = keyId, Plaintext = new MemoryStream(plaintext), EncryptionContext = context });
        return response.CiphertextBlob.ToArray();
    }

    public async Task<byte[]> DecryptAsync(byte[] ciphertext, Dictionary<string, string>? context = null)
    {
        var response = await Client.DecryptAsync(new DecryptRequest { CiphertextBlob = new MemoryStream(ciphertext), EncryptionContext = context });
        return response.Plaintext.ToArray();
    }

    /// <summary>Gets import parameters and wraps <paramref name="material"/> with RSAES_OAEP_SHA_256, as a BYOK tool does.</summary>
    public async Task<(MemoryStream Token, MemoryStream Wrapped)> WrapForImportAsync(string keyId, byte[] material)
    {
        var parameters = await Client.GetParametersForImportAsync(new GetParametersForImportRequest
        {
            KeyId = keyId,
            WrappingAlgorithm = AlgorithmSpec.RSAES_OAEP_SHA_256,
            WrappingKeySpec = WrappingKeySpec.RSA_2048,
        });
        using var rsa = RSA.Create();
        rsa.ImportSubjectPublicKeyInfo(parameters.PublicKey.ToArray(), out _);
        var wrapped = rsa.Encrypt(material, RSAEncryptionPadding.OaepSHA256);
        return (new MemoryStream(parameters.ImportToken.ToArray()), new MemoryStream(wrapped));
    }

    public async Task ImportAsync(string keyId, byte[] material, DateTimeOffset? validTo = null)
    {
        var (token, wrapped) = await WrapForImportAsync(keyId, material);
        await Client.ImportKeyMaterialAsync(new ImportKeyMaterialRequest
        {
            KeyId = keyId,
            ImportToken = token,
            EncryptedKeyMaterial = wrapped,
            ExpirationModel = validTo is null ? ExpirationModelType.KEY_MATERIAL_DOES_NOT_EXPIRE : ExpirationModelType.KEY_MATERIAL_EXPIRES,
            ValidTo = validTo?.UtcDateTime,
        });
    }

    public void Dispose() => Client.Dispose();
}
