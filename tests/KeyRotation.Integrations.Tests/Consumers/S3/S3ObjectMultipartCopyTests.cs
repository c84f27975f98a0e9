using KeyRotation.Core.Consumers;
using KeyRotation.Integrations.Consumers.S3;
using KeyRotation.LocalConsumers.S3;

namespace KeyRotation.Integrations.Tests.Consumers.S3;

/// <summary>Objects over CopyObject's limit are copied onto themselves in parts, keeping what the single copy keeps.</summary>
public sealed class S3ObjectMultipartCopyTests
{
    private const string Reader = "e1f0c0ffee00000000000000000000000000000000000000000000000000beef";
    private const string AllUsers = "http://acs.amazonaws.com/groups/global/AllUsers";

    [Fact]
    public async Task MigrateAsync_ObjectOverTheCopyLimit_IsCopiedInPartsUnderTheNewKeyKeepingEverything()
    {
        await using var world = new S3World();
        world.Server.AddBucket("data");
        var original = world.Server.Put("data", Rich());

        var outcomes = await S3World.MigrateAllAsync(world.Objects("data", "site/"), S3LargeObjects.Migrator(world));

        var (_, outcome) = Assert.Single(outcomes);
        Assert.Equal(
            new MigrationOutcome(MigrationResult.Moved, $"under {S3World.NewKeyArn} (was {S3World.OldKeyArn}); copied in 4 parts (multipart copy: over CopyObject's 40 bytes); checked size and CRC64NVME full-object checksum (S3 also checked both when completing)"),
            outcome);
        var copy = world.Server.Current("data", "site/big.bin")!;
        Assert.Equal(original.Metadata, copy.Metadata);
        Assert.Equal(original.Tags, copy.Tags);
        Assert.Equal(original.Grants, copy.Grants);
        Assert.Equal(original.Content, copy.Content);
        Assert.Equal(
            original with { KmsKeyId = S3World.NewKeyArn, ETag = copy.ETag, LastModified = copy.LastModified },
            copy with { Metadata = original.Metadata, Tags = original.Tags, Grants = original.Grants, Content = original.Content });
        Assert.Equal(
            ["ListObjectsV2", "HeadObject", "HeadObject", "GetObjectAcl", "GetBucketVersioning", "GetObjectTagging", "CreateMultipartUpload", "ListMultipartUploads", "UploadPartCopy", "UploadPartCopy", "UploadPartCopy", "UploadPartCopy", "CompleteMultipartUpload", "HeadObject"],
            world.Server.Calls.Select(c => c.Operation));
        Assert.Empty(world.Server.Uploads("data"));

        var create = Assert.Single(world.Server.CallsOf("CreateMultipartUpload"));
        Assert.Equal(
            new Dictionary<string, string?>
            {
                ["x-amz-server-side-encryption"] = "aws:kms",
                ["x-amz-server-side-encryption-aws-kms-key-id"] = S3World.NewKeyArn,
                ["x-amz-server-side-encryption-bucket-key-enabled"] = "true",
                ["x-amz-storage-class"] = "STANDARD_IA",
                ["x-amz-website-redirect-location"] = "/new-index.html",
                ["x-amz-checksum-algorithm"] = "CRC64NVME",
                ["x-amz-checksum-type"] = "FULL_OBJECT",
                ["x-amz-tagging"] = "team=web&tier=public",
                ["x-amz-meta-owner"] = "web-team",
                ["x-amz-meta-build"] = "42",
                ["Content-Type"] = "application/octet-stream; profile=big",
                ["Cache-Control"] = "max-age=300",
                ["Content-Disposition"] = "attachment; filename=big.bin",
                ["Content-Encoding"] = "identity",
                ["Content-Language"] = "en-GB",
                ["Expires"] = "Thu, 31 Dec 2026 23:59:59 GMT",
                ["x-amz-grant-full-control"] = $"id=\"{LocalS3Server.OwnerId}\"",
                ["x-amz-grant-read"] = $"uri=\"{AllUsers}\", id=\"{Reader}\"",
                ["x-amz-grant-read-acp"] = $"id=\"{Reader}\"",
                ["x-amz-grant-write-acp"] = null,
                ["x-amz-acl"] = null,
            },
            S3LargeObjects.Headers(
                create, "x-amz-server-side-encryption", "x-amz-server-side-encryption-aws-kms-key-id", "x-amz-server-side-encryption-bucket-key-enabled", "x-amz-storage-class",
                "x-amz-website-redirect-location", "x-amz-checksum-algorithm", "x-amz-checksum-type", "x-amz-tagging", "x-amz-meta-owner", "x-amz-meta-build", "Content-Type", "Cache-Control",
                "Content-Disposition", "Content-Encoding", "Content-Language", "Expires", "x-amz-grant-full-control", "x-amz-grant-read", "x-amz-grant-read-acp", "x-amz-grant-write-acp", "x-amz-acl"));
        Assert.Equal("site/big.bin", create.Key);

        var uploadId = Assert.Single(world.Server.CallsOf("UploadPartCopy").Select(c => c.QueryValue("uploadId")).Distinct());
        Assert.Equal(
            S3LargeObjects.Ranges.Select((range, i) => $"{i + 1} {range} data/site/big.bin if-match {original.ETag}"),
            world.Server.CallsOf("UploadPartCopy").Select(c => $"{c.QueryValue("partNumber")} {c.Header("x-amz-copy-source-range")} {Uri.UnescapeDataString(c.Header("x-amz-copy-source")!)} if-match {c.Header("x-amz-copy-source-if-match")}"));
        var complete = Assert.Single(world.Server.CallsOf("CompleteMultipartUpload"));
        Assert.Equal(uploadId, complete.QueryValue("uploadId"));
        Assert.Equal(
            new Dictionary<string, string?>
            {
                ["If-Match"] = original.ETag,
                ["x-amz-mp-object-size"] = "50",
                ["x-amz-checksum-type"] = "FULL_OBJECT",
                ["x-amz-checksum-crc64nvme"] = original.ChecksumValue,
            },
            S3LargeObjects.Headers(complete, "If-Match", "x-amz-mp-object-size", "x-amz-checksum-type", "x-amz-checksum-crc64nvme"));
        Assert.Equal([1, 2, 3, 4], System.Xml.Linq.XDocument.Parse(complete.Body).Descendants().Where(e => e.Name.LocalName == "PartNumber").Select(e => int.Parse(e.Value, System.Globalization.CultureInfo.InvariantCulture)));
        Assert.Empty(world.Server.CallsOf("CopyObject"));
    }

    [Fact]
    public async Task MigrateAsync_VersionedBucket_WritesOneNewVersionAndTheOldOneStaysUnderTheOldKey()
    {
        await using var world = new S3World();
        world.Server.AddBucket("data", versioning: "Enabled");
        var original = world.Server.Put("data", S3LargeObjects.Large("big"));

        var (_, outcome) = Assert.Single(await S3World.MigrateAllAsync(world.Objects("data", string.Empty), S3LargeObjects.Migrator(world)));

        var versions = world.Server.Versions("data", "big");
        Assert.Equal(2, versions.Count);
        Assert.Equal([S3World.OldKeyArn, S3World.NewKeyArn], versions.Select(v => v.KmsKeyId));
        Assert.Equal(original, versions[0]);
        Assert.Equal(original.Content, versions[1].Content);
        Assert.EndsWith($"; new version {versions[1].VersionId}: version {original.VersionId} stays under the old key until it is deleted (NoncurrentVersionExpiration)", outcome.Detail, StringComparison.Ordinal);
        Assert.All(world.Server.CallsOf("UploadPartCopy"), c => Assert.Equal(original.ETag, c.Header("x-amz-copy-source-if-match")));
    }

    [Fact]
    public async Task MigrateAsync_ShaCompositeChecksum_IsKeptAsTheAlgorithmAndCheckedBySize()
    {
        await using var world = new S3World();
        world.Server.AddBucket("data");
        world.Server.Put("data", S3LargeObjects.Large("big") with { ChecksumAlgorithm = "SHA256", ChecksumValue = "c2hhMjU2IG9mIHRoZSBwYXJ0cw==-3", ChecksumType = "COMPOSITE" });

        var outcome = await S3LargeObjects.Migrator(world).MigrateAsync(new("s3", "object", "s3://data/big", S3World.OldKeyArn), S3World.Target, dryRun: false, CancellationToken.None);

        Assert.Equal(
            new MigrationOutcome(MigrationResult.Moved, $"under {S3World.NewKeyArn} (was {S3World.OldKeyArn}); copied in 4 parts (multipart copy: over CopyObject's 40 bytes); checked size (SHA256 composite checksum: a multipart copy's parts cannot reproduce it; the copy has a SHA256 composite one)"),
            outcome);
        var create = Assert.Single(world.Server.CallsOf("CreateMultipartUpload"));
        Assert.Equal(("SHA256", "COMPOSITE"), (create.Header("x-amz-checksum-algorithm"), create.Header("x-amz-checksum-type")));
        var complete = Assert.Single(world.Server.CallsOf("CompleteMultipartUpload"));
        Assert.Null(complete.Header("x-amz-checksum-sha256"));
        Assert.Equal(4, System.Xml.Linq.XDocument.Parse(complete.Body).Descendants().Count(e => e.Name.LocalName == "ChecksumSHA256"));
        Assert.EndsWith("-4", world.Server.Current("data", "big")!.ChecksumValue, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MigrateAsync_ObjectTooLargeEvenForParts_FailsWithTheReasonAndCreatesNoUpload()
    {
        await using var world = new S3World();
        world.Server.AddBucket("data");
        world.Server.Put("data", S3LargeObjects.Large("huge", new string('x', 641)));

        var outcome = await S3LargeObjects.Migrator(world).MigrateAsync(new("s3", "object", "s3://data/huge", S3World.OldKeyArn), S3World.Target, dryRun: false, CancellationToken.None);

        Assert.Equal(new MigrationOutcome(MigrationResult.Failed, "641 bytes: more than 10 parts of 64 bytes, the most a multipart copy holds; left as it was"), outcome);
        Assert.Empty(world.Server.CallsOf("CreateMultipartUpload"));
    }

    [Fact]
    public void Limits_Default_AreS3sRealLimits()
    {
        Assert.Equal(new S3CopyLimits(5_368_709_120, 536_870_912, 5_242_880, 5_368_709_120, 10_000), S3CopyLimits.Default);
        Assert.Equal(5_368_709_120, LocalS3Server.MaxCopySize);
        Assert.Equal(5_242_880, LocalS3Server.MinimumPartSize);
        Assert.Equal(536_870_912, S3CopyLimits.Default.PartSizeFor(6L << 30));
        Assert.Equal(549_755_814, S3CopyLimits.Default.PartSizeFor(5L << 40));
        Assert.Null(S3CopyLimits.Default.PartSizeFor((10_000L * 5_368_709_120) + 1));
    }

    [Fact]
    public async Task Server_Default_HasS3sCopyLimitAndMinimumPartSize()
    {
        await using var world = new S3World();

        Assert.Equal((5_368_709_120, 5_242_880), (world.Server.CopyLimit, world.Server.MinPartSize));
    }

    private static LocalS3Object Rich() => S3LargeObjects.Large("site/big.bin") with
    {
        BucketKeyEnabled = true,
        ContentType = "application/octet-stream; profile=big",
        CacheControl = "max-age=300",
        ContentDisposition = "attachment; filename=big.bin",
        ContentEncoding = "identity",
        ContentLanguage = "en-GB",
        Expires = "Thu, 31 Dec 2026 23:59:59 GMT",
        WebsiteRedirectLocation = "/new-index.html",
        Metadata = new Dictionary<string, string>(StringComparer.Ordinal) { ["owner"] = "web-team", ["build"] = "42" },
        StorageClass = "STANDARD_IA",
        Tags = [KeyValuePair.Create("team", "web"), KeyValuePair.Create("tier", "public")],
        Grants = [new(LocalS3Server.OwnerId, null, "FULL_CONTROL"), new(null, AllUsers, "READ"), new(Reader, null, "READ"), new(Reader, null, "READ_ACP")],
    };
}
