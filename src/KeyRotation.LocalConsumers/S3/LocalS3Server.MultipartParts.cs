using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace KeyRotation.LocalConsumers.S3;

/// <summary>
/// UploadPartCopy and CompleteMultipartUpload as the API reference describes them. A part copies a byte range
/// (x-amz-copy-source-range) of the source as it is at that moment, under x-amz-copy-source-if-match; the completion
/// takes the parts in ascending order with their ETags (and, for a COMPOSITE checksum, their checksums), refuses parts
/// but the last below the minimum size, checks x-amz-mp-object-size, computes the object's checksum (FULL_OBJECT: over
/// all the bytes, which is what S3's combination of the parts' CRCs comes to; COMPOSITE: over the parts' checksums,
/// "value-N") and refuses one given that differs (BadDigest), honours If-Match and If-None-Match, and writes the object
/// as one new version.
/// </summary>
internal sealed partial class LocalS3Server
{
    private static readonly Regex CopyRange = new("^bytes=([0-9]+)-([0-9]+)$", RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));

    private LocalS3Answer UploadPartCopy(LocalS3Bucket bucket, LocalS3Call call)
    {
        var upload = UploadOrThrow(bucket, call);
        var number = int.TryParse(call.QueryValue("partNumber"), NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n is >= 1 and <= 10_000
            ? n
            : throw new LocalS3Error(400, "InvalidArgument", "Part number must be an integer between 1 and 10000, inclusive");
        var (_, original) = CopySource(call);
        if (original.StorageClass is "GLACIER" or "DEEP_ARCHIVE")
        {
            throw new LocalS3Error(403, "InvalidObjectState", "The operation is not valid for the object's storage class");
        }

        var (first, last) = (0L, original.Size - 1);
        if (call.Header("x-amz-copy-source-range") is { } range)
        {
            var match = CopyRange.Match(range);
            if (!match.Success)
            {
                throw new LocalS3Error(400, "InvalidArgument", "The x-amz-copy-source-range value must be of the form bytes=first-last where first and last are the zero-based offsets of the first and last bytes to copy");
            }

            (first, last) = (long.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture), long.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture));
            if (first > last || last >= original.Size)
            {
                throw new LocalS3Error(400, "InvalidRange", $"Range specified is not valid for source object of size: {original.Size}");
            }
        }

        if (last >= original.Content.LongLength)
        {
            throw new LocalS3Error(501, "NotImplemented", $"LocalS3Server holds only {original.Content.LongLength} of the {original.Size} bytes of {original.Key} (DeclaredSize): it cannot copy them.");
        }

        var content = original.Content[(int)first..(int)(last + 1)];
        var part = new LocalS3Part(number, $"\"{Convert.ToHexStringLower(SHA256.HashData(content))[..32]}\"", content, LocalS3Checksums.Compute(upload.Template.ChecksumAlgorithm!, content));
        upload.Parts[number] = part;
        var headers = EncryptionHeaders(upload.Template);
        if (original.VersionId is not null)
        {
            headers.Add(new("x-amz-copy-source-version-id", original.VersionId));
        }

        return new LocalS3Answer(200, headers, X("CopyPartResult", X("ETag", part.ETag), X("LastModified", "2026-12-01T00:00:00.000Z"), X("Checksum" + upload.Template.ChecksumAlgorithm, part.Checksum)));
    }

    private LocalS3Answer CompleteMultipartUpload(LocalS3Bucket bucket, LocalS3Call call)
    {
        var upload = UploadOrThrow(bucket, call);
        var algorithm = upload.Template.ChecksumAlgorithm!;
        var requested = XDocument.Parse(call.Body).Root!.Elements().Where(e => e.Name.LocalName == "Part").Select(p => (
            Number: int.Parse(p.Elements().Single(e => e.Name.LocalName == "PartNumber").Value, CultureInfo.InvariantCulture),
            ETag: p.Elements().Single(e => e.Name.LocalName == "ETag").Value,
            Checksum: p.Elements().SingleOrDefault(e => e.Name.LocalName == "Checksum" + algorithm)?.Value)).ToList();
        if (requested.Count == 0)
        {
            throw new LocalS3Error(400, "MalformedXML", "The XML you provided was not well-formed or did not validate against our published schema.");
        }

        var parts = new List<LocalS3Part>();
        foreach (var (number, etag, checksum) in requested)
        {
            if (parts.Count > 0 && number <= parts[^1].Number)
            {
                throw new LocalS3Error(400, "InvalidPartOrder", "The list of parts was not in ascending order. Parts must be ordered by part number.");
            }

            if (!upload.Parts.TryGetValue(number, out var part) || part.ETag.Trim('"') != etag.Trim('"') || (checksum is not null && checksum != part.Checksum))
            {
                throw new LocalS3Error(400, "InvalidPart", "One or more of the specified parts could not be found. The part may not have been uploaded, or the specified entity tag may not match the part's entity tag.");
            }

            if (checksum is null && upload.Template.ChecksumType == "COMPOSITE")
            {
                throw new LocalS3Error(400, "InvalidRequest", $"The upload was created using a {algorithm.ToLowerInvariant()} checksum. The complete request must include the checksum for each part. It was missing for part {number} in the request.");
            }

            parts.Add(part);
        }

        if (parts.SkipLast(1).Any(p => p.Content.LongLength < MinPartSize))
        {
            throw new LocalS3Error(400, "EntityTooSmall", "Your proposed upload is smaller than the minimum allowed object size.");
        }

        var content = parts.SelectMany(p => p.Content).ToArray();
        if (call.Header("x-amz-mp-object-size") is { } declared && declared != content.LongLength.ToString(CultureInfo.InvariantCulture))
        {
            throw new LocalS3Error(400, "InvalidRequest", $"The provided 'x-amz-mp-object-size' header value {declared} does not match what was computed: {content.LongLength}");
        }

        if (call.Header("x-amz-checksum-type") is { } type && type != upload.Template.ChecksumType)
        {
            throw new LocalS3Error(400, "InvalidRequest", $"The upload was created using the {upload.Template.ChecksumType} checksum mode. The complete request must use the same checksum mode.");
        }

        var value = upload.Template.ChecksumType == "FULL_OBJECT"
            ? LocalS3Checksums.Compute(algorithm, content)
            : $"{LocalS3Checksums.Compute(algorithm, [.. parts.SelectMany(p => Convert.FromBase64String(p.Checksum!))])}-{parts.Count}";
        if (call.Header("x-amz-checksum-" + algorithm.ToLowerInvariant()) is { } expected && expected.Split('-')[0] != value.Split('-')[0])
        {
            throw new LocalS3Error(400, "BadDigest", $"The {algorithm.ToLowerInvariant()} you specified did not match the calculated checksum.");
        }

        var current = bucket.Objects.TryGetValue(upload.Key, out var versions) ? versions[^1] : null;
        if (call.Header("If-Match") is { } ifMatch && (current ?? throw new LocalS3Error(404, "NoSuchKey", "The specified key does not exist.", key: upload.Key)).ETag.Trim('"') != ifMatch.Trim('"'))
        {
            throw new LocalS3Error(412, "PreconditionFailed", "At least one of the pre-conditions you specified did not hold", condition: "If-Match");
        }

        if (call.Header("If-None-Match") == "*" && current is not null)
        {
            throw new LocalS3Error(412, "PreconditionFailed", "At least one of the pre-conditions you specified did not hold", condition: "If-None-Match");
        }

        var etagOfParts = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Concat(parts.Select(p => p.ETag)))))[..32];
        var written = Write(bucket, upload.Template with { Content = content, ETag = $"\"{etagOfParts}-{parts.Count}\"", ChecksumValue = value });
        _uploads.Remove(upload.UploadId);
        var headers = EncryptionHeaders(written);
        if (written.VersionId is not null)
        {
            headers.Add(new("x-amz-version-id", written.VersionId));
        }

        return new LocalS3Answer(200, headers, X(
            "CompleteMultipartUploadResult",
            X("Location", $"{Url}{bucket.Name}/{upload.Key}"),
            X("Bucket", bucket.Name),
            X("Key", upload.Key),
            X("ETag", written.ETag),
            X("Checksum" + algorithm, value),
            X("ChecksumType", written.ChecksumType)));
    }

    /// <summary>The object x-amz-copy-source names ("bucket/key", optionally "?versionId=..."), checked against x-amz-copy-source-if-match.</summary>
    private (LocalS3Bucket Bucket, LocalS3Object Object) CopySource(LocalS3Call call)
    {
        var source = Uri.UnescapeDataString(call.Header("x-amz-copy-source")!).TrimStart('/');
        var versionAt = source.IndexOf("?versionId=", StringComparison.Ordinal);
        var sourceVersion = versionAt < 0 ? null : source[(versionAt + "?versionId=".Length)..];
        source = versionAt < 0 ? source : source[..versionAt];
        var slash = source.IndexOf('/', StringComparison.Ordinal);
        var sourceBucket = BucketOrThrow(source[..slash]);
        var original = ObjectOrThrow(sourceBucket, source[(slash + 1)..], sourceVersion);
        if (call.Header("x-amz-copy-source-if-match") is { } match && match.Trim('"') != original.ETag.Trim('"'))
        {
            throw new LocalS3Error(412, "PreconditionFailed", "At least one of the pre-conditions you specified did not hold", condition: "x-amz-copy-source-If-Match");
        }

        return (sourceBucket, original);
    }
}
