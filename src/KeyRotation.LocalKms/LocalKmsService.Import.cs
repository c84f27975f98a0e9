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
    private static readonly string[] ImportTypes = ["NEW_KEY_MATERIAL", "EXISTING_KEY_MATERIAL"];

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
        var importType = request.Enum("ImportType", ImportTypes);
        var materialId = MaterialIdField(request);
        var description = MaterialDescriptionField(request);
        RequireImportable(key);
        if ((importType ?? materialId ?? description) is not null && key.KeySpec != KeySpecs.SymmetricDefault)
        {
            throw KmsErrorException.Validation("ImportType, KeyMaterialId and KeyMaterialDescription are only valid for symmetric encryption keys.");
        }

        importType ??= key.Materials.All.Count == 0 ? "NEW_KEY_MATERIAL" : "EXISTING_KEY_MATERIAL";
        if (importType == "NEW_KEY_MATERIAL" && materialId is not null)
        {
            throw KmsErrorException.Validation("You cannot specify a KeyMaterialId when ImportType is NEW_KEY_MATERIAL.");
        }

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

        byte[] bytes;
        try
        {
            bytes = token.WrappingKey.Decrypt(encrypted, OaepPadding(token.WrappingAlgorithm));
        }
        catch (CryptographicException)
        {
            throw new KmsErrorException("InvalidCiphertextException", "The encrypted key material could not be decrypted with the wrapping key of this import token.");
        }

        ValidateMaterialSize(key, bytes);
        KeyMaterial material;
        try
        {
            material = importType == "NEW_KEY_MATERIAL" ? AddNewMaterial(key, bytes) : MatchExistingMaterial(key, bytes, materialId);
        }
        catch (KmsErrorException)
        {
            CryptographicOperations.ZeroMemory(bytes);
            throw;
        }

        var wasUsable = key.HasMaterial;
        material.Bytes = bytes;
        material.ExpirationModel = expirationModel;
        material.ValidTo = expirationModel == "KEY_MATERIAL_EXPIRES" ? validTo : null;
        material.Description = description ?? material.Description;
        if (!wasUsable && key.HasMaterial)
        {
            key.Enabled = true;
        }

        return new JsonObject { ["KeyId"] = key.Arn, ["KeyMaterialId"] = material.Id };
    }

    /// <summary>
    /// NEW_KEY_MATERIAL: the first import becomes current; a later one (symmetric keys only) waits
    /// in PENDING_ROTATION until RotateKeyOnDemand makes it current.
    /// </summary>
    private static KeyMaterial AddNewMaterial(KmsKey key, byte[] bytes)
    {
        var id = KeyMaterials.ImportedId(key.KeyId, bytes);
        if (key.Materials.All.Count == 0)
        {
            return key.Materials.AddInitial(id, null);
        }

        if (key.KeySpec != KeySpecs.SymmetricDefault)
        {
            throw new KmsErrorException("IncorrectKeyMaterialException", $"The key material of {key.Arn} cannot change after the initial import ({key.KeySpec} keys do not rotate).");
        }

        if (key.Materials.Find(id) is not null)
        {
            throw new KmsErrorException("IncorrectKeyMaterialException", $"This key material is already associated with {key.Arn} as {id}; import it with ImportType EXISTING_KEY_MATERIAL.");
        }

        if (key.Materials.Pending is { } pending)
        {
            throw KmsErrorException.InvalidState($"{key.Arn} already has key material {pending.Id} pending rotation; rotate the key on demand, or delete that key material, before importing new key material.");
        }

        return key.Materials.AddPending(id, bytes);
    }

    /// <summary>EXISTING_KEY_MATERIAL: only a material that was imported into this key before (optionally named by its id).</summary>
    private static KeyMaterial MatchExistingMaterial(KmsKey key, byte[] bytes, string? expectedId)
    {
        var id = KeyMaterials.ImportedId(key.KeyId, bytes);
        if (expectedId is not null && expectedId != id)
        {
            throw new KmsErrorException("IncorrectKeyMaterialException", $"The key material does not match key material {expectedId}.");
        }

        return key.Materials.Find(id)
            ?? throw new KmsErrorException("IncorrectKeyMaterialException", $"The key material is not the key material previously imported into {key.Arn}.");
    }

    private JsonObject DeleteImportedKeyMaterial(KmsRequest request)
    {
        var key = Resolve(request.RequiredString("KeyId"), allowAlias: false);
        var materialId = MaterialIdField(request);
        RequireImportable(key);
        var material = materialId is null
            ? key.Materials.Current
            : key.Materials.Find(materialId) ?? throw KmsErrorException.NotFound($"Key material {materialId} is not associated with {key.Arn}.");
        if (material?.Bytes is { } bytes)
        {
            CryptographicOperations.ZeroMemory(bytes);
        }

        // A material that is or was current keeps its id: only the same material can be imported again.
        // One pending rotation is not permanently associated with the key, so it is forgotten.
        if (material is not null)
        {
            material.Bytes = null;
            material.ExpirationModel = null;
            material.ValidTo = null;
            key.Materials.RemovePending(material);
        }

        var result = new JsonObject { ["KeyId"] = key.Arn };
        if (material is not null)
        {
            result["KeyMaterialId"] = material.Id;
        }

        return result;
    }

    private static string? MaterialIdField(KmsRequest request)
    {
        var id = request.String("KeyMaterialId");
        if (id is not null && (id.Length != 64 || !id.All(c => char.IsAsciiDigit(c) || c is >= 'a' and <= 'f')))
        {
            throw KmsErrorException.Validation($"1 validation error detected: Value '{id}' at 'keyMaterialId' failed to satisfy constraint: Member must be 64 lowercase hexadecimal characters");
        }

        return id;
    }

    private static string? MaterialDescriptionField(KmsRequest request)
    {
        var description = request.String("KeyMaterialDescription");
        if (description is not null && (description.Length > 256 || !description.All(c => char.IsAsciiLetterOrDigit(c) || char.IsWhiteSpace(c) || c is ':' or '/' or '_' or '.' or '-')))
        {
            throw KmsErrorException.Validation("1 validation error detected: Value at 'keyMaterialDescription' failed to satisfy constraint: Member must have length less than or equal to 256 and match ^[a-zA-Z0-9:/_\\s.-]+$");
        }

        return description;
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
