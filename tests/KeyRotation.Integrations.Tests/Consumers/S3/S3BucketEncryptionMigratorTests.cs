using System.Xml.Linq;
using KeyRotation.Core.Consumers;
using KeyRotation.Integrations.Consumers.S3;
using KeyRotation.LocalConsumers.S3;

namespace KeyRotation.Integrations.Tests.Consumers.S3;

public sealed class S3BucketEncryptionMigratorTests
{
    [Fact]
    public async Task MigrateAsync_BucketOnTheOldKeyArn_PointsItsDefaultEncryptionAtTheAliasArnKeepingBucketKey()
    {
        await using var world = new S3World();
        world.Server.AddBucket("app", encryption: new("aws:kms", S3World.OldKeyArn, true));

        var outcomes = await S3World.MigrateAllAsync(new S3BucketEncryptionSource(world.Client, S3World.Region, world.Pacer), new S3BucketEncryptionMigrator(world.Client, world.Pacer));

        var (_, outcome) = Assert.Single(outcomes);
        Assert.Equal(MigrationResult.Moved, outcome.Result);
        Assert.Equal($"KMSMasterKeyID {S3World.OldKeyArn} -> {S3World.Target.AliasArn} (SSEAlgorithm aws:kms, BucketKeyEnabled true kept)", outcome.Detail);
        Assert.Equal([new LocalS3EncryptionRule("aws:kms", S3World.Target.AliasArn, true)], world.Server.EncryptionOf("app"));
        var put = XDocument.Parse(Assert.Single(world.Server.CallsOf("PutBucketEncryption")).Body);
        var rule = Assert.Single(put.Root!.Elements(), e => e.Name.LocalName == "Rule");
        Assert.Equal(
            ["aws:kms", S3World.Target.AliasArn, "true"],
            new[] { "SSEAlgorithm", "KMSMasterKeyID", "BucketKeyEnabled" }.Select(n => rule.Descendants().Single(e => e.Name.LocalName == n).Value));
        Assert.Equal(["ListBuckets", "GetBucketEncryption", "GetBucketEncryption", "PutBucketEncryption", "GetBucketEncryption"], world.Server.Calls.Select(c => c.Operation));
    }

    [Fact]
    public async Task MigrateAsync_DualLayerBucketWithoutBucketKey_KeepsTheAlgorithmAndLeavesBucketKeyUnset()
    {
        await using var world = new S3World();
        world.Server.AddBucket("dsse", encryption: new("aws:kms:dsse", S3World.OldKeyArn, null));

        var outcome = await new S3BucketEncryptionMigrator(world.Client, world.Pacer).MigrateAsync(new("s3", "bucket", "arn:aws:s3:::dsse", S3World.OldKeyArn), S3World.Target, dryRun: false, CancellationToken.None);

        Assert.Equal(MigrationResult.Moved, outcome.Result);
        Assert.Equal([new LocalS3EncryptionRule("aws:kms:dsse", S3World.Target.AliasArn, null)], world.Server.EncryptionOf("dsse"));
    }

    [Fact]
    public async Task MigrateAsync_RunTwice_SecondRunSkipsTheBucketWithoutWriting()
    {
        await using var world = new S3World();
        world.Server.AddBucket("app", encryption: new("aws:kms", S3World.OldKeyArn, false));
        var migrator = new S3BucketEncryptionMigrator(world.Client, world.Pacer);
        var bucket = new ConsumerResource("s3", "bucket", "arn:aws:s3:::app", S3World.OldKeyArn);
        await migrator.MigrateAsync(bucket, S3World.Target, dryRun: false, CancellationToken.None);

        var second = await migrator.MigrateAsync(bucket, S3World.Target, dryRun: false, CancellationToken.None);

        Assert.Equal(new MigrationOutcome(MigrationResult.AlreadyCurrent, $"default encryption already names {S3World.Target.AliasArn}"), second);
        Assert.Single(world.Server.CallsOf("PutBucketEncryption"));
    }

    [Fact]
    public async Task MigrateAsync_BucketOnTheAliasName_IsAlreadyCurrent()
    {
        await using var world = new S3World();
        world.Server.AddBucket("app", encryption: new("aws:kms", "alias/app-data", null));

        var outcome = await new S3BucketEncryptionMigrator(world.Client, world.Pacer).MigrateAsync(new("s3", "bucket", "arn:aws:s3:::app", "alias/app-data"), S3World.Target, dryRun: false, CancellationToken.None);

        Assert.Equal(MigrationResult.AlreadyCurrent, outcome.Result);
        Assert.Empty(world.Server.CallsOf("PutBucketEncryption"));
    }

    [Fact]
    public async Task MigrateAsync_DryRun_SaysWhatItWouldSetAndChangesNothing()
    {
        await using var world = new S3World();
        world.Server.AddBucket("app", encryption: new("aws:kms", S3World.OldKeyArn, true));

        var outcome = await new S3BucketEncryptionMigrator(world.Client, world.Pacer).MigrateAsync(new("s3", "bucket", "arn:aws:s3:::app", S3World.OldKeyArn), S3World.Target, dryRun: true, CancellationToken.None);

        Assert.Equal(new MigrationOutcome(MigrationResult.WouldMove, $"would set KMSMasterKeyID {S3World.OldKeyArn} -> {S3World.Target.AliasArn} (SSEAlgorithm aws:kms, BucketKeyEnabled true kept)"), outcome);
        Assert.Equal([new LocalS3EncryptionRule("aws:kms", S3World.OldKeyArn, true)], world.Server.EncryptionOf("app"));
        Assert.DoesNotContain(world.Server.Calls, c => c.Method != "GET");
    }

    [Fact]
    public async Task MigrateAsync_PutDenied_FailsWithTheActionAndLeavesTheBucketAsItWas()
    {
        await using var world = new S3World();
        world.Server.AddBucket("app", encryption: new("aws:kms", S3World.OldKeyArn, true)).Denied.Add("PutBucketEncryption");

        var outcome = await new S3BucketEncryptionMigrator(world.Client, world.Pacer).MigrateAsync(new("s3", "bucket", "arn:aws:s3:::app", S3World.OldKeyArn), S3World.Target, dryRun: false, CancellationToken.None);

        Assert.Equal(new MigrationOutcome(MigrationResult.Failed, "AccessDenied: PutBucketEncryption needs s3:PutEncryptionConfiguration; left as it was"), outcome);
        Assert.Equal([new LocalS3EncryptionRule("aws:kms", S3World.OldKeyArn, true)], world.Server.EncryptionOf("app"));
    }
}
