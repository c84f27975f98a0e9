namespace KeyRotation.LocalConsumers.S3;

/// <summary>
/// CopyObject as the API reference describes it: x-amz-copy-source (optionally ?versionId=), the metadata and tagging
/// directives (COPY by default), the SSE headers (else the destination bucket's default encryption), storage class
/// (STANDARD unless given), website redirect (never copied), the ACL (private unless x-amz-acl or x-amz-grant-* are sent),
/// the checksum (copied, or computed with x-amz-checksum-algorithm), x-amz-copy-source-if-match, the 5 GB limit (CopyLimit), archived
/// storage classes, and the rule that a copy onto itself must change something.
/// </summary>
internal sealed partial class LocalS3Server
{
    /// <summary>The largest object CopyObject copies (5 GB); larger ones need UploadPartCopy.</summary>
    public const long MaxCopySize = 5L * 1024 * 1024 * 1024;

    private LocalS3Answer CopyObject(LocalS3Bucket bucket, LocalS3Call call)
    {
        var (sourceBucket, original) = CopySource(call);

        if (original.StorageClass is "GLACIER" or "DEEP_ARCHIVE")
        {
            throw new LocalS3Error(403, "InvalidObjectState", "The operation is not valid for the object's storage class");
        }

        if (original.Size > CopyLimit)
        {
            throw new LocalS3Error(400, "InvalidRequest", $"The specified copy source is larger than the maximum allowable size for a copy source: {CopyLimit}");
        }

        var copy = Copied(bucket, call, original);
        if (ReferenceEquals(sourceBucket, bucket) && original.Key == call.Key && call.Header("x-amz-metadata-directive") != "REPLACE"
            && copy.StorageClass == original.StorageClass && copy.WebsiteRedirectLocation == original.WebsiteRedirectLocation
            && copy.Sse == original.Sse && copy.KmsKeyId == original.KmsKeyId && copy.BucketKeyEnabled == original.BucketKeyEnabled)
        {
            throw new LocalS3Error(400, "InvalidRequest", "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.");
        }

        var written = Write(bucket, copy);
        var headers = new List<KeyValuePair<string, string>> { new("x-amz-server-side-encryption", written.Sse) };
        if (written.KmsKeyId is not null)
        {
            headers.Add(new("x-amz-server-side-encryption-aws-kms-key-id", written.KmsKeyId));
        }

        if (written.BucketKeyEnabled)
        {
            headers.Add(new("x-amz-server-side-encryption-bucket-key-enabled", "true"));
        }

        if (written.VersionId is not null)
        {
            headers.Add(new("x-amz-version-id", written.VersionId));
        }

        if (original.VersionId is not null)
        {
            headers.Add(new("x-amz-copy-source-version-id", original.VersionId));
        }

        return new LocalS3Answer(200, headers, X(
            "CopyObjectResult",
            X("ETag", written.ETag),
            X("LastModified", "2026-12-01T00:00:00.000Z"),
            written.ChecksumType is null ? null : X("ChecksumType", written.ChecksumType),
            written.ChecksumAlgorithm is null ? null : X("Checksum" + written.ChecksumAlgorithm, written.ChecksumValue)));
    }

    private static LocalS3Object Copied(LocalS3Bucket bucket, LocalS3Call call, LocalS3Object original)
    {
        var replace = call.Header("x-amz-metadata-directive") == "REPLACE";
        var algorithm = call.Header("x-amz-checksum-algorithm");
        var copy = WithEncryption(bucket, call, original) with
        {
            Key = call.Key!,
            ETag = string.Empty,
            StorageClass = call.Header("x-amz-storage-class") ?? "STANDARD",
            WebsiteRedirectLocation = call.Header("x-amz-website-redirect-location"),
            Tags = call.Header("x-amz-tagging-directive") == "REPLACE" ? ParseTagging(call.Header("x-amz-tagging")) : original.Tags,
            Owner = OwnerId,
            Grants = GrantsFromHeaders(call) ?? [new LocalS3Grant(OwnerId, null, "FULL_CONTROL")],
            ChecksumAlgorithm = algorithm ?? original.ChecksumAlgorithm,
            ChecksumValue = algorithm is null ? original.ChecksumValue : LocalS3Checksums.Compute(algorithm, original.Content),
            ChecksumType = algorithm is null ? original.ChecksumType : "FULL_OBJECT",
        };
        return !replace ? copy : WithSystemMetadata(call, copy);
    }

    private static List<KeyValuePair<string, string>> ParseTagging(string? tagging) =>
        [.. (tagging ?? string.Empty).Split('&', StringSplitOptions.RemoveEmptyEntries).Select(p => p.Split('=', 2)).Select(p => KeyValuePair.Create(Uri.UnescapeDataString(p[0]), p.Length > 1 ? Uri.UnescapeDataString(p[1]) : string.Empty))];
}
