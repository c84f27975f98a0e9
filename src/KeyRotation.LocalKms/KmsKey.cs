using System.Security.Cryptography;

namespace KeyRotation.LocalKms;

/// <summary>In-memory state of one KMS key. Guarded by the service lock; never handed out.</summary>
internal sealed class KmsKey
{
    public required string KeyId { get; init; }

    public required string Arn { get; init; }

    public required DateTimeOffset CreationDate { get; init; }

    public required string KeySpec { get; init; }

    public required string KeyUsage { get; init; }

    public required string Origin { get; init; }

    public required string KeyManager { get; init; }

    public required string Policy { get; set; }

    public string Description { get; set; } = string.Empty;

    public bool MultiRegion { get; init; }

    /// <summary>Region the key lives in (its ARN's Region).</summary>
    public string Region { get; init; } = string.Empty;

    /// <summary>The primary and replicas this multi-Region key belongs to; null for a single-Region key.</summary>
    public MultiRegionKeySet? MultiRegionSet { get; init; }

    public bool IsReplica => MultiRegionSet is { } set && set.PrimaryRegion != Region;

    /// <summary>A primary whose deletion waits until its last replica is deleted (PendingReplicaDeletion).</summary>
    public bool AwaitingReplicaDeletion { get; set; }

    public bool Enabled { get; set; } = true;

    public DateTimeOffset? DeletionDate { get; set; }

    public int? PendingWindowInDays { get; set; }

    /// <summary>
    /// Key materials and rotation settings; a multi-Region replica shares its primary's instance,
    /// as KMS synchronizes these properties across the set.
    /// </summary>
    public KeyMaterials Materials { get; init; } = new();

    /// <summary>Bytes of the current symmetric or HMAC key material; null while PendingImport.</summary>
    public byte[]? Material
    {
        get => Materials.Current?.Bytes;
        set => Materials.SetCurrentBytes(value);
    }

    /// <summary>RSA or ECDsa key pair for asymmetric keys.</summary>
    public AsymmetricAlgorithm? KeyPair { get; init; }

    /// <summary>Expiration model of the current imported key material.</summary>
    public string? ExpirationModel
    {
        get => Materials.Current?.ExpirationModel;
        set => Materials.Current?.ExpirationModel = value;
    }

    /// <summary>Expiry of the current imported key material.</summary>
    public DateTimeOffset? ValidTo
    {
        get => Materials.Current?.ValidTo;
        set => Materials.Current?.ValidTo = value;
    }

    public List<KeyValuePair<string, string>> Tags { get; } = [];

    /// <summary>The last successful cryptographic operation (GetKeyLastUsage); per key, so per Region for a multi-Region set.</summary>
    public LocalKmsKeyUsage? LastUsage { get; set; }

    public bool IsExternal => Origin == "EXTERNAL";

    /// <summary>
    /// Usable key material: the key pair, or every material that is or was current (KMS keeps a
    /// symmetric key PendingImport until all of its materials are imported).
    /// </summary>
    public bool HasMaterial => KeyPair is not null || Materials.AllImported;

    public string KeyState =>
        AwaitingReplicaDeletion ? "PendingReplicaDeletion"
        : DeletionDate is not null ? "PendingDeletion"
        : !HasMaterial ? "PendingImport"
        : Enabled ? "Enabled" : "Disabled";
}

/// <summary>One alias; AWS-managed aliases (alias/aws/...) point at AWS-managed keys.</summary>
internal sealed class KmsAlias
{
    public required string AliasName { get; init; }

    public required string AliasArn { get; init; }

    public required string TargetKeyId { get; set; }

    public required DateTimeOffset CreationDate { get; init; }

    public DateTimeOffset LastUpdatedDate { get; set; }
}

/// <summary>An outstanding import token from GetParametersForImport.</summary>
internal sealed class ImportToken
{
    public required string KeyId { get; init; }

    public required RSA WrappingKey { get; init; }

    public required string WrappingAlgorithm { get; init; }

    public required DateTimeOffset ValidTo { get; init; }
}
