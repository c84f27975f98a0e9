using KeyRotation.Integrations.Consumers.S3;
using KeyRotation.LocalConsumers.S3;

namespace KeyRotation.Integrations.Tests.Consumers.S3;

/// <summary>
/// Small copy limits on both sides, so that a 50-byte object is "over CopyObject's limit" and is copied in four parts
/// (16, 16, 16 and 2 bytes) without any test allocating gigabytes.
/// </summary>
internal static class S3LargeObjects
{
    public const string Content = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMN";

    public static readonly S3CopyLimits Limits = new(CopyObjectMaxSize: 40, PartSize: 16, MinPartSize: 5, MaxPartSize: 64, MaxParts: 10);

    public static readonly string[] Ranges = ["bytes=0-15", "bytes=16-31", "bytes=32-47", "bytes=48-49"];

    /// <summary>The migrator with <see cref="Limits"/>, and the same limits on the world's endpoint.</summary>
    public static S3ObjectMigrator Migrator(S3World world)
    {
        world.Server.CopyLimit = Limits.CopyObjectMaxSize;
        world.Server.MinPartSize = Limits.MinPartSize;
        return new S3ObjectMigrator(world.Client, world.Pacer, Limits);
    }

    /// <summary>A 50-byte SSE-KMS object under the old key with a full-object CRC64NVME checksum (what S3 gives a multipart upload by default).</summary>
    public static LocalS3Object Large(string key, string content = Content) => S3World.KmsObject(key, content) with
    {
        ChecksumAlgorithm = "CRC64NVME",
        ChecksumValue = LocalS3Checksums.Compute("CRC64NVME", System.Text.Encoding.UTF8.GetBytes(content)),
        ChecksumType = "FULL_OBJECT",
    };

    /// <summary>The named headers of a request, URL-decoded; null for those it did not send.</summary>
    public static Dictionary<string, string?> Headers(LocalS3Call call, params string[] names) =>
        names.ToDictionary(h => h, h => call.Header(h) is { } value ? Uri.UnescapeDataString(value) : null);
}
