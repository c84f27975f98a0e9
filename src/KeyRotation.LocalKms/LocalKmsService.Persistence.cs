using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json.Nodes;

namespace KeyRotation.LocalKms;

/// <summary>
/// The service's keys (material and key pairs included), their tags and the aliases, as one JSON document, so a
/// LocalKms can stop and start again where it was: the standalone server's --data file and the CLI sandbox's state
/// file both use it. Outstanding import tokens are not kept: they last minutes and a restart asks for new ones.
/// </summary>
public sealed partial class LocalKmsService
{
    private const int StateVersion = 1;

    /// <summary>Everything needed to rebuild this service's keys and aliases; it holds key material in clear (local use only).</summary>
    public string ExportState()
    {
        lock (_state)
        {
            var keys = new JsonArray();
            foreach (var key in _keys.Values)
            {
                keys.Add(ExportKey(key));
            }

            var aliases = new JsonArray();
            foreach (var alias in _aliases.Values)
            {
                aliases.Add(new JsonObject
                {
                    ["AliasName"] = alias.AliasName,
                    ["TargetKeyId"] = alias.TargetKeyId,
                    ["CreationDate"] = alias.CreationDate.ToString("O", CultureInfo.InvariantCulture),
                    ["LastUpdatedDate"] = alias.LastUpdatedDate.ToString("O", CultureInfo.InvariantCulture),
                });
            }

            var grants = new JsonObject();
            foreach (var (keyId, list) in _grants)
            {
                grants[keyId] = new JsonArray([.. list.Select(g => g.DeepClone())]);
            }

            return new JsonObject { ["Version"] = StateVersion, [nameof(AccountId)] = AccountId, [nameof(Region)] = Region, ["Keys"] = keys, ["Aliases"] = aliases, ["Grants"] = grants }.ToJsonString();
        }
    }

    /// <summary>
    /// Replaces this service's keys and aliases with those of <paramref name="json"/> (from <see cref="ExportState"/>).
    /// A document that is not such a state, or was written for another account or Region, is refused and changes nothing.
    /// </summary>
    public void ImportState(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        var (keys, aliases, grants) = ParseState(json);
        lock (_state)
        {
            _keys.Clear();
            _aliases.Clear();
            _grants.Clear();
            foreach (var (keyId, list) in grants)
            {
                _grants[keyId] = list;
            }

            foreach (var key in keys)
            {
                _keys.Add(key.KeyId, key);
            }

            foreach (var alias in aliases)
            {
                _aliases.Add(alias.AliasName, alias);
            }
        }
    }

    private static JsonObject ExportKey(KmsKey key)
    {
        var tags = new JsonObject();
        foreach (var (name, value) in key.Tags)
        {
            tags[name] = value;
        }

        return new JsonObject
        {
            ["KeyId"] = key.KeyId,
            ["Arn"] = key.Arn,
            ["CreationDate"] = key.CreationDate.ToString("O", CultureInfo.InvariantCulture),
            ["KeySpec"] = key.KeySpec,
            ["KeyUsage"] = key.KeyUsage,
            ["Origin"] = key.Origin,
            ["KeyManager"] = key.KeyManager,
            ["Policy"] = key.Policy,
            ["Description"] = key.Description,
            ["MultiRegion"] = key.MultiRegion,
            ["Enabled"] = key.Enabled,
            ["DeletionDate"] = key.DeletionDate?.ToString("O", CultureInfo.InvariantCulture),
            ["PendingWindowInDays"] = key.PendingWindowInDays,
            ["Material"] = key.Material is null ? null : Convert.ToBase64String(key.Material),
            ["KeyPair"] = key.KeyPair is null ? null : Convert.ToBase64String(key.KeyPair.ExportPkcs8PrivateKey()),
            ["ImportedMaterialFingerprint"] = key.ImportedMaterialFingerprint is null ? null : Convert.ToBase64String(key.ImportedMaterialFingerprint),
            ["ExpirationModel"] = key.ExpirationModel,
            ["ValidTo"] = key.ValidTo?.ToString("O", CultureInfo.InvariantCulture),
            ["Tags"] = tags,
        };
    }

    private (List<KmsKey> Keys, List<KmsAlias> Aliases, Dictionary<string, List<JsonObject>> Grants) ParseState(string json)
    {
        try
        {
            var root = JsonNode.Parse(json)?.AsObject() ?? throw new FormatException("the document is empty");
            if ((int?)root["Version"] != StateVersion)
            {
                throw new FormatException($"it is not a LocalKms state of version {StateVersion}");
            }

            if ((string?)root[nameof(AccountId)] != AccountId || (string?)root[nameof(Region)] != Region)
            {
                throw new FormatException($"it holds account {(string?)root[nameof(AccountId)]} in {(string?)root[nameof(Region)]}, not account {AccountId} in {Region}");
            }

            var keys = root["Keys"]!.AsArray().Select(node => ImportKey(node!.AsObject())).ToList();
            var known = keys.Select(k => k.KeyId).ToHashSet(StringComparer.Ordinal);
            var aliases = root["Aliases"]!.AsArray().Select(node =>
            {
                var alias = node!.AsObject();
                var name = Required(alias, "AliasName");
                var target = Required(alias, "TargetKeyId");
                return known.Contains(target)
                    ? new KmsAlias { AliasName = name, AliasArn = AliasArn(name), TargetKeyId = target, CreationDate = Time(alias, "CreationDate")!.Value, LastUpdatedDate = Time(alias, "LastUpdatedDate")!.Value }
                    : throw new FormatException($"alias {name} points at key {target}, which is not in the state");
            }).ToList();
            var grants = (root["Grants"]?.AsObject() ?? []).ToDictionary(
                entry => known.Contains(entry.Key) ? entry.Key : throw new FormatException($"grants name key {entry.Key}, which is not in the state"),
                entry => entry.Value!.AsArray().Select(g => g!.DeepClone().AsObject()).ToList(),
                StringComparer.Ordinal);
            return (keys, aliases, grants);
        }
        catch (Exception ex) when (ex is System.Text.Json.JsonException or FormatException or InvalidOperationException or NullReferenceException or CryptographicException)
        {
            throw new FormatException($"Not a usable LocalKms state: {ex.Message}", ex);
        }
    }

    private static KmsKey ImportKey(JsonObject node)
    {
        var keySpec = Required(node, "KeySpec");
        AsymmetricAlgorithm? pair = null;
        if ((string?)node["KeyPair"] is { } pkcs8)
        {
            pair = CreateKeyPair(keySpec) ?? throw new FormatException($"key spec {keySpec} has no key pair");
            pair.ImportPkcs8PrivateKey(Convert.FromBase64String(pkcs8), out _);
        }

        var key = new KmsKey
        {
            KeyId = Required(node, "KeyId"),
            Arn = Required(node, "Arn"),
            CreationDate = Time(node, "CreationDate")!.Value,
            KeySpec = keySpec,
            KeyUsage = Required(node, "KeyUsage"),
            Origin = Required(node, "Origin"),
            KeyManager = Required(node, "KeyManager"),
            Policy = Required(node, "Policy"),
            Description = (string?)node["Description"] ?? string.Empty,
            MultiRegion = (bool?)node["MultiRegion"] ?? false,
            Enabled = (bool?)node["Enabled"] ?? true,
            DeletionDate = Time(node, "DeletionDate"),
            PendingWindowInDays = (int?)node["PendingWindowInDays"],
            Material = (string?)node["Material"] is { } material ? Convert.FromBase64String(material) : null,
            KeyPair = pair,
            ImportedMaterialFingerprint = (string?)node["ImportedMaterialFingerprint"] is { } fingerprint ? Convert.FromBase64String(fingerprint) : null,
            ExpirationModel = (string?)node["ExpirationModel"],
            ValidTo = Time(node, "ValidTo"),
        };
        foreach (var (name, value) in node["Tags"]?.AsObject() ?? [])
        {
            key.Tags.Add(new KeyValuePair<string, string>(name, (string?)value ?? string.Empty));
        }

        return key;
    }

    private static string Required(JsonObject node, string name) =>
        (string?)node[name] ?? throw new FormatException($"{name} is missing");

    private static DateTimeOffset? Time(JsonObject node, string name) =>
        (string?)node[name] is { } text ? DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind) : null;
}
