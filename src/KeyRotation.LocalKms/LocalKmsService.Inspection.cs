using System.Security.Cryptography;

namespace KeyRotation.LocalKms;

/// <content>
/// Inspecting and setting up state from outside the wire protocol (tests and the CLI sandbox): key snapshots,
/// forced key states and AWS managed keys.
/// </content>
public sealed partial class LocalKmsService
{
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
