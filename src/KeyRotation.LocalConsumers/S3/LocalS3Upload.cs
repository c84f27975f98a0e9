namespace KeyRotation.LocalConsumers.S3;

/// <summary>
/// An incomplete multipart upload of <see cref="LocalS3Server"/>: the object CreateMultipartUpload described (its
/// attributes; no content yet), who initiated it and when, and the parts uploaded so far by number.
/// </summary>
internal sealed class LocalS3Upload
{
    public required string Bucket { get; init; }

    public required string Key { get; init; }

    public required string UploadId { get; init; }

    /// <summary>The ARN of the identity that created it (ListMultipartUploads' Initiator).</summary>
    public required string Initiator { get; init; }

    /// <summary>ISO 8601, as ListMultipartUploads answers it; later uploads have later times.</summary>
    public required string Initiated { get; init; }

    /// <summary>The order of creation, for ListMultipartUploads' sort and markers.</summary>
    public required int Sequence { get; init; }

    public required LocalS3Object Template { get; init; }

    public SortedDictionary<int, LocalS3Part> Parts { get; } = [];
}

/// <summary>One uploaded part: its ETag, bytes and, when the upload has a checksum algorithm, the part's checksum.</summary>
internal sealed record LocalS3Part(int Number, string ETag, byte[] Content, string? Checksum);
