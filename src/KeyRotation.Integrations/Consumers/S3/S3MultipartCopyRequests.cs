using Amazon.S3;
using Amazon.S3.Model;

namespace KeyRotation.Integrations.Consumers.S3;

/// <summary>
/// The requests of a multipart copy onto itself, built from what HeadObject, GetObjectAcl and GetObjectTagging showed.
/// CreateMultipartUpload has no COPY directive: everything the object keeps is sent explicitly (user metadata, the
/// system headers, storage class, website redirect, the tag-set, bucket-key use, the ACL as grant headers, so that the
/// object is never visible under a wrong ACL) with SSE-KMS (or DSSE-KMS, as it was) and the new key. Every
/// UploadPartCopy names its byte range and the ETag read (x-amz-copy-source-if-match), so the parts all come from the
/// version that was read; CompleteMultipartUpload is conditional on that ETag too (If-Match) and names the size it must
/// add up to (x-amz-mp-object-size) and, where S3 can combine the parts' CRCs into one, the object's full-object checksum.
/// </summary>
internal static class S3MultipartCopyRequests
{
    public static InitiateMultipartUploadRequest Create(string bucket, string key, S3ObjectState state, IReadOnlyList<Tag>? tags, GetObjectAclResponse acl, string keyArn)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(acl);
        string? Kept(string name) => state.Kept.FirstOrDefault(k => k.Key == name).Value;
        var checksum = ChecksumFor(state.Checksum);
        var request = new InitiateMultipartUploadRequest
        {
            BucketName = bucket,
            Key = key,
            ServerSideEncryptionMethod = ServerSideEncryptionMethod.FindValue(state.Sse),
            ServerSideEncryptionKeyManagementServiceKeyId = keyArn,
            StorageClass = S3StorageClass.FindValue(state.StorageClass),
            ChecksumAlgorithm = checksum.Algorithm,
            ChecksumType = checksum.Type,
            ContentType = Kept("Content-Type"),
            Expires = Kept("Expires"),
            WebsiteRedirectLocation = Kept("x-amz-website-redirect-location"),
            TagSet = tags is { Count: > 0 } ? [.. tags] : null,
        };
        if (state.Sse == ServerSideEncryptionMethod.AWSKMS.Value)
        {
            // As in the single copy: DSSE-KMS takes no S3 Bucket Key; for SSE-KMS the object's own choice is kept.
            request.BucketKeyEnabled = state.BucketKeyEnabled;
        }

        request.Headers.CacheControl = Kept("Cache-Control");
        request.Headers.ContentDisposition = Kept("Content-Disposition");
        request.Headers.ContentEncoding = Kept("Content-Encoding");
        request.Headers["Content-Language"] = Kept("Content-Language");
        foreach (var (name, value) in state.Kept.Where(k => k.Key.StartsWith("x-amz-meta-", StringComparison.OrdinalIgnoreCase) && k.Value is not null))
        {
            request.Metadata[name] = value;
        }

        if (!S3ObjectCopy.IsOwnerOnly(acl))
        {
            request.Grants = [.. acl.Grants];
        }

        return request;
    }

    public static CopyPartRequest Part(string bucket, string key, S3ObjectState state, string uploadId, int number, (long First, long Last) range)
    {
        ArgumentNullException.ThrowIfNull(state);
        return new CopyPartRequest
        {
            SourceBucket = bucket,
            SourceKey = key,
            DestinationBucket = bucket,
            DestinationKey = key,
            UploadId = uploadId,
            PartNumber = number,
            FirstByte = range.First,
            LastByte = range.Last,
            ETagToMatch = [state.ETag],
        };
    }

    public static CompleteMultipartUploadRequest Complete(string bucket, string key, S3ObjectState state, string uploadId, IEnumerable<CopyPartResponse> parts)
    {
        ArgumentNullException.ThrowIfNull(state);
        var checksum = ChecksumFor(state.Checksum);
        var request = new CompleteMultipartUploadRequest
        {
            BucketName = bucket,
            Key = key,
            UploadId = uploadId,
            IfMatch = state.ETag,
            MpuObjectSize = state.Size,
            ChecksumType = checksum.Type,
        };
        request.AddPartETagsAndChecksums(parts);
        switch (checksum.Expected is null ? null : checksum.Algorithm.Value)
        {
            case "CRC64NVME":
                request.ChecksumCRC64NVME = checksum.Expected;
                break;
            case "CRC32":
                request.ChecksumCRC32 = checksum.Expected;
                break;
            case "CRC32C":
                request.ChecksumCRC32C = checksum.Expected;
                break;
        }

        return request;
    }

    /// <summary>
    /// The checksum the copy asks S3 for. The CRCs (CRC64NVME, CRC32, CRC32C) can be full-object checksums of a
    /// multipart upload, which S3 combines from the parts' CRCs: the object's own algorithm then, and its value, when it
    /// is a full-object one, is <see cref="MultipartChecksum.Expected"/> (S3 refuses to complete on a mismatch). SHA-1
    /// and SHA-256 are composite only in a multipart upload (a checksum of the parts' checksums, never equal to the
    /// object's): kept as the object's algorithm, compared by size. Objects without a checksum, or with another
    /// algorithm, get S3's default, a CRC64NVME full-object checksum.
    /// </summary>
    public static MultipartChecksum ChecksumFor(S3ObjectChecksum? checksum) => checksum switch
    {
        { Algorithm: "CRC64NVME" or "CRC32" or "CRC32C" } crc => new(ChecksumAlgorithm.FindValue(crc.Algorithm), ChecksumType.FULL_OBJECT, crc.FullObject ? crc.Value : null),
        { Algorithm: "SHA1" or "SHA256" } sha => new(ChecksumAlgorithm.FindValue(sha.Algorithm), ChecksumType.COMPOSITE, null),
        _ => new(ChecksumAlgorithm.CRC64NVME, ChecksumType.FULL_OBJECT, null),
    };
}

/// <summary>The checksum a multipart copy asks for, and the full-object value it must come to (null: none to compare).</summary>
internal sealed record MultipartChecksum(ChecksumAlgorithm Algorithm, ChecksumType Type, string? Expected);
