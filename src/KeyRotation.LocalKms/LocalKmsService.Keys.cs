using System.Security.Cryptography;
using System.Text.Json.Nodes;

namespace KeyRotation.LocalKms;

/// <content>Keys: CreateKey (with the key pair or material it needs), DescribeKey and ListKeys.</content>
public sealed partial class LocalKmsService
{
    private static readonly string[] KeyUsages = [KeySpecs.EncryptDecrypt, KeySpecs.SignVerify, KeySpecs.GenerateVerifyMac, KeySpecs.KeyAgreement];
    private static readonly string[] Origins = ["AWS_KMS", "EXTERNAL", "AWS_CLOUDHSM", "EXTERNAL_KEY_STORE"];

    private JsonObject CreateKey(KmsRequest request, PregeneratedKeys pregenerated, string? caller)
    {
        var description = request.String("Description") ?? string.Empty;
        if (description.Length > 8192)
        {
            throw KmsErrorException.Validation("1 validation error detected: Value at 'description' failed to satisfy constraint: Member must have length less than or equal to 8192");
        }

        var keySpecField = request.Enum("KeySpec", KeySpecs.All);
        var legacySpec = request.Enum("CustomerMasterKeySpec", KeySpecs.All);
        if (keySpecField is not null && legacySpec is not null)
        {
            throw KmsErrorException.Validation("You cannot specify KeySpec and CustomerMasterKeySpec in the same request. CustomerMasterKeySpec parameter is deprecated; use KeySpec.");
        }

        var keySpec = keySpecField ?? legacySpec ?? KeySpecs.SymmetricDefault;
        var keyUsage = request.Enum("KeyUsage", KeyUsages) ?? KeySpecs.EncryptDecrypt;
        if (!KeySpecs.AllowedUsages(keySpec).Contains(keyUsage))
        {
            throw KmsErrorException.Validation($"KeyUsage {keyUsage} is not compatible with KeySpec {keySpec}. Valid key usages: {string.Join(", ", KeySpecs.AllowedUsages(keySpec))}.");
        }

        var origin = request.Enum("Origin", Origins) ?? "AWS_KMS";
        var customKeyStoreId = request.String("CustomKeyStoreId");
        if (origin is "AWS_CLOUDHSM" or "EXTERNAL_KEY_STORE" || customKeyStoreId is not null)
        {
            if (customKeyStoreId is null)
            {
                throw KmsErrorException.Validation($"CustomKeyStoreId is required when Origin is {origin}.");
            }

            // LocalKms has no custom key stores, so every store id is unknown.
            throw new KmsErrorException("CustomKeyStoreNotFoundException", $"Custom key store {customKeyStoreId} does not exist.");
        }

        var policy = request.String("Policy");
        if (policy is null)
        {
            policy = DefaultPolicy();
        }
        else
        {
            KeyPolicyDocument.Validate(policy, request.Bool("BypassPolicyLockoutSafetyCheck"), AccountId, caller);
        }

        var tags = request.Tags("Tags");
        ValidateTags(tags);
        if (tags.Select(t => t.Key).Distinct(StringComparer.Ordinal).Count() > MaxTagsPerKey)
        {
            throw new KmsErrorException("TagException", $"A KMS key can have at most {MaxTagsPerKey} tags.");
        }

        var multiRegion = request.Bool("MultiRegion");
        var keyId = multiRegion ? "mrk-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)) : Guid.NewGuid().ToString();
        var key = NewKey(keyId, keySpec, keyUsage, origin, "CUSTOMER", policy, multiRegion, origin == "AWS_KMS" ? pregenerated.TakeKeyPair(keySpec) : null);
        key.Description = description;
        foreach (var tag in tags)
        {
            SetTag(key, tag.Key, tag.Value);
        }

        if (origin == "AWS_KMS")
        {
            if (keySpec == KeySpecs.SymmetricDefault)
            {
                key.Material = RandomNumberGenerator.GetBytes(32);
            }
            else if (KeySpecs.IsHmac(keySpec))
            {
                key.Material = RandomNumberGenerator.GetBytes(KeySpecs.HmacMaterialBytes(keySpec));
            }
        }

        _keys.Add(key.KeyId, key);
        return new JsonObject { ["KeyMetadata"] = Metadata(key) };
    }

    private KmsKey NewKey(string keyId, string keySpec, string keyUsage, string origin, string keyManager, string policy, bool multiRegion, AsymmetricAlgorithm? pair = null)
    {
        return new KmsKey
        {
            KeyId = keyId,
            Arn = KeyArn(CurrentRegion, keyId),
            Region = CurrentRegion,
            MultiRegionSet = multiRegion ? new MultiRegionKeySet(CurrentRegion) : null,
            CreationDate = _time.GetUtcNow(),
            KeySpec = keySpec,
            KeyUsage = keyUsage,
            Origin = origin,
            KeyManager = keyManager,
            Policy = policy,
            MultiRegion = multiRegion,
            KeyPair = pair,
        };
    }

    internal static AsymmetricAlgorithm? CreateKeyPair(string keySpec) => keySpec switch
    {
        "RSA_2048" => RSA.Create(2048),
        "RSA_3072" => RSA.Create(3072),
        "RSA_4096" => RSA.Create(4096),
        "ECC_NIST_P256" => ECDsa.Create(ECCurve.NamedCurves.nistP256),
        "ECC_NIST_P384" => ECDsa.Create(ECCurve.NamedCurves.nistP384),
        "ECC_NIST_P521" => ECDsa.Create(ECCurve.NamedCurves.nistP521),
        "ECC_SECG_P256K1" => ECDsa.Create(ECCurve.CreateFromFriendlyName("secP256k1")),
        _ => null,
    };

    private JsonObject DescribeKey(KmsRequest request)
    {
        var key = Resolve(request.RequiredString("KeyId"), allowAlias: true);
        return new JsonObject { ["KeyMetadata"] = Metadata(key) };
    }

    private JsonObject ListKeys(KmsRequest request)
    {
        var entries = _keys.Values.OrderBy(k => k.CreationDate).ThenBy(k => k.KeyId, StringComparer.Ordinal)
            .Select(k => (JsonNode)new JsonObject { ["KeyId"] = k.KeyId, ["KeyArn"] = k.Arn })
            .ToList();
        return KmsPage.Of(request, entries, "Keys", maxLimit: 1000, defaultLimit: 100);
    }
}
