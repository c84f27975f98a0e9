using System.Text;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;

namespace KeyRotation.LocalKms.Tests;

public sealed class CryptoTests
{
    private static readonly byte[] Secret = Encoding.UTF8.GetBytes("card 4111");

    [Fact]
    public async Task Decrypt_CiphertextFromBeforeAliasRepoint_DecryptsWithoutKeyId()
    {
        using var kms = new LocalKmsHarness();
        var oldKey = await kms.CreateKeyWithAliasAsync("alias/app");
        var ciphertext = await kms.EncryptAsync("alias/app", Secret);
        var newKey = await kms.CreateKeyAsync();
        await kms.Client.UpdateAliasAsync(new UpdateAliasRequest { AliasName = "alias/app", TargetKeyId = newKey.KeyId });

        var response = await kms.Client.DecryptAsync(new DecryptRequest { CiphertextBlob = new MemoryStream(ciphertext) });

        Assert.Equal(Secret, response.Plaintext.ToArray());
        Assert.Equal(oldKey.Arn, response.KeyId);
    }

    [Fact]
    public async Task Encrypt_AfterAliasRepoint_UsesNewKey()
    {
        using var kms = new LocalKmsHarness();
        await kms.CreateKeyWithAliasAsync("alias/app");
        var newKey = await kms.CreateKeyAsync();
        await kms.Client.UpdateAliasAsync(new UpdateAliasRequest { AliasName = "alias/app", TargetKeyId = newKey.KeyId });

        var response = await kms.Client.EncryptAsync(new EncryptRequest { KeyId = "alias/app", Plaintext = new MemoryStream(Secret) });

        Assert.Equal(newKey.Arn, response.KeyId);
    }

    [Fact]
    public async Task Decrypt_WrongEncryptionContext_ThrowsInvalidCiphertext()
    {
        using var kms = new LocalKmsHarness();
        var key = await kms.CreateKeyAsync();
        var ciphertext = await kms.EncryptAsync(key.KeyId, Secret, new() { ["tenant"] = "a" });

        await Assert.ThrowsAsync<InvalidCiphertextException>(() => kms.DecryptAsync(ciphertext, new() { ["tenant"] = "b" }));
    }

    [Fact]
    public async Task Decrypt_SameEncryptionContext_ReturnsPlaintext()
    {
        using var kms = new LocalKmsHarness();
        var key = await kms.CreateKeyAsync();
        var ciphertext = await kms.EncryptAsync(key.KeyId, Secret, new() { ["tenant"] = "a", ["app"] = "x" });

        var plaintext = await kms.DecryptAsync(ciphertext, new() { ["app"] = "x", ["tenant"] = "a" });

        Assert.Equal(Secret, plaintext);
    }

    [Fact]
    public async Task Decrypt_KeyIdOfAnotherKey_ThrowsIncorrectKey()
    {
        using var kms = new LocalKmsHarness();
        var key = await kms.CreateKeyAsync();
        var other = await kms.CreateKeyAsync();
        var ciphertext = await kms.EncryptAsync(key.KeyId, Secret);

        await Assert.ThrowsAsync<IncorrectKeyException>(() => kms.Client.DecryptAsync(new DecryptRequest { CiphertextBlob = new MemoryStream(ciphertext), KeyId = other.KeyId }));
    }

    [Fact]
    public async Task Decrypt_TamperedCiphertext_ThrowsInvalidCiphertext()
    {
        using var kms = new LocalKmsHarness();
        var key = await kms.CreateKeyAsync();
        var ciphertext = await kms.EncryptAsync(key.KeyId, Secret);
        ciphertext[^1] ^= 1;

        await Assert.ThrowsAsync<InvalidCiphertextException>(() => kms.DecryptAsync(ciphertext));
    }

    [Fact]
    public async Task Encrypt_DisabledKey_ThrowsDisabled()
    {
        using var kms = new LocalKmsHarness();
        var key = await kms.CreateKeyAsync();
        kms.Service.SetKeyState(key.KeyId, "Disabled");

        await Assert.ThrowsAsync<DisabledException>(() => kms.EncryptAsync(key.KeyId, Secret));
    }

    [Fact]
    public async Task Decrypt_KeyPendingDeletion_ThrowsKmsInvalidState()
    {
        using var kms = new LocalKmsHarness();
        var key = await kms.CreateKeyAsync();
        var ciphertext = await kms.EncryptAsync(key.KeyId, Secret);
        kms.Service.SetKeyState(key.KeyId, "PendingDeletion");

        await Assert.ThrowsAsync<KMSInvalidStateException>(() => kms.DecryptAsync(ciphertext));
    }

    [Fact]
    public async Task GenerateDataKey_PendingImportKey_ThrowsKmsInvalidState()
    {
        using var kms = new LocalKmsHarness();
        var key = await kms.CreateKeyAsync(new CreateKeyRequest { Origin = OriginType.EXTERNAL });

        await Assert.ThrowsAsync<KMSInvalidStateException>(() => kms.Client.GenerateDataKeyAsync(new GenerateDataKeyRequest { KeyId = key.KeyId, KeySpec = DataKeySpec.AES_256 }));
    }

    [Fact]
    public async Task Encrypt_SigningKey_ThrowsInvalidKeyUsage()
    {
        using var kms = new LocalKmsHarness();
        var key = await kms.CreateKeyAsync(new CreateKeyRequest { KeySpec = KeySpec.ECC_NIST_P256, KeyUsage = KeyUsageType.SIGN_VERIFY });

        await Assert.ThrowsAsync<InvalidKeyUsageException>(() => kms.EncryptAsync(key.KeyId, Secret));
    }

    [Fact]
    public async Task GenerateDataKey_Aes256_CiphertextDecryptsToPlaintext()
    {
        using var kms = new LocalKmsHarness();
        var key = await kms.CreateKeyAsync();

        var dataKey = await kms.Client.GenerateDataKeyAsync(new GenerateDataKeyRequest { KeyId = key.Arn, KeySpec = DataKeySpec.AES_256 });

        Assert.Equal(32, dataKey.Plaintext.Length);
        Assert.Equal(dataKey.Plaintext.ToArray(), await kms.DecryptAsync(dataKey.CiphertextBlob.ToArray()));
    }

    [Fact]
    public async Task GenerateDataKey_BothKeySpecAndNumberOfBytes_ThrowsValidation()
    {
        using var kms = new LocalKmsHarness();
        var key = await kms.CreateKeyAsync();

        var ex = await Assert.ThrowsAsync<AmazonKeyManagementServiceException>(() => kms.Client.GenerateDataKeyAsync(new GenerateDataKeyRequest { KeyId = key.KeyId, KeySpec = DataKeySpec.AES_256, NumberOfBytes = 32 }));

        Assert.Equal("ValidationException", ex.ErrorCode);
    }

    [Fact]
    public async Task Encrypt_RsaKeyWithOaep_DecryptsWithKeyId()
    {
        using var kms = new LocalKmsHarness();
        var key = await kms.CreateKeyAsync(new CreateKeyRequest { KeySpec = KeySpec.RSA_2048, KeyUsage = KeyUsageType.ENCRYPT_DECRYPT });
        var encrypted = await kms.Client.EncryptAsync(new EncryptRequest { KeyId = key.KeyId, Plaintext = new MemoryStream(Secret), EncryptionAlgorithm = EncryptionAlgorithmSpec.RSAES_OAEP_SHA_256 });

        var decrypted = await kms.Client.DecryptAsync(new DecryptRequest { KeyId = key.KeyId, CiphertextBlob = encrypted.CiphertextBlob, EncryptionAlgorithm = EncryptionAlgorithmSpec.RSAES_OAEP_SHA_256 });

        Assert.Equal(Secret, decrypted.Plaintext.ToArray());
    }

    [Fact]
    public async Task VerifyMac_MacFromGenerateMac_IsValid()
    {
        using var kms = new LocalKmsHarness();
        var key = await kms.CreateKeyAsync(new CreateKeyRequest { KeySpec = KeySpec.HMAC_256, KeyUsage = KeyUsageType.GENERATE_VERIFY_MAC });
        var mac = await kms.Client.GenerateMacAsync(new GenerateMacRequest { KeyId = key.KeyId, Message = new MemoryStream(Secret), MacAlgorithm = MacAlgorithmSpec.HMAC_SHA_256 });

        var verified = await kms.Client.VerifyMacAsync(new VerifyMacRequest { KeyId = key.KeyId, Message = new MemoryStream(Secret), Mac = mac.Mac, MacAlgorithm = MacAlgorithmSpec.HMAC_SHA_256 });

        Assert.True(verified.MacValid);
    }

    [Fact]
    public async Task VerifyMac_OtherMessage_ThrowsKmsInvalidMac()
    {
        using var kms = new LocalKmsHarness();
        var key = await kms.CreateKeyAsync(new CreateKeyRequest { KeySpec = KeySpec.HMAC_256, KeyUsage = KeyUsageType.GENERATE_VERIFY_MAC });
        var mac = await kms.Client.GenerateMacAsync(new GenerateMacRequest { KeyId = key.KeyId, Message = new MemoryStream(Secret), MacAlgorithm = MacAlgorithmSpec.HMAC_SHA_256 });

        await Assert.ThrowsAsync<KMSInvalidMacException>(() => kms.Client.VerifyMacAsync(new VerifyMacRequest { KeyId = key.KeyId, Message = new MemoryStream([1, 2]), Mac = mac.Mac, MacAlgorithm = MacAlgorithmSpec.HMAC_SHA_256 }));
    }
}
