using System.Text;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;

namespace KeyRotation.LocalKms.Tests;

/// <summary>ReEncrypt's answers and its source-key, ciphertext and context rules, as the KMS API reference describes them.</summary>
public sealed class ReEncryptTests : IDisposable
{
    private static readonly byte[] Secret = Encoding.UTF8.GetBytes("customer record 7");

    private readonly LocalKmsHarness _kms = new();

    public void Dispose() => _kms.Dispose();

    private Task<ReEncryptResponse> ReEncryptAsync(byte[] ciphertext, string destinationKeyId, Action<ReEncryptRequest>? change = null)
    {
        var request = new ReEncryptRequest { CiphertextBlob = new MemoryStream(ciphertext), DestinationKeyId = destinationKeyId };
        change?.Invoke(request);
        return _kms.Client.ReEncryptAsync(request);
    }

    [Fact]
    public async Task ReEncrypt_WithoutSourceKeyId_FindsTheSourceKeyFromTheCiphertext()
    {
        var source = await _kms.CreateKeyAsync();
        var destination = await _kms.CreateKeyAsync();
        var ciphertext = await _kms.EncryptAsync(source.KeyId, Secret);

        var response = await ReEncryptAsync(ciphertext, destination.KeyId);

        Assert.Equal(source.Arn, response.SourceKeyId);
        Assert.Equal(destination.Arn, response.KeyId);
        Assert.Equal(EncryptionAlgorithmSpec.SYMMETRIC_DEFAULT, response.SourceEncryptionAlgorithm);
        Assert.Equal(EncryptionAlgorithmSpec.SYMMETRIC_DEFAULT, response.DestinationEncryptionAlgorithm);
        Assert.Equal(source.CurrentKeyMaterialId, response.SourceKeyMaterialId);
        Assert.Equal(destination.CurrentKeyMaterialId, response.DestinationKeyMaterialId);
        var decrypted = await _kms.Client.DecryptAsync(new DecryptRequest { CiphertextBlob = response.CiphertextBlob });
        Assert.Equal(destination.Arn, decrypted.KeyId);
        Assert.Equal(Secret, decrypted.Plaintext.ToArray());
    }

    [Theory]
    [InlineData("alias/current")]
    [InlineData("arn:aws:kms:us-east-1:111122223333:alias/current")]
    public async Task ReEncrypt_DestinationAlias_EncryptsUnderTheAliasKey(string destination)
    {
        var source = await _kms.CreateKeyAsync();
        var current = await _kms.CreateKeyWithAliasAsync("alias/current");
        var ciphertext = await _kms.EncryptAsync(source.KeyId, Secret);

        var response = await ReEncryptAsync(ciphertext, destination);

        Assert.Equal(current.Arn, response.KeyId);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ReEncrypt_SourceKeyIdOfTheEncryptingKey_Succeeds(bool byAlias)
    {
        var source = await _kms.CreateKeyWithAliasAsync("alias/old");
        var destination = await _kms.CreateKeyAsync();
        var ciphertext = await _kms.EncryptAsync(source.KeyId, Secret);

        var response = await ReEncryptAsync(ciphertext, destination.KeyId, r => r.SourceKeyId = byAlias ? "alias/old" : source.Arn);

        Assert.Equal(source.Arn, response.SourceKeyId);
    }

    [Fact]
    public async Task ReEncrypt_SourceKeyIdOfAnotherKey_ThrowsIncorrectKey()
    {
        var source = await _kms.CreateKeyAsync();
        var other = await _kms.CreateKeyAsync();
        var ciphertext = await _kms.EncryptAsync(source.KeyId, Secret);

        await Assert.ThrowsAsync<IncorrectKeyException>(() => ReEncryptAsync(ciphertext, other.KeyId, r => r.SourceKeyId = other.KeyId));
    }

    [Fact]
    public async Task ReEncrypt_WrongSourceContext_ThrowsInvalidCiphertext()
    {
        var key = await _kms.CreateKeyAsync();
        var ciphertext = await _kms.EncryptAsync(key.KeyId, Secret, new() { ["tenant"] = "a" });

        await Assert.ThrowsAsync<InvalidCiphertextException>(() => ReEncryptAsync(ciphertext, key.KeyId, r => r.SourceEncryptionContext = new() { ["tenant"] = "b" }));
    }

    [Fact]
    public async Task ReEncrypt_SameKeyNewContext_DecryptsOnlyWithTheNewContext()
    {
        var key = await _kms.CreateKeyAsync();
        var ciphertext = await _kms.EncryptAsync(key.KeyId, Secret, new() { ["tenant"] = "a" });

        var response = await ReEncryptAsync(ciphertext, key.KeyId, r =>
        {
            r.SourceEncryptionContext = new() { ["tenant"] = "a" };
            r.DestinationEncryptionContext = new() { ["tenant"] = "b" };
        });

        var reencrypted = response.CiphertextBlob.ToArray();
        Assert.Equal(Secret, await _kms.DecryptAsync(reencrypted, new() { ["tenant"] = "b" }));
        await Assert.ThrowsAsync<InvalidCiphertextException>(() => _kms.DecryptAsync(reencrypted, new() { ["tenant"] = "a" }));
    }

    [Theory]
    [InlineData("tampered")]
    [InlineData("not a LocalKms ciphertext")]
    public async Task ReEncrypt_BadCiphertext_ThrowsInvalidCiphertext(string kind)
    {
        var key = await _kms.CreateKeyAsync();
        var ciphertext = kind == "tampered" ? await _kms.EncryptAsync(key.KeyId, Secret) : Encoding.UTF8.GetBytes(kind);
        ciphertext[^1] ^= 1;

        await Assert.ThrowsAsync<InvalidCiphertextException>(() => ReEncryptAsync(ciphertext, key.KeyId));
    }

    [Fact]
    public async Task ReEncrypt_RotatedSourceKey_ReEncryptsOldMaterialsCiphertext()
    {
        var source = await _kms.CreateKeyAsync();
        var destination = await _kms.CreateKeyAsync();
        var ciphertext = await _kms.EncryptAsync(source.KeyId, Secret);
        await _kms.Client.RotateKeyOnDemandAsync(new RotateKeyOnDemandRequest { KeyId = source.KeyId });

        var response = await ReEncryptAsync(ciphertext, destination.KeyId);

        Assert.Equal(source.CurrentKeyMaterialId, response.SourceKeyMaterialId);
        Assert.Equal(Secret, await _kms.DecryptAsync(response.CiphertextBlob.ToArray()));
    }

    [Fact]
    public async Task ReEncrypt_ToAnRsaKey_NeedsItsAlgorithmAndDecryptsWithIt()
    {
        var source = await _kms.CreateKeyAsync();
        var rsa = await _kms.CreateKeyAsync(new CreateKeyRequest { KeySpec = KeySpec.RSA_2048, KeyUsage = KeyUsageType.ENCRYPT_DECRYPT });
        var ciphertext = await _kms.EncryptAsync(source.KeyId, Secret);
        await Assert.ThrowsAsync<InvalidKeyUsageException>(() => ReEncryptAsync(ciphertext, rsa.KeyId));

        var response = await ReEncryptAsync(ciphertext, rsa.KeyId, r => r.DestinationEncryptionAlgorithm = EncryptionAlgorithmSpec.RSAES_OAEP_SHA_256);

        Assert.Null(response.DestinationKeyMaterialId);
        Assert.Equal(EncryptionAlgorithmSpec.RSAES_OAEP_SHA_256, response.DestinationEncryptionAlgorithm);
        var decrypted = await _kms.Client.DecryptAsync(new DecryptRequest
        {
            CiphertextBlob = response.CiphertextBlob,
            KeyId = rsa.KeyId,
            EncryptionAlgorithm = EncryptionAlgorithmSpec.RSAES_OAEP_SHA_256,
        });
        Assert.Equal(Secret, decrypted.Plaintext.ToArray());
    }

    [Fact]
    public async Task ReEncrypt_FromAnRsaKey_RequiresSourceKeyId()
    {
        var rsa = await _kms.CreateKeyAsync(new CreateKeyRequest { KeySpec = KeySpec.RSA_2048, KeyUsage = KeyUsageType.ENCRYPT_DECRYPT });
        var destination = await _kms.CreateKeyAsync();
        var encrypted = await _kms.Client.EncryptAsync(new EncryptRequest { KeyId = rsa.KeyId, Plaintext = new MemoryStream(Secret), EncryptionAlgorithm = EncryptionAlgorithmSpec.RSAES_OAEP_SHA_1 });
        var ciphertext = encrypted.CiphertextBlob.ToArray();
        var missing = await Assert.ThrowsAnyAsync<AmazonKeyManagementServiceException>(
            () => ReEncryptAsync(ciphertext, destination.KeyId, r => r.SourceEncryptionAlgorithm = EncryptionAlgorithmSpec.RSAES_OAEP_SHA_1));

        var response = await ReEncryptAsync(ciphertext, destination.KeyId, r =>
        {
            r.SourceKeyId = rsa.Arn;
            r.SourceEncryptionAlgorithm = EncryptionAlgorithmSpec.RSAES_OAEP_SHA_1;
        });

        Assert.Equal("ValidationException", missing.ErrorCode);
        Assert.Contains("SourceKeyId", missing.Message, StringComparison.Ordinal);
        Assert.Equal((rsa.Arn, EncryptionAlgorithmSpec.RSAES_OAEP_SHA_1, null), (response.SourceKeyId, response.SourceEncryptionAlgorithm, response.SourceKeyMaterialId));
        Assert.Equal(Secret, await _kms.DecryptAsync(response.CiphertextBlob.ToArray()));
    }

    [Fact]
    public async Task ReEncrypt_DestinationIsAnHmacKey_ThrowsInvalidKeyUsage()
    {
        var source = await _kms.CreateKeyAsync();
        var hmac = await _kms.CreateKeyAsync(new CreateKeyRequest { KeySpec = KeySpec.HMAC_256, KeyUsage = KeyUsageType.GENERATE_VERIFY_MAC });
        var ciphertext = await _kms.EncryptAsync(source.KeyId, Secret);

        await Assert.ThrowsAsync<InvalidKeyUsageException>(() => ReEncryptAsync(ciphertext, hmac.KeyId));
    }

    [Fact]
    public async Task ReEncrypt_UnknownDestination_ThrowsNotFound()
    {
        var source = await _kms.CreateKeyAsync();
        var ciphertext = await _kms.EncryptAsync(source.KeyId, Secret);

        await Assert.ThrowsAsync<NotFoundException>(() => ReEncryptAsync(ciphertext, "alias/none"));
    }

    [Theory]
    [InlineData("""{"CiphertextBlob":"AQID"}""", "destinationKeyId")]
    [InlineData("""{"DestinationKeyId":"alias/x"}""", "CiphertextBlob")]
    [InlineData("""{"DestinationKeyId":"alias/x","CiphertextBlob":"AQID","GrantTokens":["1","2","3","4","5","6","7","8","9","10","11"]}""", "GrantTokens")]
    [InlineData("""{"DestinationKeyId":"alias/x","CiphertextBlob":"AQID","DestinationEncryptionAlgorithm":"AES"}""", "destinationEncryptionAlgorithm")]
    public async Task ReEncrypt_BadRequest_ThrowsValidationNamingTheField(string body, string field)
    {
        var response = await _kms.Service.HandleAsync("TrentService.ReEncrypt", body);

        Assert.Equal(400, response.StatusCode);
        Assert.Contains("ValidationException", response.Body, StringComparison.Ordinal);
        Assert.Contains(field, response.Body, StringComparison.Ordinal);
    }
}
