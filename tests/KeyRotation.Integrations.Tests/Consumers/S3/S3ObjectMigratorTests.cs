using KeyRotation.Core.Consumers;
using KeyRotation.LocalConsumers.S3;

namespace KeyRotation.Integrations.Tests.Consumers.S3;

public sealed class S3ObjectMigratorTests
{
    private const string Reader = "e1f0c0ffee00000000000000000000000000000000000000000000000000beef";
    private const string AllUsers = "http://acs.amazonaws.com/groups/global/AllUsers";

    [Fact]
    public async Task MigrateAsync_ObjectWithEverything_IsCopiedUnderTheNewKeyKeepingMetadataHeadersClassTagsAndAcl()
    {
        await using var world = new S3World();
        world.Server.AddBucket("data");
        var original = world.Server.Put("data", Rich());

        var outcomes = await S3World.MigrateAllAsync(world.Objects("data", "site/"), world.ObjectMigrator());

        var (_, outcome) = Assert.Single(outcomes);
        Assert.Equal(new MigrationOutcome(MigrationResult.Moved, $"under {S3World.NewKeyArn} (was {S3World.OldKeyArn}); checked size and CRC32 checksum"), outcome);
        var copy = world.Server.Current("data", "site/index.html")!;
        Assert.Equal(original.Metadata, copy.Metadata);
        Assert.Equal(original.Tags, copy.Tags);
        Assert.Equal(original.Grants, copy.Grants);
        Assert.Equal(original.Content, copy.Content);
        Assert.Equal(
            original with { KmsKeyId = S3World.NewKeyArn, ETag = copy.ETag, LastModified = copy.LastModified },
            copy with { Metadata = original.Metadata, Tags = original.Tags, Grants = original.Grants, Content = original.Content });
        Assert.NotEqual(original.ETag, copy.ETag);
        var request = Assert.Single(world.Server.CallsOf("CopyObject"));
        Assert.Equal(
            new Dictionary<string, string?>
            {
                ["x-amz-copy-source"] = "data/site/index.html",
                ["x-amz-copy-source-if-match"] = original.ETag,
                ["x-amz-metadata-directive"] = "COPY",
                ["x-amz-tagging-directive"] = "COPY",
                ["x-amz-server-side-encryption"] = "aws:kms",
                ["x-amz-server-side-encryption-aws-kms-key-id"] = S3World.NewKeyArn,
                ["x-amz-server-side-encryption-bucket-key-enabled"] = "true",
                ["x-amz-storage-class"] = "STANDARD_IA",
                ["x-amz-website-redirect-location"] = "/new-index.html",
                ["x-amz-checksum-algorithm"] = "CRC32",
                ["x-amz-grant-full-control"] = $"id=\"{LocalS3Server.OwnerId}\"",
                ["x-amz-grant-read"] = $"uri=\"{AllUsers}\", id=\"{Reader}\"",
                ["x-amz-grant-read-acp"] = $"id=\"{Reader}\"",
            },
            new[]
            {
                "x-amz-copy-source", "x-amz-copy-source-if-match", "x-amz-metadata-directive", "x-amz-tagging-directive", "x-amz-server-side-encryption",
                "x-amz-server-side-encryption-aws-kms-key-id", "x-amz-server-side-encryption-bucket-key-enabled", "x-amz-storage-class",
                "x-amz-website-redirect-location", "x-amz-checksum-algorithm", "x-amz-grant-full-control", "x-amz-grant-read", "x-amz-grant-read-acp",
            }.ToDictionary(h => h, h => request.Header(h) is { } value ? Uri.UnescapeDataString(value) : null));
        Assert.Null(request.Header("x-amz-grant-write-acp"));
        Assert.Null(request.Header("x-amz-acl"));
    }

    [Fact]
    public async Task MigrateAsync_PrivateAcl_SendsNoGrantSoBucketsWithAclsDisabledAcceptTheCopy()
    {
        await using var world = new S3World();
        world.Server.AddBucket("data");
        world.Server.Put("data", S3World.KmsObject("a"));

        var (_, outcome) = Assert.Single(await S3World.MigrateAllAsync(world.Objects("data", string.Empty), world.ObjectMigrator()));

        Assert.Equal(MigrationResult.Moved, outcome.Result);
        var request = Assert.Single(world.Server.CallsOf("CopyObject"));
        Assert.DoesNotContain(request.Headers.Keys, h => h.StartsWith("x-amz-grant-", StringComparison.Ordinal) || h == "x-amz-acl");
        Assert.Equal([new LocalS3Grant(LocalS3Server.OwnerId, null, "FULL_CONTROL")], world.Server.Current("data", "a")!.Grants);
    }

    [Fact]
    public async Task MigrateAsync_VersionedBucket_WritesANewVersionAndTheOldOneStaysUnderTheOldKey()
    {
        await using var world = new S3World();
        world.Server.AddBucket("data", versioning: "Enabled");
        var original = world.Server.Put("data", S3World.KmsObject("a"));

        var (_, outcome) = Assert.Single(await S3World.MigrateAllAsync(world.Objects("data", string.Empty), world.ObjectMigrator()));

        var versions = world.Server.Versions("data", "a");
        Assert.Equal([original.VersionId, versions[1].VersionId], versions.Select(v => v.VersionId));
        Assert.Equal([S3World.OldKeyArn, S3World.NewKeyArn], versions.Select(v => v.KmsKeyId));
        Assert.Equal(
            $"under {S3World.NewKeyArn} (was {S3World.OldKeyArn}); checked size and CRC32 checksum; new version {versions[1].VersionId}: version {original.VersionId} stays under the old key until it is deleted (NoncurrentVersionExpiration)",
            outcome.Detail);
    }

    [Fact]
    public async Task MigrateAsync_ObjectWithoutChecksum_ChecksSizeAndAsksForACrc64nvmeOnTheCopy()
    {
        await using var world = new S3World();
        world.Server.AddBucket("data");
        world.Server.Put("data", S3World.KmsObject("old") with { ChecksumAlgorithm = null, ChecksumValue = null, ChecksumType = null });

        var (_, outcome) = Assert.Single(await S3World.MigrateAllAsync(world.Objects("data", string.Empty), world.ObjectMigrator()));

        Assert.Equal($"under {S3World.NewKeyArn} (was {S3World.OldKeyArn}); checked size (the object had no checksum to compare; the copy now has a CRC64NVME one)", outcome.Detail);
        Assert.Equal(LocalS3Checksums.Compute("CRC64NVME", "data"u8.ToArray()), world.Server.Current("data", "old")!.ChecksumValue);
    }

    [Fact]
    public async Task MigrateAsync_ObjectAlreadyUnderTheNewKey_IsSkippedWithoutACopy()
    {
        await using var world = new S3World();
        world.Server.AddBucket("data");
        world.Server.Put("data", S3World.KmsObject("a") with { KmsKeyId = S3World.NewKeyArn });

        var outcome = await world.ObjectMigrator().MigrateAsync(new("s3", "object", "s3://data/a", S3World.NewKeyArn), S3World.Target, dryRun: false, CancellationToken.None);

        Assert.Equal(new MigrationOutcome(MigrationResult.AlreadyCurrent, $"already under {S3World.NewKeyArn}"), outcome);
        Assert.Empty(world.Server.CallsOf("CopyObject"));
    }

    [Fact]
    public async Task MigrateAsync_ObjectOverFiveGigabytesDryRun_PlansAMultipartCopyInPartsOf512MiB()
    {
        await using var world = new S3World();
        world.Server.AddBucket("data");
        world.Server.Put("data", S3World.KmsObject("big") with { DeclaredSize = LocalS3Server.MaxCopySize + 1 });

        var outcome = await world.ObjectMigrator().MigrateAsync(new("s3", "object", "s3://data/big", S3World.OldKeyArn), S3World.Target, dryRun: true, CancellationToken.None);

        Assert.Equal(new MigrationOutcome(MigrationResult.WouldMove, $"would copy onto itself in 11 parts of 536870912 bytes (multipart copy: over CopyObject's 5368709120 bytes) under {S3World.NewKeyArn} (from {S3World.OldKeyArn})"), outcome);
        Assert.Empty(world.Server.CallsOf("CopyObject"));
        Assert.Empty(world.Server.CallsOf("CreateMultipartUpload"));
    }

    [Fact]
    public async Task MigrateAsync_DryRun_SaysWhatItWouldDoAndChangesNothing()
    {
        await using var world = new S3World();
        world.Server.AddBucket("data", versioning: "Enabled");
        var original = world.Server.Put("data", S3World.KmsObject("a"));

        var (_, outcome) = Assert.Single(await S3World.MigrateAllAsync(world.Objects("data", string.Empty), world.ObjectMigrator(), dryRun: true));

        Assert.Equal(
            new MigrationOutcome(MigrationResult.WouldMove, $"would copy onto itself under {S3World.NewKeyArn} (from {S3World.OldKeyArn}); versioning Enabled: a new version, the current one ({original.VersionId}) stays under the old key until it is deleted"),
            outcome);
        Assert.Equal([original], world.Server.Versions("data", "a"));
        Assert.Equal(["ListObjectsV2", "HeadObject", "HeadObject", "GetObjectAcl", "GetBucketVersioning"], world.Server.Calls.Select(c => c.Operation));
    }

    private static LocalS3Object Rich() => S3World.KmsObject("site/index.html", "<html></html>") with
    {
        BucketKeyEnabled = true,
        ContentType = "text/html; charset=utf-8",
        CacheControl = "max-age=300",
        ContentDisposition = "inline",
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
