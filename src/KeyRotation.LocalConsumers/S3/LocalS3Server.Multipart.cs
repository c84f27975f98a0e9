using System.Globalization;

namespace KeyRotation.LocalConsumers.S3;

/// <summary>
/// Multipart uploads as the API reference describes them: CreateMultipartUpload (the object's attributes, as headers, as
/// PutObject takes them; a checksum algorithm and type, CRC64NVME FULL_OBJECT by default), AbortMultipartUpload and
/// ListMultipartUploads (prefix, key and upload-id markers, max-uploads pages, sorted by key then initiation time); the
/// parts and the completion are in LocalS3Server.MultipartParts.cs. The copy limit and the minimum part size are S3's
/// (5 GiB, 5 MiB) unless a test sets smaller ones, so that no test needs gigabytes.
/// </summary>
internal sealed partial class LocalS3Server
{
    /// <summary>The smallest part S3 accepts in a completed upload, except the last (5 MiB).</summary>
    public const long MinimumPartSize = 5L * 1024 * 1024;

    private readonly Dictionary<string, LocalS3Upload> _uploads = new(StringComparer.Ordinal);
    private int _uploadsCreated;

    /// <summary>The largest source CopyObject copies; <see cref="MaxCopySize"/> (S3's) unless a test sets a smaller one.</summary>
    public long CopyLimit { get; set; } = MaxCopySize;

    /// <summary>The smallest part (but the last) CompleteMultipartUpload accepts; <see cref="MinimumPartSize"/> unless a test sets another.</summary>
    public long MinPartSize { get; set; } = MinimumPartSize;

    /// <summary>The identity requests are made as: the Initiator of the uploads they create.</summary>
    public string Initiator { get; set; } = "arn:aws:iam::111122223333:user/operator";

    /// <summary>The incomplete multipart uploads of a bucket, in ListMultipartUploads' order.</summary>
    public IReadOnlyList<LocalS3Upload> Uploads(string bucket)
    {
        lock (_gate)
        {
            return [.. SortedUploads(bucket)];
        }
    }

    private LocalS3Answer CreateMultipartUpload(LocalS3Bucket bucket, LocalS3Call call)
    {
        var template = UploadTemplate(bucket, call);
        _uploadsCreated++;
        var upload = new LocalS3Upload
        {
            Bucket = bucket.Name,
            Key = call.Key!,
            UploadId = $"upload-{_uploadsCreated:D4}-{Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes($"{bucket.Name}/{call.Key}#{_uploadsCreated}")))[..16]}",
            Initiator = Initiator,
            Initiated = $"2026-12-01T01:{_uploadsCreated / 60 % 60:D2}:{_uploadsCreated % 60:D2}.000Z",
            Sequence = _uploadsCreated,
            Template = template,
        };
        _uploads.Add(upload.UploadId, upload);
        var headers = EncryptionHeaders(template);
        headers.Add(new("x-amz-checksum-algorithm", template.ChecksumAlgorithm!));
        headers.Add(new("x-amz-checksum-type", template.ChecksumType!));
        return new LocalS3Answer(200, headers, X("InitiateMultipartUploadResult", X("Bucket", bucket.Name), X("Key", upload.Key), X("UploadId", upload.UploadId)));
    }

    private LocalS3Answer AbortMultipartUpload(LocalS3Bucket bucket, LocalS3Call call)
    {
        var upload = UploadOrThrow(bucket, call);
        _uploads.Remove(upload.UploadId);
        return new LocalS3Answer(204, [], null);
    }

    private LocalS3Answer ListMultipartUploads(LocalS3Bucket bucket, LocalS3Call call)
    {
        var prefix = call.QueryValue("prefix") ?? string.Empty;
        var keyMarker = call.QueryValue("key-marker");
        var idMarker = call.QueryValue("upload-id-marker");
        var max = call.QueryValue("max-uploads") is { } m ? int.Parse(m, CultureInfo.InvariantCulture) : 1000;
        if (max is < 1 or > 1000)
        {
            throw new LocalS3Error(400, "InvalidArgument", "Argument max-uploads must be an integer between 1 and 1000.");
        }

        var markerSequence = idMarker is not null && _uploads.TryGetValue(idMarker, out var marked) ? marked.Sequence : int.MaxValue;
        var matching = SortedUploads(bucket.Name)
            .Where(u => u.Key.StartsWith(prefix, StringComparison.Ordinal))
            .Where(u => keyMarker is null || string.CompareOrdinal(u.Key, keyMarker) > 0 || (idMarker is not null && u.Key == keyMarker && u.Sequence > markerSequence))
            .ToList();
        var page = matching.Take(max).ToList();
        var truncated = matching.Count > page.Count;
        return Ok(X(
            "ListMultipartUploadsResult",
            X("Bucket", bucket.Name),
            X("KeyMarker", keyMarker ?? string.Empty),
            X("UploadIdMarker", idMarker ?? string.Empty),
            truncated ? X("NextKeyMarker", page[^1].Key) : null,
            truncated ? X("NextUploadIdMarker", page[^1].UploadId) : null,
            X("Prefix", prefix),
            X("MaxUploads", max),
            X("IsTruncated", truncated ? "true" : "false"),
            page.Select(u => X(
                "Upload",
                X("Key", u.Key),
                X("UploadId", u.UploadId),
                X("Initiator", X("ID", u.Initiator), X("DisplayName", u.Initiator[(u.Initiator.LastIndexOf('/') + 1)..])),
                X("Owner", X("ID", OwnerId), X("DisplayName", "owner")),
                X("StorageClass", u.Template.StorageClass),
                X("Initiated", u.Initiated),
                X("ChecksumAlgorithm", u.Template.ChecksumAlgorithm),
                X("ChecksumType", u.Template.ChecksumType)))));
    }

    private IEnumerable<LocalS3Upload> SortedUploads(string bucket) =>
        _uploads.Values.Where(u => u.Bucket == bucket).OrderBy(u => u.Key, StringComparer.Ordinal).ThenBy(u => u.Sequence);

    private LocalS3Upload UploadOrThrow(LocalS3Bucket bucket, LocalS3Call call) =>
        call.QueryValue("uploadId") is { } id && _uploads.TryGetValue(id, out var upload) && upload.Bucket == bucket.Name && upload.Key == call.Key
            ? upload
            : throw new LocalS3Error(404, "NoSuchUpload", "The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.");

    /// <summary>
    /// The object an upload will complete into, from CreateMultipartUpload's headers: SSE (else the bucket's default
    /// encryption), storage class (STANDARD unless given), system headers, x-amz-meta-*, x-amz-tagging, the ACL (private
    /// unless x-amz-grant-* or x-amz-acl are sent) and the checksum algorithm and type, checked as S3 checks them.
    /// </summary>
    private static LocalS3Object UploadTemplate(LocalS3Bucket bucket, LocalS3Call call)
    {
        var algorithm = call.Header("x-amz-checksum-algorithm")?.ToUpperInvariant() ?? "CRC64NVME";
        var type = call.Header("x-amz-checksum-type") ?? (algorithm == "CRC64NVME" ? "FULL_OBJECT" : "COMPOSITE");
        if (!LocalS3Checksums.Algorithms.Contains(algorithm) || type is not ("FULL_OBJECT" or "COMPOSITE"))
        {
            throw new LocalS3Error(400, "InvalidRequest", "Checksum algorithm or type provided is unsupported.");
        }

        if ((algorithm, type) is ("CRC64NVME", "COMPOSITE") or ("SHA1" or "SHA256", "FULL_OBJECT"))
        {
            throw new LocalS3Error(400, "InvalidRequest", $"The {type} checksum type cannot be used with the {algorithm.ToLowerInvariant()} checksum algorithm.");
        }

        return WithSystemMetadata(call, WithEncryption(bucket, call, new LocalS3Object { Key = call.Key! })) with
        {
            WebsiteRedirectLocation = call.Header("x-amz-website-redirect-location"),
            StorageClass = call.Header("x-amz-storage-class") ?? "STANDARD",
            Tags = ParseTagging(call.Header("x-amz-tagging")),
            Grants = GrantsFromHeaders(call) ?? [new LocalS3Grant(OwnerId, null, "FULL_CONTROL")],
            ChecksumAlgorithm = algorithm,
            ChecksumType = type,
        };
    }

    /// <summary>The encryption headers S3 answers a write with.</summary>
    private static List<KeyValuePair<string, string>> EncryptionHeaders(LocalS3Object item)
    {
        var headers = new List<KeyValuePair<string, string>> { new("x-amz-server-side-encryption", item.Sse) };
        if (item.KmsKeyId is not null)
        {
            headers.Add(new("x-amz-server-side-encryption-aws-kms-key-id", item.KmsKeyId));
        }

        if (item.BucketKeyEnabled)
        {
            headers.Add(new("x-amz-server-side-encryption-bucket-key-enabled", "true"));
        }

        return headers;
    }
}
