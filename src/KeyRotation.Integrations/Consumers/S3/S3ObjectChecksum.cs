using Amazon.S3;
using Amazon.S3.Model;

namespace KeyRotation.Integrations.Consumers.S3;

/// <summary>
/// An object's additional checksum (x-amz-checksum-*): its algorithm, base64 value, and whether it covers the whole
/// object (FULL_OBJECT) or is a multipart upload's checksum of its parts' checksums (COMPOSITE, "value-N"), which no
/// single-part copy can reproduce.
/// </summary>
internal sealed record S3ObjectChecksum(string Algorithm, string Value, bool FullObject)
{
    public static S3ObjectChecksum? Of(GetObjectMetadataResponse head)
    {
        ArgumentNullException.ThrowIfNull(head);
        var (algorithm, value) = new[]
        {
            ("CRC64NVME", head.ChecksumCRC64NVME), ("CRC32", head.ChecksumCRC32), ("CRC32C", head.ChecksumCRC32C),
            ("SHA1", head.ChecksumSHA1), ("SHA256", head.ChecksumSHA256), ("SHA512", head.ChecksumSHA512), ("MD5", head.ChecksumMD5),
            ("XXHASH3", head.ChecksumXXHASH3), ("XXHASH64", head.ChecksumXXHASH64), ("XXHASH128", head.ChecksumXXHASH128),
        }.FirstOrDefault(c => !string.IsNullOrEmpty(c.Item2));
        if (algorithm is null)
        {
            return null;
        }

        var full = head.ChecksumType?.Value is { } type ? type == ChecksumType.FULL_OBJECT.Value : !value!.Contains('-', StringComparison.Ordinal);
        return new S3ObjectChecksum(algorithm, value!, full);
    }

    /// <summary>
    /// The algorithm to ask CopyObject for (x-amz-checksum-algorithm): the object's own, so S3 computes it anew over the
    /// bytes it copies and a full-object checksum can be compared; CRC64NVME (S3's default) for an object without one.
    /// </summary>
    public static ChecksumAlgorithm ForCopy(S3ObjectChecksum? checksum) => ChecksumAlgorithm.FindValue(checksum?.Algorithm ?? "CRC64NVME");
}
