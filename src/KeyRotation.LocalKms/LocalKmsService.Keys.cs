using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace KeyRotation.LocalKms;

/// <content>Key lifecycle operations, key resolution and state helpers.</content>
public sealed partial class LocalKmsService
{
    private const int MaxTagsPerKey = 50;

    private static readonly string[] KeyUsages = [KeySpecs.EncryptDecrypt, KeySpecs.SignVerify, KeySpecs.GenerateVerifyMac, KeySpecs.KeyAgreement];
    private static readonly string[] Origins = ["AWS_KMS", "EXTERNAL", "AWS_CLOUDHSM", "EXTERNAL_KEY_STORE"];

    /// <summary>Snapshot of one key (id, key ARN, alias name or alias ARN), or null when it does not exist.</summary>
    public LocalKmsKeySnapshot? GetKeySnapshot(string keyId)
    {
        lock (_state)
        {
            ExpireLapsedState();
            var key = TryResolve(keyId);
            return key is null ? null : Snapshot(key);
        }
    }

    /// <summary>Snapshots of every key, oldest first.</summary>
    public IReadOnlyList<LocalKmsKeySnapshot> ListKeySnapshots()
    {
        lock (_state)
        {
            ExpireLapsedState();
            return [.. _keys.Values.OrderBy(k => k.CreationDate).Select(Snapshot)];
        }
    }

    /// <summary>
    /// Test setup: forces a key into Enabled, Disabled, PendingDeletion (30-day window) or, for
    /// EXTERNAL keys, PendingImport (material deleted, as DeleteImportedKeyMaterial does).
    /// </summary>
    public void SetKeyState(string keyId, string keyState)
    {
        lock (_state)
        {
            var key = TryResolve(keyId) ?? throw new ArgumentException($"No key '{keyId}'.", nameof(keyId));
            switch (keyState)
            {
                case "Enabled":
                case "Disabled":
                    key.DeletionDate = null;
                    key.AwaitingReplicaDeletion = false;
                    key.PendingWindowInDays = null;
                    key.Enabled = keyState == "Enabled";
                    break;
                case "PendingDeletion":
                    key.PendingWindowInDays = 30;
                    key.DeletionDate = _time.GetUtcNow().AddDays(30);
                    break;
                case "PendingImport" when key.IsExternal:
                    key.Material = null;
                    key.ExpirationModel = null;
                    key.ValidTo = null;
                    break;
                default:
                    throw new ArgumentException($"Cannot set key state '{keyState}' on this key.", nameof(keyState));
            }
        }
    }

    /// <summary>Creates an AWS managed symmetric key with alias "alias/aws/{service}" and returns its key id.</summary>
    public string CreateAwsManagedKey(string service)
    {
        ArgumentException.ThrowIfNullOrEmpty(service);
        lock (_state)
        {
            var aliasName = "alias/aws/" + service;
            if (_aliases.ContainsKey(aliasName))
            {
                throw new InvalidOperationException($"{aliasName} already exists.");
            }

            var key = NewKey(Guid.NewGuid().ToString(), KeySpecs.SymmetricDefault, KeySpecs.EncryptDecrypt, "AWS_KMS", "AWS", DefaultPolicy(), multiRegion: false);
            key.Description = $"Default key that protects my {service} resources when no other key is defined";
            key.Material = RandomNumberGenerator.GetBytes(32);
            _keys.Add(key.KeyId, key);
            var now = _time.GetUtcNow();
            _aliases.Add(aliasName, new KmsAlias { AliasName = aliasName, AliasArn = AliasArn(aliasName), TargetKeyId = key.KeyId, CreationDate = now, LastUpdatedDate = now });
            return key.KeyId;
        }
    }

    private JsonObject CreateKey(KmsRequest request, PregeneratedKeys pregenerated)
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
            ValidatePolicy(policy, request.Bool("BypassPolicyLockoutSafetyCheck"));
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

    private string DefaultPolicy() =>
        new JsonObject
        {
            ["Version"] = "2012-10-17",
            ["Id"] = "key-default-1",
            ["Statement"] = new JsonArray(new JsonObject
            {
                ["Sid"] = "Enable IAM User Permissions",
                ["Effect"] = "Allow",
                ["Principal"] = new JsonObject { ["AWS"] = $"arn:aws:iam::{AccountId}:root" },
                ["Action"] = "kms:*",
                ["Resource"] = "*",
            }),
        }.ToJsonString();

    /// <summary>
    /// Policy must be JSON with a Statement. Lockout safety check, simplified: without the bypass flag
    /// some Allow statement must grant kms:PutKeyPolicy (via "kms:*", "*" or the action itself);
    /// principals are not evaluated, unlike KMS.
    /// </summary>
    private static void ValidatePolicy(string policy, bool bypassLockoutCheck)
    {
        if (policy.Length > 32768)
        {
            throw KmsErrorException.Validation("1 validation error detected: Value at 'policy' failed to satisfy constraint: Member must have length less than or equal to 32768");
        }

        JsonNode? root;
        try
        {
            root = JsonNode.Parse(policy);
        }
        catch (JsonException)
        {
            throw new KmsErrorException("MalformedPolicyDocumentException", "The policy is not valid JSON.");
        }

        var statementNode = (root as JsonObject)?["Statement"];
        IEnumerable<JsonNode?> statements = statementNode switch
        {
            JsonArray array => array,
            JsonObject single => [single],
            _ => throw new KmsErrorException("MalformedPolicyDocumentException", "The policy must contain a Statement."),
        };

        if (bypassLockoutCheck)
        {
            return;
        }

        var allowsPutKeyPolicy = statements.OfType<JsonObject>().Any(s =>
            string.Equals(s["Effect"]?.GetValue<string>(), "Allow", StringComparison.Ordinal)
            && ActionsOf(s["Action"]).Any(a => a is "*" or "kms:*" || string.Equals(a, "kms:PutKeyPolicy", StringComparison.OrdinalIgnoreCase)));
        if (!allowsPutKeyPolicy)
        {
            throw new KmsErrorException("MalformedPolicyDocumentException", "The new key policy will not allow you to update the key policy in the future.");
        }
    }

    private static IEnumerable<string> ActionsOf(JsonNode? action) => action switch
    {
        JsonValue v when v.TryGetValue<string>(out var s) => [s],
        JsonArray a => a.OfType<JsonValue>().Select(v => v.TryGetValue<string>(out var s) ? s : string.Empty),
        _ => [],
    };

    private JsonObject DescribeKey(KmsRequest request)
    {
        var key = Resolve(request.RequiredString("KeyId"), allowAlias: true);
        return new JsonObject { ["KeyMetadata"] = Metadata(key) };
    }

    private JsonObject GetKeyPolicy(KmsRequest request)
    {
        var key = Resolve(request.RequiredString("KeyId"), allowAlias: false);
        var policyName = request.String("PolicyName") ?? "default";
        if (policyName != "default")
        {
            throw KmsErrorException.NotFound($"Policy {policyName} does not exist. The only valid policy name is \"default\".");
        }

        return new JsonObject { ["Policy"] = key.Policy, ["PolicyName"] = "default" };
    }

    private JsonObject ListKeys(KmsRequest request)
    {
        var entries = _keys.Values.OrderBy(k => k.CreationDate).ThenBy(k => k.KeyId, StringComparer.Ordinal)
            .Select(k => (JsonNode)new JsonObject { ["KeyId"] = k.KeyId, ["KeyArn"] = k.Arn })
            .ToList();
        return Page(request, entries, "Keys", maxLimit: 1000, defaultLimit: 100);
    }

    private JsonObject SetEnabled(KmsRequest request, bool enabled)
    {
        var key = Resolve(request.RequiredString("KeyId"), allowAlias: false);
        RequireCustomerManaged(key);
        if (key.KeyState is not ("Enabled" or "Disabled"))
        {
            throw KeyStateError(key);
        }

        key.Enabled = enabled;
        return [];
    }

    private JsonObject ScheduleKeyDeletion(KmsRequest request)
    {
        var key = Resolve(request.RequiredString("KeyId"), allowAlias: false);
        RequireCustomerManaged(key);
        var days = request.Int("PendingWindowInDays") ?? 30;
        if (days is < 7 or > 30)
        {
            throw KmsErrorException.Validation("PendingWindowInDays must be between 7 and 30.");
        }

        if (key.DeletionDate is not null || key.AwaitingReplicaDeletion)
        {
            throw KeyStateError(key);
        }

        key.PendingWindowInDays = days;
        if (HasReplicas(key))
        {
            // KMS deletes a primary only after its last replica; the waiting period starts then.
            key.AwaitingReplicaDeletion = true;
            return new JsonObject { ["KeyId"] = key.Arn, ["KeyState"] = key.KeyState, ["PendingWindowInDays"] = days };
        }

        key.DeletionDate = _time.GetUtcNow().AddDays(days);
        return new JsonObject
        {
            ["KeyId"] = key.Arn,
            ["DeletionDate"] = Epoch(key.DeletionDate.Value),
            ["KeyState"] = "PendingDeletion",
            ["PendingWindowInDays"] = days,
        };
    }

    private JsonObject CancelKeyDeletion(KmsRequest request)
    {
        var key = Resolve(request.RequiredString("KeyId"), allowAlias: false);
        RequireCustomerManaged(key);
        if (key.DeletionDate is null && !key.AwaitingReplicaDeletion)
        {
            throw KmsErrorException.InvalidState($"{key.Arn} is not pending deletion.");
        }

        // KMS leaves a key whose deletion was canceled Disabled.
        key.DeletionDate = null;
        key.AwaitingReplicaDeletion = false;
        key.PendingWindowInDays = null;
        key.Enabled = false;
        return new JsonObject { ["KeyId"] = key.Arn };
    }

    private JsonObject TagResource(KmsRequest request)
    {
        var key = Resolve(request.RequiredString("KeyId"), allowAlias: false);
        RequireCustomerManaged(key);
        RequireNotPendingDeletion(key);
        var tags = request.Tags("Tags");
        ValidateTags(tags);
        var resulting = key.Tags.Select(t => t.Key).Concat(tags.Select(t => t.Key)).Distinct(StringComparer.Ordinal).Count();
        if (resulting > MaxTagsPerKey)
        {
            throw new KmsErrorException("TagException", $"A KMS key can have at most {MaxTagsPerKey} tags.");
        }

        foreach (var tag in tags)
        {
            SetTag(key, tag.Key, tag.Value);
        }

        return [];
    }

    private JsonObject UntagResource(KmsRequest request)
    {
        var key = Resolve(request.RequiredString("KeyId"), allowAlias: false);
        RequireCustomerManaged(key);
        RequireNotPendingDeletion(key);
        var tagKeys = request.StringList("TagKeys");
        foreach (var tagKey in tagKeys)
        {
            ValidateTagKey(tagKey);
        }

        key.Tags.RemoveAll(t => tagKeys.Contains(t.Key, StringComparer.Ordinal));
        return [];
    }

    private JsonObject ListResourceTags(KmsRequest request)
    {
        var key = Resolve(request.RequiredString("KeyId"), allowAlias: false);
        var entries = key.Tags.Select(t => (JsonNode)new JsonObject { ["TagKey"] = t.Key, ["TagValue"] = t.Value }).ToList();
        return Page(request, entries, "Tags", maxLimit: 50, defaultLimit: 50);
    }

    private static void SetTag(KmsKey key, string tagKey, string tagValue)
    {
        var index = key.Tags.FindIndex(t => t.Key == tagKey);
        if (index >= 0)
        {
            key.Tags[index] = new(tagKey, tagValue);
        }
        else
        {
            key.Tags.Add(new(tagKey, tagValue));
        }
    }

    private static void ValidateTags(List<KeyValuePair<string, string>> tags)
    {
        foreach (var (tagKey, tagValue) in tags)
        {
            ValidateTagKey(tagKey);
            if (tagValue.Length > 256)
            {
                throw new KmsErrorException("TagException", $"Tag value for '{tagKey}' is longer than 256 characters.");
            }
        }
    }

    private static void ValidateTagKey(string tagKey)
    {
        if (tagKey.Length is < 1 or > 128)
        {
            throw new KmsErrorException("TagException", "Tag keys must be 1 to 128 characters long.");
        }

        if (tagKey.StartsWith("aws:", StringComparison.OrdinalIgnoreCase))
        {
            throw new KmsErrorException("TagException", $"Tag key '{tagKey}' uses the reserved prefix 'aws:'.");
        }
    }

    /// <summary>Limit/Marker pagination; the marker is the offset of the next entry.</summary>
    private static JsonObject Page(KmsRequest request, List<JsonNode> entries, string listName, int maxLimit, int defaultLimit)
    {
        var limit = request.Int("Limit") ?? defaultLimit;
        if (limit < 1 || limit > maxLimit)
        {
            throw KmsErrorException.Validation($"1 validation error detected: Value '{limit}' at 'limit' failed to satisfy constraint: Member must have value between 1 and {maxLimit}");
        }

        var start = 0;
        var marker = request.String("Marker");
        if (marker is not null && (!int.TryParse(marker, NumberStyles.None, CultureInfo.InvariantCulture, out start) || start > entries.Count))
        {
            throw new KmsErrorException("InvalidMarkerException", "The marker is not valid.");
        }

        var page = entries.Skip(start).Take(limit).ToList();
        var result = new JsonObject { [listName] = new JsonArray([.. page]) };
        var next = start + page.Count;
        var truncated = next < entries.Count;
        result["Truncated"] = truncated;
        if (truncated)
        {
            result["NextMarker"] = next.ToString(CultureInfo.InvariantCulture);
        }

        return result;
    }

    private static void RequireCustomerManaged(KmsKey key)
    {
        if (key.KeyManager != "CUSTOMER")
        {
            throw new KmsErrorException("UnsupportedOperationException", $"{key.Arn} is an AWS managed key; this operation is not allowed on it.");
        }
    }

    private static void RequireNotPendingDeletion(KmsKey key)
    {
        if (key.DeletionDate is not null || key.AwaitingReplicaDeletion)
        {
            throw KeyStateError(key);
        }
    }

    /// <summary>
    /// Resolves a key id, key ARN and, when allowed, alias name or alias ARN. Operations that accept
    /// only key id or key ARN answer NotFoundException ("Invalid keyId") for an alias.
    /// </summary>
    private KmsKey Resolve(string keyId, bool allowAlias)
    {
        if (IsAliasReference(keyId) && !allowAlias)
        {
            throw KmsErrorException.NotFound($"Invalid keyId {keyId}: this operation accepts a key id or key ARN, not an alias.");
        }

        if (keyId.StartsWith("arn:", StringComparison.Ordinal) && !IsKmsArn(keyId))
        {
            throw new KmsErrorException("InvalidArnException", $"{keyId} is not a valid KMS ARN.");
        }

        return TryResolve(keyId) ?? throw KmsErrorException.NotFound(
            IsAliasReference(keyId) ? $"Alias {ToAliasArn(keyId)} is not found." : $"Key '{ToKeyArn(keyId)}' does not exist");
    }

    private KmsKey? TryResolve(string keyId)
    {
        var keyArnPrefix = $"arn:aws:kms:{CurrentRegion}:{AccountId}:key/";
        var aliasArnPrefix = $"arn:aws:kms:{CurrentRegion}:{AccountId}:";
        if (keyId.StartsWith(keyArnPrefix, StringComparison.Ordinal))
        {
            return _keys.GetValueOrDefault(keyId[keyArnPrefix.Length..]);
        }

        if (keyId.StartsWith(aliasArnPrefix + "alias/", StringComparison.Ordinal))
        {
            keyId = keyId[aliasArnPrefix.Length..];
        }

        if (keyId.StartsWith("alias/", StringComparison.Ordinal))
        {
            return _aliases.TryGetValue(keyId, out var alias) ? _keys.GetValueOrDefault(alias.TargetKeyId) : null;
        }

        return keyId.StartsWith("arn:", StringComparison.Ordinal) ? null : _keys.GetValueOrDefault(keyId);
    }

    private static bool IsAliasReference(string keyId) =>
        keyId.StartsWith("alias/", StringComparison.Ordinal)
        || (keyId.StartsWith("arn:", StringComparison.Ordinal) && keyId.Contains(":alias/", StringComparison.Ordinal));

    private static bool IsKmsArn(string arn)
    {
        var parts = arn.Split(':', 6);
        return parts.Length == 6 && parts[2] == "kms"
            && (parts[5].StartsWith("key/", StringComparison.Ordinal) || parts[5].StartsWith("alias/", StringComparison.Ordinal));
    }

    private string ToKeyArn(string keyId) =>
        keyId.StartsWith("arn:", StringComparison.Ordinal) ? keyId : KeyArn(CurrentRegion, keyId);

    private string ToAliasArn(string alias) =>
        alias.StartsWith("arn:", StringComparison.Ordinal) ? alias : AliasArn(alias);

    private string AliasArn(string aliasName) => $"arn:aws:kms:{CurrentRegion}:{AccountId}:{aliasName}";

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

    private LocalKmsKeySnapshot Snapshot(KmsKey key) => new(
        key.KeyId,
        key.Arn,
        key.KeyState,
        key.KeySpec,
        key.KeyUsage,
        key.Origin,
        key.KeyManager,
        key.Description,
        key.MultiRegion,
        key.CreationDate,
        key.DeletionDate,
        key.HasMaterial,
        key.ExpirationModel,
        key.ValidTo,
        key.Policy,
        key.Tags.ToDictionary(t => t.Key, t => t.Value, StringComparer.Ordinal),
        [.. _aliases.Values.Where(a => a.TargetKeyId == key.KeyId).Select(a => a.AliasName).Order(StringComparer.Ordinal)]);
}
