using Amazon.S3.Model;
using KeyRotation.Core.Consumers;
using KeyRotation.LocalConsumers.S3;

namespace KeyRotation.Integrations.Tests.Consumers.S3;

/// <summary>A multipart copy that fails, races a write, is killed or copies the wrong bytes: the object is fully copied or left as it was, and no upload is left behind.</summary>
public sealed class S3ObjectMultipartFailureTests
{
    private static readonly ConsumerResource Big = new("s3", "object", "s3://data/big", S3World.OldKeyArn);

    [Fact]
    public async Task MigrateAsync_ObjectOverwrittenBetweenParts_AbortsTheUploadKeepsTheNewerObjectAndFails()
    {
        await using var world = new S3World();
        world.Server.AddBucket("data");
        world.Server.Put("data", S3LargeObjects.Large("big"));
        LocalS3Object? newer = null;
        world.Server.OnCall = call =>
        {
            if (call.Operation == "UploadPartCopy" && call.QueryValue("partNumber") == "2")
            {
                // An application that cached the old key ARN writes the object again between two parts.
                newer = world.Server.Put("data", S3LargeObjects.Large("big", S3LargeObjects.Content.ToUpperInvariant()));
            }
        };

        var outcome = await S3LargeObjects.Migrator(world).MigrateAsync(Big, S3World.Target, dryRun: false, CancellationToken.None);

        Assert.Equal(
            new MigrationOutcome(MigrationResult.Failed, "written by someone else while being migrated (part 2 of 4's x-amz-copy-source-if-match failed; the upload was aborted): not copied, the newer object is kept; run again; left as it was"),
            outcome);
        Assert.Same(newer, world.Server.Current("data", "big"));
        Assert.Empty(world.Server.Uploads("data"));
        var abort = Assert.Single(world.Server.CallsOf("AbortMultipartUpload"));
        Assert.Single(world.Server.CallsOf("CreateMultipartUpload"));
        Assert.Equal(world.Server.CallsOf("UploadPartCopy")[0].QueryValue("uploadId"), abort.QueryValue("uploadId"));
        Assert.Empty(world.Server.CallsOf("CompleteMultipartUpload"));
    }

    [Fact]
    public async Task MigrateAsync_ObjectOverwrittenAfterTheLastPart_CompletionIsRefusedAndTheUploadAborted()
    {
        await using var world = new S3World();
        world.Server.AddBucket("data");
        world.Server.Put("data", S3LargeObjects.Large("big"));
        LocalS3Object? newer = null;
        world.Server.OnCall = call =>
        {
            if (call.Operation == "CompleteMultipartUpload")
            {
                newer = world.Server.Put("data", S3LargeObjects.Large("big", "written meanwhile"));
            }
        };

        var outcome = await S3LargeObjects.Migrator(world).MigrateAsync(Big, S3World.Target, dryRun: false, CancellationToken.None);

        Assert.Equal(
            new MigrationOutcome(MigrationResult.Failed, "written by someone else while being migrated (CompleteMultipartUpload answered PreconditionFailed; the upload was aborted): not copied, the newer object is kept; run again; left as it was"),
            outcome);
        Assert.Same(newer, world.Server.Current("data", "big"));
        Assert.Empty(world.Server.Uploads("data"));
        Assert.Single(world.Server.CallsOf("AbortMultipartUpload"));
    }

    [Fact]
    public async Task MigrateAsync_PartFails_AbortsTheUploadAndLeavesTheObjectAsItWas()
    {
        await using var world = new S3World();
        world.Server.AddBucket("data");
        var original = world.Server.Put("data", S3LargeObjects.Large("big"));
        world.Server.OnCall = call =>
        {
            if (call.Operation == "UploadPartCopy" && call.QueryValue("partNumber") == "3")
            {
                throw new LocalS3Error(403, "AccessDenied", "Access Denied");
            }
        };

        var outcome = await S3LargeObjects.Migrator(world).MigrateAsync(Big, S3World.Target, dryRun: false, CancellationToken.None);

        Assert.Equal(
            new MigrationOutcome(MigrationResult.Failed, "AccessDenied: UploadPartCopy (part 3 of 4) needs s3:GetObject, kms:Decrypt on the old key and s3:PutObject, kms:GenerateDataKey and kms:Decrypt on the new key; the upload was aborted; left as it was"),
            outcome);
        Assert.Same(original, world.Server.Current("data", "big"));
        Assert.Empty(world.Server.Uploads("data"));
        Assert.Equal(["1", "2", "3"], world.Server.CallsOf("UploadPartCopy").Select(c => c.QueryValue("partNumber")));
        Assert.Single(world.Server.CallsOf("AbortMultipartUpload"));
        Assert.Empty(world.Server.CallsOf("CompleteMultipartUpload"));
    }

    [Fact]
    public async Task MigrateAsync_CopiedBytesDifferFromTheChecksum_CompletionIsRefusedAndNothingIsWritten()
    {
        await using var world = new S3World();
        world.Server.AddBucket("data");
        var original = world.Server.Put("data", S3LargeObjects.Large("big"));
        LocalS3Object? corrupted = null;
        world.Server.OnCall = call =>
        {
            if (call.Operation == "UploadPartCopy" && call.QueryValue("partNumber") == "2")
            {
                // Bytes that no longer match the object's checksum, under the same ETag: only the checksum can tell.
                corrupted = world.Server.Put("data", original with { Content = System.Text.Encoding.UTF8.GetBytes(S3LargeObjects.Content.Replace('k', 'K')) });
            }
        };

        var outcome = await S3LargeObjects.Migrator(world).MigrateAsync(Big, S3World.Target, dryRun: false, CancellationToken.None);

        Assert.Equal(
            new MigrationOutcome(MigrationResult.Failed, "the copied bytes do not match the object's CRC64NVME checksum (S3 combined the parts' checksums and refused to complete); the upload was aborted; left as it was"),
            outcome);
        Assert.Same(corrupted, world.Server.Current("data", "big"));
        Assert.Equal(S3World.OldKeyArn, world.Server.Current("data", "big")!.KmsKeyId);
        Assert.Empty(world.Server.Uploads("data"));
        Assert.Single(world.Server.CallsOf("AbortMultipartUpload"));
    }

    [Fact]
    public async Task MigrateAsync_RunKilledMidUpload_TheNextRunAbortsTheLeftoverUploadAndCompletes()
    {
        await using var world = new S3World();
        world.Server.AddBucket("data");
        var original = world.Server.Put("data", S3LargeObjects.Large("big"));
        using var kill = new CancellationTokenSource();
        world.Server.OnCall = call =>
        {
            if (call.Operation == "UploadPartCopy" && call.QueryValue("partNumber") == "2")
            {
                kill.Cancel();
            }
        };

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => S3World.MigrateAllAsync(world.Objects("data", string.Empty), S3LargeObjects.Migrator(world), ct: kill.Token));

        var leftover = Assert.Single(world.Server.Uploads("data"));
        Assert.Same(original, world.Server.Current("data", "big"));
        world.Server.OnCall = null;

        var (_, outcome) = Assert.Single(await S3World.MigrateAllAsync(world.Objects("data", string.Empty), S3LargeObjects.Migrator(world)));

        Assert.Equal(MigrationResult.Moved, outcome.Result);
        Assert.Contains($"; aborted 1 incomplete upload(s) an earlier run left ({leftover.UploadId})", outcome.Detail, StringComparison.Ordinal);
        Assert.Empty(world.Server.Uploads("data"));
        Assert.Equal(leftover.UploadId, Assert.Single(world.Server.CallsOf("AbortMultipartUpload")).QueryValue("uploadId"));
        Assert.Equal("big", world.Server.CallsOf("ListMultipartUploads")[^1].QueryValue("prefix"));
        Assert.Equal(S3World.NewKeyArn, world.Server.Current("data", "big")!.KmsKeyId);
        Assert.Equal(original.Content, world.Server.Current("data", "big")!.Content);
    }

    [Fact]
    public async Task MigrateAsync_AnotherIdentitysUploadOnTheKey_IsLeftAlone()
    {
        await using var world = new S3World();
        world.Server.AddBucket("data");
        world.Server.Put("data", S3LargeObjects.Large("big"));
        world.Server.Put("data", S3LargeObjects.Large("big-other"));
        world.Server.Initiator = "arn:aws:sts::111122223333:assumed-role/uploader/app";
        var application = await world.Client.InitiateMultipartUploadAsync(new InitiateMultipartUploadRequest { BucketName = "data", Key = "big" });
        world.Server.Initiator = "arn:aws:iam::111122223333:user/operator";
        var otherKey = await world.Client.InitiateMultipartUploadAsync(new InitiateMultipartUploadRequest { BucketName = "data", Key = "big-other" });

        var outcome = await S3LargeObjects.Migrator(world).MigrateAsync(Big, S3World.Target, dryRun: false, CancellationToken.None);

        Assert.Equal(MigrationResult.Moved, outcome.Result);
        Assert.DoesNotContain("aborted", outcome.Detail, StringComparison.Ordinal);
        Assert.Equal([application.UploadId, otherKey.UploadId], world.Server.Uploads("data").Select(u => u.UploadId));
        Assert.Empty(world.Server.CallsOf("AbortMultipartUpload"));
    }

    [Fact]
    public async Task MigrateAsync_CompletionAnswerLost_TheRetryFindsItDoneAndLeavesNoUpload()
    {
        await using var world = new S3World();
        world.Server.AddBucket("data", versioning: "Enabled");
        world.Server.Put("data", S3LargeObjects.Large("big"));
        world.Server.LoseAnswer = call => call.Operation == "CompleteMultipartUpload" && world.Server.CallsOf("CompleteMultipartUpload").Count == 1;

        var outcome = await S3LargeObjects.Migrator(world).MigrateAsync(Big, S3World.Target, dryRun: false, CancellationToken.None);

        Assert.Equal(new MigrationOutcome(MigrationResult.AlreadyCurrent, $"written under {S3World.NewKeyArn} while being migrated; not copied again"), outcome);
        Assert.Equal(2, world.Server.CallsOf("CompleteMultipartUpload").Count);
        Assert.Equal([S3World.OldKeyArn, S3World.NewKeyArn], world.Server.Versions("data", "big").Select(v => v.KmsKeyId));
        Assert.Empty(world.Server.Uploads("data"));
    }
}
