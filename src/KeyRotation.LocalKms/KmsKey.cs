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

    public bool Enabled { get; set; } = true;

    public DateTimeOffset? DeletionDate { get; set; }

    public int? PendingWindowInDays { get; set; }

    /// <summary>Symmetric or HMAC key material; null while PendingImport.</summary>
    public byte[]? Material { get; set; }

    /// <summary>RSA or ECDsa key pair for asymmetric keys.</summary>
    public AsymmetricAlgorithm? KeyPair { get; init; }

    /// <summary>SHA-256 of the first imported material: every reimport must match it.</summary>
    public byte[]? ImportedMaterialFingerprint { get; set; }

    public string? ExpirationModel { get; set; }

    public DateTimeOffset? ValidTo { get; set; }

    public List<KeyValuePair<string, string>> Tags { get; } = [];

    public bool IsExternal => Origin == "EXTERNAL";

    public bool HasMaterial => Material is not null || KeyPair is not null;

    public string KeyState =>
        DeletionDate is not null ? "PendingDeletion"
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
