using KeyRotation.Core.Consumers;
using KeyRotation.LocalConsumers.S3;

namespace KeyRotation.Integrations.Tests.Consumers.S3;

/// <summary>An object migration stopped halfway, an answer lost, a write racing the copy: nothing half-written, nothing clobbered.</summary>
public sealed class S3ObjectMigratorResumeTests
{
    private static readonly string[] Keys = ["a", "b", "c", "d"];

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task MigrateAsync_RunKilledAtTheThirdCopy_LeavesEachObjectWholeAndTheNextRunSkipsWhatIsDone(bool copyTookEffect)
    {
        await using var world = new S3World();
        world.Server.AddBucket("data");
        var originals = Keys.Select(k => world.Server.Put("data", S3World.KmsObject(k, "content of " + k) with
        {
            Metadata = new Dictionary<string, string>(StringComparer.Ordinal) { ["source"] = k },
            Tags = [KeyValuePair.Create("key", k)],
            StorageClass = "STANDARD_IA",
        })).ToList();
        using var kill = new CancellationTokenSource();
        world.Server.OnCall = call =>
        {
            if (call.Operation == "CopyObject" && world.Server.CallsOf("CopyObject").Count == 3)
            {
                kill.Cancel();
                if (!copyTookEffect)
                {
                    throw new LocalS3Error(500, "InternalError", "We encountered an internal error. Please try again.");
                }
            }
        };

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => S3World.MigrateAllAsync(world.Objects("data", string.Empty), world.ObjectMigrator(), ct: kill.Token));

        var moved = copyTookEffect ? 3 : 2;
        for (var i = 0; i < Keys.Length; i++)
        {
            var now = world.Server.Current("data", Keys[i])!;
            AssertSameObject(originals[i], now, i < moved ? S3World.NewKeyArn : S3World.OldKeyArn);
            Assert.Equal(i >= moved, now.ETag == originals[i].ETag);
        }

        world.Server.OnCall = null;
        var second = await S3World.MigrateAllAsync(world.Objects("data", string.Empty), world.ObjectMigrator());

        Assert.Equal(Keys.Select((_, i) => i < moved ? MigrationResult.AlreadyCurrent : MigrationResult.Moved), second.Select(o => o.Outcome.Result));
        for (var i = 0; i < Keys.Length; i++)
        {
            AssertSameObject(originals[i], world.Server.Current("data", Keys[i])!, S3World.NewKeyArn);
        }

        Assert.Equal(copyTookEffect ? Keys : ["a", "b", "c", "c", "d"], world.Server.CallsOf("CopyObject").Select(c => c.Key));
    }

    [Fact]
    public async Task MigrateAsync_CopyAnswerLost_TheRetryFindsItDoneAndCopiesNothingTwice()
    {
        await using var world = new S3World();
        world.Server.AddBucket("data", versioning: "Enabled");
        var original = world.Server.Put("data", S3World.KmsObject("a"));
        world.Server.LoseAnswer = call => call.Operation == "CopyObject" && world.Server.CallsOf("CopyObject").Count == 1;

        var outcome = await world.ObjectMigrator().MigrateAsync(new("s3", "object", "s3://data/a", S3World.OldKeyArn), S3World.Target, dryRun: false, CancellationToken.None);

        Assert.Equal(new MigrationOutcome(MigrationResult.AlreadyCurrent, $"written under {S3World.NewKeyArn} while being migrated; not copied again"), outcome);
        Assert.Equal(2, world.Server.CallsOf("CopyObject").Count);
        Assert.Equal([S3World.OldKeyArn, S3World.NewKeyArn], world.Server.Versions("data", "a").Select(v => v.KmsKeyId));
        Assert.Equal(original.VersionId, world.Server.Versions("data", "a")[0].VersionId);
    }

    [Fact]
    public async Task MigrateAsync_ObjectOverwrittenBeforeTheCopy_KeepsTheNewerObjectAndFails()
    {
        await using var world = new S3World();
        world.Server.AddBucket("data");
        world.Server.Put("data", S3World.KmsObject("a", "first"));
        LocalS3Object? newer = null;
        world.Server.OnCall = call =>
        {
            if (call.Operation == "CopyObject")
            {
                // An application that cached the old key ARN writes between the migration's read and its copy.
                newer = world.Server.Put("data", S3World.KmsObject("a", "written meanwhile"));
            }
        };

        var outcome = await world.ObjectMigrator().MigrateAsync(new("s3", "object", "s3://data/a", S3World.OldKeyArn), S3World.Target, dryRun: false, CancellationToken.None);

        Assert.Equal(
            new MigrationOutcome(MigrationResult.Failed, "written by someone else while being migrated (the copy's x-amz-copy-source-if-match failed): not copied, the newer object is kept; run again; left as it was"),
            outcome);
        Assert.Same(newer, world.Server.Current("data", "a"));
        Assert.Equal("written meanwhile"u8.ToArray(), world.Server.Current("data", "a")!.Content);
    }

    /// <summary>The object as it was, but for the key it is encrypted under (and the ETag and date a copy changes).</summary>
    private static void AssertSameObject(LocalS3Object original, LocalS3Object now, string keyArn)
    {
        Assert.Equal(keyArn, now.KmsKeyId);
        Assert.Equal(original.Content, now.Content);
        Assert.Equal(original.Metadata, now.Metadata);
        Assert.Equal(original.Tags, now.Tags);
        Assert.Equal(original.Grants, now.Grants);
        Assert.Equal((original.StorageClass, original.ContentType, original.ChecksumValue), (now.StorageClass, now.ContentType, now.ChecksumValue));
    }
}
