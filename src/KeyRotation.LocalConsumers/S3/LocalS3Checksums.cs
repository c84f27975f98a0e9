using System.Security.Cryptography;

namespace KeyRotation.LocalConsumers.S3;

/// <summary>
/// The full-object checksums S3 computes (x-amz-checksum-*): base64 of the big-endian digest. The CRCs are the reflected
/// forms S3 documents (CRC32 0xEDB88320, CRC32C 0x82F63B78, CRC64NVME 0x9A6C9329AC4BC9B5), bit by bit: test objects are small.
/// </summary>
internal static class LocalS3Checksums
{
    public static readonly string[] Algorithms = ["CRC32", "CRC32C", "CRC64NVME", "SHA1", "SHA256"];

    public static string Compute(string algorithm, byte[] data) => algorithm switch
    {
        "CRC32" => Base64((uint)Crc(data, 0xEDB88320UL, 32), 4),
        "CRC32C" => Base64((uint)Crc(data, 0x82F63B78UL, 32), 4),
        "CRC64NVME" => Base64(Crc(data, 0x9A6C9329AC4BC9B5UL, 64), 8),
#pragma warning disable CA5350 // S3's SHA-1 checksum, an integrity check the API offers, not a security use.
        "SHA1" => Convert.ToBase64String(SHA1.HashData(data)),
#pragma warning restore CA5350
        "SHA256" => Convert.ToBase64String(SHA256.HashData(data)),
        _ => throw new ArgumentException($"No such checksum algorithm: {algorithm}.", nameof(algorithm)),
    };

    private static ulong Crc(byte[] data, ulong polynomial, int width)
    {
        var mask = width == 64 ? ulong.MaxValue : (1UL << width) - 1;
        var crc = mask;
        foreach (var b in data)
        {
            crc ^= b;
            for (var bit = 0; bit < 8; bit++)
            {
                crc = (crc & 1) != 0 ? (crc >> 1) ^ polynomial : crc >> 1;
            }
        }

        return ~crc & mask;
    }

    private static string Base64(ulong value, int bytes)
    {
        var digest = new byte[bytes];
        for (var i = 0; i < bytes; i++)
        {
            digest[i] = (byte)(value >> (8 * (bytes - 1 - i)));
        }

        return Convert.ToBase64String(digest);
    }
}
