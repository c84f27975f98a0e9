using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace KeyRotation.LocalKms;

/// <content>
/// Cryptographic operations. Symmetric ciphertext is AES-256-GCM and carries the key id and the id of
/// the key material, so Decrypt needs no KeyId and finds older material after a rotation, as in KMS:
/// [0x02][id length][key id][32-byte key material id][12-byte nonce][16-byte tag][ciphertext].
/// Version 0x01 (no material id, from before rotation existed) decrypts with the initial material.
/// The encryption context (sorted) and the key id are the additional authenticated data.
/// </content>
public sealed partial class LocalKmsService
{
    private const byte CiphertextVersion = 2;
    private const byte InitialMaterialCiphertextVersion = 1;
    private const int MaterialIdSize = 32;
    private const int NonceSize = 12;
    private const int TagSize = 16;

    private static readonly string[] EncryptionAlgorithmValues = [KeySpecs.SymmetricDefault, "RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256", "SM2PKE"];
    private static readonly string[] DataKeySpecs = ["AES_256", "AES_128"];
    private static readonly string[] MacAlgorithmValues = ["HMAC_SHA_224", "HMAC_SHA_256", "HMAC_SHA_384", "HMAC_SHA_512"];

    private JsonObject Encrypt(KmsRequest request)
    {
        var key = Resolve(request.RequiredString("KeyId"), allowAlias: true);
        var plaintext = request.Blob("Plaintext") ?? throw KmsErrorException.Validation("Plaintext is required.");
        if (plaintext.Length is < 1 or > 4096)
        {
            throw KmsErrorException.Validation("Plaintext must be between 1 and 4096 bytes.");
        }

        var algorithm = request.Enum("EncryptionAlgorithm", EncryptionAlgorithmValues) ?? KeySpecs.SymmetricDefault;
        RequireUsable(key, KeySpecs.EncryptDecrypt);
        RequireAlgorithm(key, algorithm);
        var context = request.StringMap("EncryptionContext");
        var ciphertext = key.KeySpec == KeySpecs.SymmetricDefault
            ? SealSymmetric(key, plaintext, context)
            : ((RSA)key.KeyPair!).Encrypt(plaintext, OaepPadding(algorithm));
        RecordUse(key, "Encrypt");
        return new JsonObject
        {
            ["CiphertextBlob"] = Convert.ToBase64String(ciphertext),
            ["KeyId"] = key.Arn,
            ["EncryptionAlgorithm"] = algorithm,
        };
    }

    private JsonObject Decrypt(KmsRequest request)
    {
        var blob = request.Blob("CiphertextBlob") ?? throw KmsErrorException.Validation("CiphertextBlob is required.");
        var algorithm = request.Enum("EncryptionAlgorithm", EncryptionAlgorithmValues) ?? KeySpecs.SymmetricDefault;
        var context = request.StringMap("EncryptionContext");
        var (key, header) = CiphertextKey(blob, algorithm, request.String("KeyId"), "KeyId");
        var (plaintext, _) = Open(key, blob, header, algorithm, context);
        RecordUse(key, "Decrypt");
        return new JsonObject
        {
            ["KeyId"] = key.Arn,
            ["Plaintext"] = Convert.ToBase64String(plaintext),
            ["EncryptionAlgorithm"] = algorithm,
        };
    }

    private JsonObject GenerateDataKey(KmsRequest request, bool includePlaintext)
    {
        var key = Resolve(request.RequiredString("KeyId"), allowAlias: true);
        var spec = request.Enum("KeySpec", DataKeySpecs);
        var numberOfBytes = request.Int("NumberOfBytes");
        if ((spec is null) == (numberOfBytes is null))
        {
            throw KmsErrorException.Validation("Specify either KeySpec or NumberOfBytes, but not both.");
        }

        if (numberOfBytes is < 1 or > 1024)
        {
            throw KmsErrorException.Validation("NumberOfBytes must be between 1 and 1024.");
        }

        RequireUsable(key, KeySpecs.EncryptDecrypt);
        if (key.KeySpec != KeySpecs.SymmetricDefault)
        {
            throw new KmsErrorException("InvalidKeyUsageException", $"{key.Arn} is not a symmetric encryption key; data keys need one.");
        }

        var dataKey = RandomNumberGenerator.GetBytes(numberOfBytes ?? (spec == "AES_128" ? 16 : 32));
        var result = new JsonObject
        {
            ["CiphertextBlob"] = Convert.ToBase64String(SealSymmetric(key, dataKey, request.StringMap("EncryptionContext"))),
            ["KeyId"] = key.Arn,
        };
        if (includePlaintext)
        {
            result["Plaintext"] = Convert.ToBase64String(dataKey);
        }

        RecordUse(key, includePlaintext ? "GenerateDataKey" : "GenerateDataKeyWithoutPlaintext");
        return result;
    }

    private JsonObject GenerateMac(KmsRequest request)
    {
        var (key, algorithm, mac) = ComputeMac(request);
        RecordUse(key, "GenerateMac");
        return new JsonObject { ["Mac"] = Convert.ToBase64String(mac), ["MacAlgorithm"] = algorithm, ["KeyId"] = key.Arn };
    }

    private JsonObject VerifyMac(KmsRequest request)
    {
        var expected = request.Blob("Mac") ?? throw KmsErrorException.Validation("Mac is required.");
        var (key, algorithm, mac) = ComputeMac(request);
        if (!CryptographicOperations.FixedTimeEquals(mac, expected))
        {
            throw new KmsErrorException("KMSInvalidMacException", "The MAC is not valid for this message, key and algorithm.");
        }

        RecordUse(key, "VerifyMac");
        return new JsonObject { ["KeyId"] = key.Arn, ["MacValid"] = true, ["MacAlgorithm"] = algorithm };
    }

    private (KmsKey Key, string Algorithm, byte[] Mac) ComputeMac(KmsRequest request)
    {
        var key = Resolve(request.RequiredString("KeyId"), allowAlias: true);
        var message = request.Blob("Message") ?? throw KmsErrorException.Validation("Message is required.");
        if (message.Length is < 1 or > 4096)
        {
            throw KmsErrorException.Validation("Message must be between 1 and 4096 bytes.");
        }

        var algorithm = request.Enum("MacAlgorithm", MacAlgorithmValues) ?? throw KmsErrorException.Validation("MacAlgorithm is required.");
        RequireUsable(key, KeySpecs.GenerateVerifyMac);
        if (!KeySpecs.MacAlgorithms(key.KeySpec)!.Contains(algorithm))
        {
            throw new KmsErrorException("InvalidKeyUsageException", $"{algorithm} is not supported by {key.Arn} ({key.KeySpec}).");
        }

        var material = key.Material!;
        byte[] mac = algorithm switch
        {
            "HMAC_SHA_224" => Hmac224(material, message),
            "HMAC_SHA_256" => HMACSHA256.HashData(material, message),
            "HMAC_SHA_384" => HMACSHA384.HashData(material, message),
            _ => HMACSHA512.HashData(material, message),
        };
        return (key, algorithm, mac);
    }

    /// <summary>.NET has no HMAC-SHA224; LocalKms uses truncated HMAC-SHA256 (not interoperable with real KMS MACs).</summary>
    private static byte[] Hmac224(byte[] key, byte[] message) => HMACSHA256.HashData(key, message)[..28];

    /// <summary>State and usage gates shared by every cryptographic operation.</summary>
    private static void RequireUsable(KmsKey key, string usage)
    {
        RequireEnabled(key);

        if (key.KeyUsage != usage)
        {
            throw new KmsErrorException("InvalidKeyUsageException", $"{key.Arn} has KeyUsage {key.KeyUsage}; this operation needs {usage}.");
        }
    }

    private static void RequireAlgorithm(KmsKey key, string algorithm)
    {
        if (KeySpecs.EncryptionAlgorithms(key.KeySpec, key.KeyUsage)?.Contains(algorithm) != true)
        {
            throw new KmsErrorException("InvalidKeyUsageException", $"{algorithm} is not supported by {key.Arn} ({key.KeySpec}).");
        }
    }

    private static RSAEncryptionPadding OaepPadding(string algorithm) =>
        algorithm == "RSAES_OAEP_SHA_1" ? RSAEncryptionPadding.OaepSHA1 : RSAEncryptionPadding.OaepSHA256;

    private static byte[] SealSymmetric(KmsKey key, byte[] plaintext, SortedDictionary<string, string> context)
    {
        var material = key.Materials.Current!;
        var id = Encoding.ASCII.GetBytes(key.KeyId);
        var header = new byte[2 + id.Length];
        header[0] = CiphertextVersion;
        header[1] = (byte)id.Length;
        id.CopyTo(header, 2);
        var nonce = RandomNumberGenerator.GetBytes(NonceSize);
        var tag = new byte[TagSize];
        var ciphertext = new byte[plaintext.Length];
        using (var aes = new AesGcm(material.Bytes!, TagSize))
        {
            aes.Encrypt(nonce, plaintext, ciphertext, tag, AssociatedData(key.KeyId, context));
        }

        return [.. header, .. Convert.FromHexString(material.Id), .. nonce, .. tag, .. ciphertext];
    }

    /// <summary>Reads the key id and key material id of a symmetric ciphertext blob.</summary>
    private static CiphertextHeader ParseHeader(byte[] blob)
    {
        var version = blob.Length >= 2 ? blob[0] : (byte)0;
        var materialIdSize = version == CiphertextVersion ? MaterialIdSize : 0;
        if (version is not (CiphertextVersion or InitialMaterialCiphertextVersion)
            || blob.Length < 2 + blob[1] + materialIdSize + NonceSize + TagSize)
        {
            throw new KmsErrorException("InvalidCiphertextException", "The ciphertext is not a LocalKms ciphertext blob.");
        }

        var keyId = Encoding.ASCII.GetString(blob, 2, blob[1]);
        var materialId = materialIdSize == 0 ? null : Convert.ToHexStringLower(blob, 2 + blob[1], MaterialIdSize);
        return new CiphertextHeader(keyId, materialId, 2 + blob[1] + materialIdSize);
    }

    private static (byte[] Plaintext, string MaterialId) OpenSymmetric(KmsKey key, byte[] blob, CiphertextHeader header, SortedDictionary<string, string> context)
    {
        var material = header.MaterialId is null
            ? key.Materials.All.FirstOrDefault(m => m.IsInitial)
            : key.Materials.Find(header.MaterialId);
        if (material?.Bytes is null || material.State == KeyMaterial.PendingRotation)
        {
            throw new KmsErrorException("InvalidCiphertextException", "The ciphertext refers to key material that this key does not have.");
        }

        var offset = header.PayloadOffset;
        var nonce = blob.AsSpan(offset, NonceSize);
        var tag = blob.AsSpan(offset + NonceSize, TagSize);
        var ciphertext = blob.AsSpan(offset + NonceSize + TagSize);
        var plaintext = new byte[ciphertext.Length];
        try
        {
            using var aes = new AesGcm(material.Bytes, TagSize);
            aes.Decrypt(nonce, ciphertext, tag, plaintext, AssociatedData(key.KeyId, context));
        }
        catch (AuthenticationTagMismatchException)
        {
            throw new KmsErrorException("InvalidCiphertextException", "The ciphertext or encryption context is not valid.");
        }

        return (plaintext, material.Id);
    }

    private static byte[] AssociatedData(string keyId, SortedDictionary<string, string> context)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            writer.WriteStartObject();
            writer.WriteString("k", keyId);
            writer.WriteStartObject("c");
            foreach (var (name, value) in context)
            {
                writer.WriteString(name, value);
            }

            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        return stream.ToArray();
    }

    private readonly record struct CiphertextHeader(string KeyId, string? MaterialId, int PayloadOffset);
}
