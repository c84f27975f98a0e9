using KeyRotation.Core.Consumers;

namespace KeyRotation.Integrations.Consumers.S3;

/// <summary>
/// How S3 resources are named in the inventory: a bucket by its ARN (arn:aws:s3:::name), an object as s3://bucket/key;
/// and the SSE algorithms that make a resource a KMS consumer.
/// </summary>
internal static class S3ConsumerNames
{
    public const string Service = "s3";
    public const string BucketKind = "bucket";
    public const string ObjectKind = "object";
    private const string BucketArnPrefix = "arn:aws:s3:::";

    public static ConsumerResource Bucket(string name, string? keyReference) => new(Service, BucketKind, BucketArnPrefix + name, keyReference);

    public static ConsumerResource Object(string bucket, string key, string? keyReference, string? versionId) =>
        new(Service, ObjectKind, $"s3://{bucket}/{key}", keyReference, versionId is null or "null" ? null : versionId);

    public static string BucketOf(ConsumerResource bucket) =>
        bucket.Id.StartsWith(BucketArnPrefix, StringComparison.Ordinal) ? bucket.Id[BucketArnPrefix.Length..] : throw new ArgumentException($"{bucket.Id} is not an S3 bucket ARN.", nameof(bucket));

    public static (string Bucket, string Key) ObjectOf(ConsumerResource item)
    {
        const string scheme = "s3://";
        var slash = item.Id.StartsWith(scheme, StringComparison.Ordinal) ? item.Id.IndexOf('/', scheme.Length) : -1;
        return slash > scheme.Length && slash < item.Id.Length - 1
            ? (item.Id[scheme.Length..slash], item.Id[(slash + 1)..])
            : throw new ArgumentException($"{item.Id} is not s3://bucket/key.", nameof(item));
    }

    /// <summary>SSE-KMS and DSSE-KMS: the algorithms under which an S3 resource names a KMS key.</summary>
    public static bool IsKms(string? algorithm) => algorithm is "aws:kms" or "aws:kms:dsse";
}
