using System.Text.Json.Nodes;

namespace KeyRotation.LocalKms;

/// <content>How DescribeKey, CreateKey and ReplicateKey describe a key (KeyMetadata), and the epoch timestamps of every answer.</content>
public sealed partial class LocalKmsService
{
    private JsonObject Metadata(KmsKey key)
    {
        var m = new JsonObject
        {
            ["AWSAccountId"] = AccountId,
            ["KeyId"] = key.KeyId,
            ["Arn"] = key.Arn,
            ["CreationDate"] = Epoch(key.CreationDate),
            ["Enabled"] = key.KeyState == "Enabled",
            ["Description"] = key.Description,
            ["KeyUsage"] = key.KeyUsage,
            ["KeyState"] = key.KeyState,
            ["Origin"] = key.Origin,
            ["KeyManager"] = key.KeyManager,
            ["CustomerMasterKeySpec"] = key.KeySpec,
            ["KeySpec"] = key.KeySpec,
            ["MultiRegion"] = key.MultiRegion,
        };
        if (key.DeletionDate is { } deletion)
        {
            m["DeletionDate"] = Epoch(deletion);
        }

        if (key.AwaitingReplicaDeletion)
        {
            // PendingDeletionWindowInDays appears only for PendingReplicaDeletion (API reference, KeyMetadata).
            m["PendingDeletionWindowInDays"] = key.PendingWindowInDays;
        }

        if (key.IsExternal && ExpiryOf(key) is { } expiry)
        {
            m["ExpirationModel"] = expiry.Model;
            if (expiry.ValidTo is { } validTo)
            {
                m["ValidTo"] = Epoch(validTo);
            }
        }

        if (key.KeySpec == KeySpecs.SymmetricDefault && key.Materials.Current is { } current)
        {
            m["CurrentKeyMaterialId"] = current.Id;
        }

        AddList(m, "EncryptionAlgorithms", KeySpecs.EncryptionAlgorithms(key.KeySpec, key.KeyUsage));
        AddList(m, "SigningAlgorithms", KeySpecs.SigningAlgorithms(key.KeySpec, key.KeyUsage));
        AddList(m, "MacAlgorithms", KeySpecs.MacAlgorithms(key.KeySpec));
        AddList(m, "KeyAgreementAlgorithms", KeySpecs.KeyAgreementAlgorithms(key.KeyUsage));
        if (key.MultiRegionSet is not null)
        {
            m["MultiRegionConfiguration"] = MultiRegionConfiguration(key);
        }

        return m;
    }

    /// <summary>
    /// DescribeKey's expiry of imported material: KEY_MATERIAL_EXPIRES with the earliest ValidTo when any material
    /// permanently associated with the key (current or non-current) expires; null when none is imported.
    /// </summary>
    private static (string Model, DateTimeOffset? ValidTo)? ExpiryOf(KmsKey key)
    {
        var associated = key.Materials.All.Where(x => x.State != KeyMaterial.PendingRotation && x.ExpirationModel is not null).ToList();
        if (associated.Count == 0)
        {
            return null;
        }

        var earliest = associated.Where(x => x.ExpirationModel == "KEY_MATERIAL_EXPIRES").Min(x => x.ValidTo);
        return earliest is null ? ("KEY_MATERIAL_DOES_NOT_EXPIRE", null) : ("KEY_MATERIAL_EXPIRES", earliest);
    }

    private static void AddList(JsonObject target, string name, IReadOnlyList<string>? values)
    {
        if (values is not null)
        {
            target[name] = new JsonArray([.. values.Select(v => (JsonNode)v)]);
        }
    }

    private static JsonValue Epoch(DateTimeOffset at) => JsonValue.Create(at.ToUnixTimeMilliseconds() / 1000.0);
}
