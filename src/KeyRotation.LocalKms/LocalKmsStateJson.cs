using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace KeyRotation.LocalKms;

/// <summary>
/// The JSON of a saved LocalKms state (see <see cref="LocalKmsService.ExportState"/>): one Region's keys, aliases and
/// grants, a key, its materials and rotation settings, a multi-Region set. Reading throws <see cref="FormatException"/>
/// naming what is wrong.
/// </summary>
internal static partial class LocalKmsStateJson
{
    private static readonly string[] MaterialStates = [KeyMaterial.Current, KeyMaterial.NonCurrent, KeyMaterial.PendingRotation];

    /// <summary>What the keys of a multi-Region set share: the set itself, the key materials and the key pair.</summary>
    internal sealed record SharedKeyParts(MultiRegionKeySet Set, KeyMaterials Materials, AsymmetricAlgorithm? KeyPair);

    public static JsonObject ExportRegion(RegionState region)
    {
        var grants = new JsonObject();
        foreach (var (keyId, list) in region.Grants.OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            grants[keyId] = new JsonArray([.. list.Select(g => g.DeepClone())]);
        }

        return new JsonObject
        {
            ["Name"] = region.Name,
            ["Keys"] = new JsonArray([.. region.Keys.Values.OrderBy(k => k.KeyId, StringComparer.Ordinal).Select(k => (JsonNode)ExportKey(k))]),
            ["Aliases"] = new JsonArray([.. region.Aliases.Values.OrderBy(a => a.AliasName, StringComparer.Ordinal).Select(a => (JsonNode)new JsonObject
            {
                ["AliasName"] = a.AliasName,
                ["TargetKeyId"] = a.TargetKeyId,
                ["CreationDate"] = Text(a.CreationDate),
                ["LastUpdatedDate"] = Text(a.LastUpdatedDate),
            })]),
            ["Grants"] = grants,
        };
    }

    /// <summary>The set of a multi-Region key with what its keys share.</summary>
    public static JsonObject ExportSet(KmsKey key)
    {
        var set = key.MultiRegionSet!;
        return new JsonObject
        {
            ["KeyId"] = key.KeyId,
            ["KeySpec"] = key.KeySpec,
            ["PrimaryRegion"] = set.PrimaryRegion,
            ["ReplicaRegions"] = new JsonArray([.. set.ReplicaRegions.Select(r => (JsonNode)r)]),
            ["LastReplicaDeletedAt"] = Text(set.LastReplicaDeletedAt),
            ["Materials"] = ExportMaterials(key.Materials),
            ["KeyPair"] = ExportKeyPair(key.KeyPair),
        };
    }

    public static (string KeyId, SharedKeyParts Parts) ImportSet(JsonObject node, Func<string, bool> isRegionName)
    {
        var keyId = Required(node, "KeyId");
        var primary = Required(node, "PrimaryRegion");
        var set = new MultiRegionKeySet(primary, Time(node, "LastReplicaDeletedAt"));
        foreach (var region in node["ReplicaRegions"]!.AsArray().Select(r => (string?)r ?? throw new FormatException($"a replica Region of {keyId} is null")))
        {
            if (!isRegionName(region) || region == primary || !set.AddReplica(region))
            {
                throw new FormatException($"replica Region '{region}' of {keyId} is not a Region name, is its primary Region or is listed twice");
            }
        }

        return (keyId, new SharedKeyParts(set, ImportMaterials(node["Materials"]!.AsObject(), keyId), ImportKeyPair(node, Required(node, "KeySpec"))));
    }

    public static KmsKey ImportKey(JsonObject node, string region, Func<string, string> keyArn, IReadOnlyDictionary<string, SharedKeyParts> sets)
    {
        var keyId = Required(node, "KeyId");
        var keySpec = Required(node, "KeySpec");
        var multiRegion = (bool?)node["MultiRegion"] ?? false;
        (MultiRegionKeySet? Set, KeyMaterials Materials, AsymmetricAlgorithm? KeyPair) parts;
        if (multiRegion)
        {
            var shared = sets.GetValueOrDefault(keyId) ?? throw new FormatException($"multi-Region key {keyId} in {region} has no multi-Region set");
            if (region != shared.Set.PrimaryRegion && !shared.Set.ReplicaRegions.Contains(region))
            {
                throw new FormatException($"multi-Region key {keyId} is in {region}, which its set names neither as primary nor as replica Region");
            }

            parts = (shared.Set, shared.Materials, shared.KeyPair);
        }
        else
        {
            parts = (null, ImportMaterials(node["Materials"]!.AsObject(), keyId), ImportKeyPair(node, keySpec));
        }

        var key = new KmsKey
        {
            KeyId = keyId,
            Arn = keyArn(keyId),
            Region = region,
            CreationDate = Time(node, "CreationDate") ?? throw new FormatException($"CreationDate of {keyId} is missing"),
            KeySpec = keySpec,
            KeyUsage = Required(node, "KeyUsage"),
            Origin = Required(node, "Origin"),
            KeyManager = Required(node, "KeyManager"),
            Policy = Required(node, "Policy"),
            Description = (string?)node["Description"] ?? string.Empty,
            MultiRegion = multiRegion,
            MultiRegionSet = parts.Set,
            AwaitingReplicaDeletion = (bool?)node["AwaitingReplicaDeletion"] ?? false,
            Enabled = (bool?)node["Enabled"] ?? true,
            DeletionDate = Time(node, "DeletionDate"),
            PendingWindowInDays = (int?)node["PendingWindowInDays"],
            Materials = parts.Materials,
            KeyPair = parts.KeyPair,
            LastUsage = node["LastUsage"] is JsonObject usage
                ? new LocalKmsKeyUsage(
                    Required(usage, "Operation"),
                    Time(usage, "Timestamp") ?? throw new FormatException($"LastUsage.Timestamp of {keyId} is missing"),
                    Required(usage, "CloudTrailEventId"),
                    Required(usage, "KmsRequestId"))
                : null,
        };
        foreach (var (name, value) in node["Tags"]?.AsObject() ?? [])
        {
            key.Tags.Add(new KeyValuePair<string, string>(name, (string?)value ?? string.Empty));
        }

        return key;
    }

    public static KmsAlias ImportAlias(JsonObject node, Func<string, string> aliasArn)
    {
        var name = Required(node, "AliasName");
        return new KmsAlias
        {
            AliasName = name,
            AliasArn = aliasArn(name),
            TargetKeyId = Required(node, "TargetKeyId"),
            CreationDate = Time(node, "CreationDate") ?? throw new FormatException($"CreationDate of {name} is missing"),
            LastUpdatedDate = Time(node, "LastUpdatedDate") ?? throw new FormatException($"LastUpdatedDate of {name} is missing"),
        };
    }

    public static string Required(JsonObject node, string name) =>
        (string?)node[name] ?? throw new FormatException($"{name} is missing");

    private static JsonObject ExportKey(KmsKey key)
    {
        var tags = new JsonObject();
        foreach (var (name, value) in key.Tags)
        {
            tags[name] = value;
        }

        var node = new JsonObject
        {
            ["KeyId"] = key.KeyId,
            ["CreationDate"] = Text(key.CreationDate),
            ["KeySpec"] = key.KeySpec,
            ["KeyUsage"] = key.KeyUsage,
            ["Origin"] = key.Origin,
            ["KeyManager"] = key.KeyManager,
            ["Policy"] = key.Policy,
            ["Description"] = key.Description,
            ["MultiRegion"] = key.MultiRegion,
            ["AwaitingReplicaDeletion"] = key.AwaitingReplicaDeletion,
            ["Enabled"] = key.Enabled,
            ["DeletionDate"] = Text(key.DeletionDate),
            ["PendingWindowInDays"] = key.PendingWindowInDays,
            ["Tags"] = tags,
            ["LastUsage"] = key.LastUsage is { } usage
                ? new JsonObject
                {
                    ["Operation"] = usage.Operation,
                    ["Timestamp"] = Text(usage.Timestamp),
                    ["CloudTrailEventId"] = usage.CloudTrailEventId,
                    ["KmsRequestId"] = usage.KmsRequestId,
                }
                : null,
        };
        if (key.MultiRegionSet is null)
        {
            node["Materials"] = ExportMaterials(key.Materials);
            node["KeyPair"] = ExportKeyPair(key.KeyPair);
        }

        return node;
    }

    private static JsonObject ExportMaterials(KeyMaterials materials) => new()
    {
        ["AutomaticRotationEnabled"] = materials.AutomaticRotationEnabled,
        ["RotationPeriodInDays"] = materials.RotationPeriodInDays,
        ["NextRotationDate"] = Text(materials.NextRotationDate),
        ["OnDemandRotationStartDate"] = Text(materials.OnDemandRotationStartDate),
        ["All"] = new JsonArray([.. materials.All.Select(m => (JsonNode)new JsonObject
        {
            ["Id"] = m.Id,
            ["State"] = m.State,
            ["IsInitial"] = m.IsInitial,
            ["Bytes"] = m.Bytes is null ? null : Convert.ToBase64String(m.Bytes),
            ["Description"] = m.Description,
            ["ExpirationModel"] = m.ExpirationModel,
            ["ValidTo"] = Text(m.ValidTo),
            ["RotationDate"] = Text(m.RotationDate),
            ["RotationType"] = m.RotationType,
        })]),
    };

    private static KeyMaterials ImportMaterials(JsonObject node, string keyId)
    {
        var materials = new KeyMaterials
        {
            AutomaticRotationEnabled = (bool?)node["AutomaticRotationEnabled"] ?? false,
            RotationPeriodInDays = (int?)node["RotationPeriodInDays"] ?? KeyMaterials.DefaultRotationPeriodInDays,
            NextRotationDate = Time(node, "NextRotationDate"),
            OnDemandRotationStartDate = Time(node, "OnDemandRotationStartDate"),
        };
        foreach (var item in node["All"]!.AsArray())
        {
            var entry = item!.AsObject();
            var id = Required(entry, "Id");
            var state = Required(entry, "State");
            if (!MaterialIdPattern().IsMatch(id) || materials.Find(id) is not null)
            {
                throw new FormatException($"key material id '{id}' of {keyId} is not 64 lowercase hexadecimal digits or is listed twice");
            }

            if (!MaterialStates.Contains(state) || (state != KeyMaterial.NonCurrent && materials.All.Any(m => m.State == state)))
            {
                throw new FormatException($"key material {id} of {keyId} has state '{state}': expected one of {string.Join(", ", MaterialStates)}, with at most one {KeyMaterial.Current} and one {KeyMaterial.PendingRotation}");
            }

            materials.Restore(new KeyMaterial
            {
                Id = id,
                State = state,
                IsInitial = (bool?)entry["IsInitial"] ?? false,
                Bytes = (string?)entry["Bytes"] is { } bytes ? Convert.FromBase64String(bytes) : null,
                Description = (string?)entry["Description"],
                ExpirationModel = (string?)entry["ExpirationModel"],
                ValidTo = Time(entry, "ValidTo"),
                RotationDate = Time(entry, "RotationDate"),
                RotationType = (string?)entry["RotationType"],
            });
        }

        return materials;
    }

    private static string? ExportKeyPair(AsymmetricAlgorithm? pair) =>
        pair is null ? null : Convert.ToBase64String(pair.ExportPkcs8PrivateKey());

    private static AsymmetricAlgorithm? ImportKeyPair(JsonObject node, string keySpec)
    {
        if ((string?)node["KeyPair"] is not { } pkcs8)
        {
            return null;
        }

        var pair = LocalKmsService.CreateKeyPair(keySpec) ?? throw new FormatException($"key spec {keySpec} has no key pair");
        pair.ImportPkcs8PrivateKey(Convert.FromBase64String(pkcs8), out _);
        return pair;
    }

    private static string? Text(DateTimeOffset? time) => time?.ToString("O", CultureInfo.InvariantCulture);

    private static DateTimeOffset? Time(JsonObject node, string name) =>
        (string?)node[name] is { } text ? DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind) : null;

    [GeneratedRegex("^[0-9a-f]{64}$", RegexOptions.CultureInvariant)]
    private static partial Regex MaterialIdPattern();
}
