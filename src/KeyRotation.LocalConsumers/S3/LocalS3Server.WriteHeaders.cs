namespace KeyRotation.LocalConsumers.S3;

/// <summary>
/// What a write's headers set on the object it writes, as CopyObject and CreateMultipartUpload both read them (one
/// place, so the two cannot drift apart).
/// </summary>
internal sealed partial class LocalS3Server
{
    /// <summary>The write's encryption: its own x-amz-server-side-encryption headers, else the bucket's default encryption, else SSE-S3.</summary>
    private static LocalS3Object WithEncryption(LocalS3Bucket bucket, LocalS3Call call, LocalS3Object item)
    {
        var sse = call.Header("x-amz-server-side-encryption");
        var rule = bucket.Encryption is { Count: > 0 } rules ? rules[0] : null;
        var kms = sse is null ? rule?.Algorithm is "aws:kms" or "aws:kms:dsse" : sse is "aws:kms" or "aws:kms:dsse";
        return item with
        {
            Sse = sse ?? rule?.Algorithm ?? "AES256",
            KmsKeyId = !kms ? null : sse is null ? rule!.KmsMasterKeyId : call.Header("x-amz-server-side-encryption-aws-kms-key-id") ?? "arn:aws:kms:us-east-1:111122223333:key/aws-s3-managed",
            BucketKeyEnabled = kms && (call.Header("x-amz-server-side-encryption-bucket-key-enabled") is { } bucketKey ? bool.Parse(bucketKey) : sse is null && rule!.BucketKeyEnabled == true),
        };
    }

    /// <summary>The system metadata (Content-Type and the other content headers, Expires) and the x-amz-meta-* the write sends.</summary>
    private static LocalS3Object WithSystemMetadata(LocalS3Call call, LocalS3Object item) => item with
    {
        ContentType = call.Header("Content-Type") ?? "binary/octet-stream",
        CacheControl = call.Header("Cache-Control"),
        ContentDisposition = call.Header("Content-Disposition"),
        ContentEncoding = call.Header("Content-Encoding"),
        ContentLanguage = call.Header("Content-Language"),
        Expires = call.Header("Expires"),
        Metadata = call.Headers.Where(h => h.Key.StartsWith("x-amz-meta-", StringComparison.Ordinal)).ToDictionary(h => h.Key["x-amz-meta-".Length..], h => h.Value, StringComparer.Ordinal),
    };
}
