namespace KeyRotation.LocalConsumers.S3;

/// <summary>One bucket of <see cref="LocalS3Server"/>: its Region, default encryption rules and versioning status.</summary>
internal sealed class LocalS3Bucket
{
    public LocalS3Bucket(string name, string region)
    {
        Name = name;
        Region = region;
    }

    public string Name { get; }

    public string Region { get; }

    /// <summary>The default encryption rules; null: no configuration (GetBucketEncryption answers ServerSideEncryptionConfigurationNotFoundError).</summary>
    public IReadOnlyList<LocalS3EncryptionRule>? Encryption { get; set; }

    /// <summary>"" (never enabled), "Enabled" or "Suspended", as GetBucketVersioning answers.</summary>
    public string Versioning { get; set; } = string.Empty;

    /// <summary>Each key's versions, oldest first; the last is the current one.</summary>
    public Dictionary<string, List<LocalS3Object>> Objects { get; } = new(StringComparer.Ordinal);

    /// <summary>Operations (such as "GetBucketEncryption") this bucket answers with 403 AccessDenied.</summary>
    public HashSet<string> Denied { get; } = new(StringComparer.Ordinal);
}

/// <summary>One rule of a bucket's ServerSideEncryptionConfiguration.</summary>
internal sealed record LocalS3EncryptionRule(string Algorithm, string? KmsMasterKeyId, bool? BucketKeyEnabled);

/// <summary>A grant of an object ACL: a canonical user (<paramref name="Id"/>) or a group (<paramref name="Uri"/>).</summary>
internal sealed record LocalS3Grant(string? Id, string? Uri, string Permission);

/// <summary>One version of an object, with everything HeadObject, GetObjectAcl and GetObjectTagging answer.</summary>
internal sealed record LocalS3Object
{
    public required string Key { get; init; }

    public byte[] Content { get; init; } = [];

    /// <summary>The size HeadObject reports; larger than <see cref="Content"/> only for objects too big to hold (over 5 GB).</summary>
    public long? DeclaredSize { get; init; }

    public long Size => DeclaredSize ?? Content.LongLength;

    public string? VersionId { get; init; }

    public string ETag { get; init; } = string.Empty;

    public string LastModified { get; init; } = "Tue, 01 Dec 2026 00:00:00 GMT";

    /// <summary>"AES256", "aws:kms" or "aws:kms:dsse".</summary>
    public string Sse { get; init; } = "AES256";

    /// <summary>The key ARN S3 stores for SSE-KMS (it resolves an alias or key id to the ARN when the object is written).</summary>
    public string? KmsKeyId { get; init; }

    public bool BucketKeyEnabled { get; init; }

    public string ContentType { get; init; } = "binary/octet-stream";

    public string? CacheControl { get; init; }

    public string? ContentDisposition { get; init; }

    public string? ContentEncoding { get; init; }

    public string? ContentLanguage { get; init; }

    public string? Expires { get; init; }

    public string? WebsiteRedirectLocation { get; init; }

    public IReadOnlyDictionary<string, string> Metadata { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);

    public string StorageClass { get; init; } = "STANDARD";

    public IReadOnlyList<KeyValuePair<string, string>> Tags { get; init; } = [];

    public string Owner { get; init; } = LocalS3Server.OwnerId;

    /// <summary>The object ACL's grants; the default (private) is the owner's FULL_CONTROL.</summary>
    public IReadOnlyList<LocalS3Grant> Grants { get; init; } = [new(LocalS3Server.OwnerId, null, "FULL_CONTROL")];

    /// <summary>"CRC32", "CRC32C", "CRC64NVME", "SHA1" or "SHA256"; null: the object has no checksum (written before S3 added them).</summary>
    public string? ChecksumAlgorithm { get; init; }

    public string? ChecksumValue { get; init; }

    /// <summary>"FULL_OBJECT" or "COMPOSITE" (a multipart upload's checksum of part checksums, "value-N").</summary>
    public string? ChecksumType { get; init; }
}
