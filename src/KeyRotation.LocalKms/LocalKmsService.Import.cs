using System.Security.Cryptography;
using System.Text.Json.Nodes;

namespace KeyRotation.LocalKms;

/// <content>
/// Importing key material (BYOK): GetParametersForImport, ImportKeyMaterial, DeleteImportedKeyMaterial.
/// Supported: RSAES_OAEP_SHA_1 and RSAES_OAEP_SHA_256 wrapping of symmetric and HMAC key material.
/// </content>
public sealed partial class LocalKmsService
{
    private static readonly string[] WrappingAlgorithms =
        ["RSAES_PKCS1_V1_5", "RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256", "RSA_AES_KEY_WRAP_SHA_1", "RSA_AES_KEY_WRAP_SHA_256", "SM2PKE"];

    private static readonly string[] WrappingKeySpecs = ["RSA_2048", "RSA_3072", "RSA_4096", "SM2"];
    private static readonly string[] ExpirationModels = ["KEY_MATERIAL_EXPIRES", "KEY_MATERIAL_DOES_NOT_EXPIRE"];

    private JsonObject GetParametersForImport(KmsRequest request, PregeneratedKeys pregenerated)
    {
        var key = Resolve(request.RequiredString("KeyId"), allowAlias: false);
        var algorithm = request.Enum("WrappingAlgorithm", WrappingAlgorithms) ?? throw KmsErrorException.Validation("WrappingAlgorithm is required.");
        var wrappingKeySpec = request.Enum("WrappingKeySpec", WrappingKeySpecs) ?? throw KmsErrorException.Validation("WrappingKeySpec is required.");
        RequireImportable(key);
        switch (algorithm)
        {
            case "RSAES_PKCS1_V1_5":
                throw KmsErrorException.Validation("The RSAES_PKCS1_V1_5 wrapping algorithm is no longer supported (KMS stopped accepting it on October 10, 2023).");
            case "SM2PKE":
                throw KmsErrorException.Validation("SM2PKE is supported only in China Regions.");
            case "RSA_AES_KEY_WRAP_SHA_1":
            case "RSA_AES_KEY_WRAP_SHA_256":
                throw new KmsErrorException("UnsupportedOperationException", $"LocalKms does not implement the {algorithm} wrapping algorithm; use RSAES_OAEP_SHA_256.");
        }

        if (wrappingKeySpec == "SM2")
        {
            throw KmsErrorException.Validation("The SM2 wrapping key spec is supported only in China Regions.");
        }

        var rsa = pregenerated.TakeWrappingKey(wrappingKeySpec);
        var tokenBytes = RandomNumberGenerator.GetBytes(64);
        var validTo = _time.GetUtcNow().AddHours(24);
        _importTokens.Add(Convert.ToBase64String(tokenBytes), new ImportToken { KeyId = key.KeyId, WrappingKey = rsa, WrappingAlgorithm = algorithm, ValidTo = validTo });
        return new JsonObject
        {
            ["KeyId"] = key.Arn,
            ["ImportToken"] = Convert.ToBase64String(tokenBytes),
            ["PublicKey"] = Convert.ToBase64String(rsa.ExportSubjectPublicKeyInfo()),
            ["ParametersValidTo"] = Epoch(validTo),
        };
    }

    private JsonObject ImportKeyMaterial(KmsRequest request)
    {
        var key = Resolve(request.RequiredString("KeyId"), allowAlias: false);
        var tokenBytes = request.Blob("ImportToken") ?? throw KmsErrorException.Validation("ImportToken is required.");
        var encrypted = request.Blob("EncryptedKeyMaterial") ?? throw KmsErrorException.Validation("EncryptedKeyMaterial is required.");
        var expirationModel = request.Enum("ExpirationModel", ExpirationModels) ?? "KEY_MATERIAL_EXPIRES";
        var validTo = request.Timestamp("ValidTo");
        RequireImportable(key);

        var now = _time.GetUtcNow();
        if (!_importTokens.TryGetValue(Convert.ToBase64String(tokenBytes), out var token) || token.KeyId != key.KeyId)
        {
            throw new KmsErrorException("InvalidImportTokenException", $"The import token is not valid for {key.Arn}.");
        }

        if (token.ValidTo <= now)
        {
            throw new KmsErrorException("ExpiredImportTokenException", "The import token has expired. Call GetParametersForImport for a new one.");
        }

        if (expirationModel == "KEY_MATERIAL_EXPIRES")
        {
            if (validTo is null)
            {
                throw KmsErrorException.Validation("ValidTo is required when ExpirationModel is KEY_MATERIAL_EXPIRES.");
            }

            if (validTo <= now || validTo > now.AddDays(365))
            {
                throw KmsErrorException.Validation("ValidTo must be in the future and at most 365 days from now.");
            }
        }
        else if (validTo is not null)
        {
            throw KmsErrorException.Validation("ValidTo must be omitted when ExpirationModel is KEY_MATERIAL_DOES_NOT_EXPIRE.");
        }

        byte[] material;
        try
        {
            material = token.WrappingKey.Decrypt(encrypted, OaepPadding(token.WrappingAlgorithm));
        }
        catch (CryptographicException)
        {
            throw new KmsErrorException("InvalidCiphertextException", "The encrypted key material could not be decrypted with the wrapping key of this import token.");
        }

        ValidateMaterialSize(key, material);
        var fingerprint = SHA256.HashData(material);
        if (key.ImportedMaterialFingerprint is { } previous && !CryptographicOperations.FixedTimeEquals(previous, fingerprint))
        {
            CryptographicOperations.ZeroMemory(material);
            throw new KmsErrorException("IncorrectKeyMaterialException", $"The key material is not the key material previously imported into {key.Arn}.");
        }

        if (!key.HasMaterial)
        {
            key.Enabled = true;
        }

        key.ImportedMaterialFingerprint = fingerprint;
        key.Material = material;
        key.ExpirationModel = expirationModel;
        key.ValidTo = expirationModel == "KEY_MATERIAL_EXPIRES" ? validTo : null;
        return new JsonObject { ["KeyId"] = key.Arn };
    }

    private JsonObject DeleteImportedKeyMaterial(KmsRequest request)
    {
        var key = Resolve(request.RequiredString("KeyId"), allowAlias: false);
        RequireImportable(key);
        if (key.Material is { } material)
        {
            CryptographicOperations.ZeroMemory(material);
        }

        // The fingerprint stays: only the same material can be imported again.
        key.Material = null;
        key.ExpirationModel = null;
        key.ValidTo = null;
        return new JsonObject { ["KeyId"] = key.Arn };
    }

    private static void RequireImportable(KmsKey key)
    {
        if (!key.IsExternal)
        {
            throw new KmsErrorException("UnsupportedOperationException", $"{key.Arn} has Origin {key.Origin}; importing key material requires Origin EXTERNAL.");
        }

        RequireNotPendingDeletion(key);
    }

    private static void ValidateMaterialSize(KmsKey key, byte[] material)
    {
        if (key.KeySpec == KeySpecs.SymmetricDefault && material.Length != 32)
        {
            throw KmsErrorException.Validation($"Key material for a SYMMETRIC_DEFAULT key must be 256 bits (32 bytes); got {material.Length} bytes.");
        }

        if (KeySpecs.IsHmac(key.KeySpec) && material.Length != KeySpecs.HmacMaterialBytes(key.KeySpec))
        {
            throw KmsErrorException.Validation($"Key material for a {key.KeySpec} key must be {KeySpecs.HmacMaterialBytes(key.KeySpec)} bytes; got {material.Length} bytes.");
        }

        if (KeySpecs.IsRsa(key.KeySpec) || KeySpecs.IsEcc(key.KeySpec))
        {
            throw new KmsErrorException("UnsupportedOperationException", "LocalKms imports only symmetric and HMAC key material.");
        }
    }
}
