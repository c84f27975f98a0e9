using System.Text;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;

namespace KeyRotation.LocalKms.Tests;

/// <summary>
/// ReEncrypt between two RSA ENCRYPT_DECRYPT keys (two generations of an RSA alias), as the KMS API reference describes
/// it: SourceKeyId and SourceEncryptionAlgorithm name how to decrypt, DestinationEncryptionAlgorithm how to encrypt, and
/// the answer has no key material ids (those are for symmetric keys only).
/// </summary>
public sealed class ReEncryptAsymmetricTests : IDisposable
{
    private static readonly byte[] Secret = Encoding.UTF8.GetBytes("data key of the orders service");

    private readonly LocalKmsHarness _kms = new();

    public void Dispose() => _kms.Dispose();

    private Task<KeyMetadata> CreateRsaKeyAsync() =>
        _kms.CreateKeyAsync(new CreateKeyRequest { KeySpec = KeySpec.RSA_2048, KeyUsage = KeyUsageType.ENCRYPT_DECRYPT });

    private async Task<byte[]> EncryptAsync(KeyMetadata key, EncryptionAlgorithmSpec algorithm) =>
        (await _kms.Client.EncryptAsync(new EncryptRequest { KeyId = key.KeyId, Plaintext = new MemoryStream(Secret), EncryptionAlgorithm = algorithm })).CiphertextBlob.ToArray();

    private Task<ReEncryptResponse> ReEncryptAsync(byte[] ciphertext, KeyMetadata source, KeyMetadata destination, EncryptionAlgorithmSpec from, EncryptionAlgorithmSpec to) =>
        _kms.Client.ReEncryptAsync(new ReEncryptRequest
        {
            CiphertextBlob = new MemoryStream(ciphertext),
            SourceKeyId = source.Arn,
            SourceEncryptionAlgorithm = from,
            DestinationKeyId = destination.Arn,
            DestinationEncryptionAlgorithm = to,
        });

    [Theory]
    [InlineData("RSAES_OAEP_SHA_256", "RSAES_OAEP_SHA_256")]
    [InlineData("RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256")]
    public async Task ReEncrypt_RsaToRsa_DecryptsWithTheDestinationAndItsAlgorithm(string from, string to)
    {
        var (old, current) = (await CreateRsaKeyAsync(), await CreateRsaKeyAsync());
        var stored = await EncryptAsync(old, EncryptionAlgorithmSpec.FindValue(from));

        var response = await ReEncryptAsync(stored, old, current, EncryptionAlgorithmSpec.FindValue(from), EncryptionAlgorithmSpec.FindValue(to));

        Assert.Equal((old.Arn, current.Arn), (response.SourceKeyId, response.KeyId));
        Assert.Equal((from, to), (response.SourceEncryptionAlgorithm.Value, response.DestinationEncryptionAlgorithm.Value));
        Assert.Equal((null, null), (response.SourceKeyMaterialId, response.DestinationKeyMaterialId));
        var decrypted = await _kms.Client.DecryptAsync(new DecryptRequest { CiphertextBlob = response.CiphertextBlob, KeyId = current.KeyId, EncryptionAlgorithm = EncryptionAlgorithmSpec.FindValue(to) });
        Assert.Equal(Secret, decrypted.Plaintext.ToArray());
    }

    [Fact]
    public async Task ReEncrypt_RsaCiphertextNamedWithAnotherKey_ThrowsInvalidCiphertext()
    {
        // An RSA ciphertext does not name its key, so KMS cannot answer IncorrectKeyException: the decryption fails.
        var (old, other, current) = (await CreateRsaKeyAsync(), await CreateRsaKeyAsync(), await CreateRsaKeyAsync());
        var stored = await EncryptAsync(old, EncryptionAlgorithmSpec.RSAES_OAEP_SHA_256);

        await Assert.ThrowsAsync<InvalidCiphertextException>(() => ReEncryptAsync(stored, other, current, EncryptionAlgorithmSpec.RSAES_OAEP_SHA_256, EncryptionAlgorithmSpec.RSAES_OAEP_SHA_256));
    }

    [Fact]
    public async Task ReEncrypt_RsaCiphertextWithAnotherAlgorithm_ThrowsInvalidCiphertext()
    {
        var (old, current) = (await CreateRsaKeyAsync(), await CreateRsaKeyAsync());
        var stored = await EncryptAsync(old, EncryptionAlgorithmSpec.RSAES_OAEP_SHA_256);

        await Assert.ThrowsAsync<InvalidCiphertextException>(() => ReEncryptAsync(stored, old, current, EncryptionAlgorithmSpec.RSAES_OAEP_SHA_1, EncryptionAlgorithmSpec.RSAES_OAEP_SHA_1));
    }

    [Fact]
    public async Task ReEncrypt_ToAnRsaKeyWithAnAlgorithmItDoesNotSupport_ThrowsInvalidKeyUsage()
    {
        var (old, current) = (await CreateRsaKeyAsync(), await CreateRsaKeyAsync());
        var stored = await EncryptAsync(old, EncryptionAlgorithmSpec.RSAES_OAEP_SHA_256);

        await Assert.ThrowsAsync<InvalidKeyUsageException>(() => ReEncryptAsync(stored, old, current, EncryptionAlgorithmSpec.RSAES_OAEP_SHA_256, EncryptionAlgorithmSpec.SYMMETRIC_DEFAULT));
    }
}
