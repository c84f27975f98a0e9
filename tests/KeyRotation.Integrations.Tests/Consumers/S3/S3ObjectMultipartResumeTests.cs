using KeyRotation.Core.Consumers;
using KeyRotation.LocalConsumers.S3;

namespace KeyRotation.Integrations.Tests.Consumers.S3;

/// <summary>
/// The multipart copy's crash matrix: a run killed at each of its calls, once before the call takes effect and once
/// after; the next run finishes the object under the new key, whole, and no incomplete upload is left.
/// </summary>
public sealed class S3ObjectMultipartResumeTests
{
    [Theory]
    [InlineData("GetObjectTagging", null, false)]
    [InlineData("GetObjectTagging", null, true)]
    [InlineData("CreateMultipartUpload", null, false)]
    [InlineData("CreateMultipartUpload", null, true)]
    [InlineData("ListMultipartUploads", null, false)]
    [InlineData("ListMultipartUploads", null, true)]
    [InlineData("UploadPartCopy", "1", false)]
    [InlineData("UploadPartCopy", "3", true)]
    [InlineData("UploadPartCopy", "4", true)]
    [InlineData("CompleteMultipartUpload", null, false)]
    [InlineData("CompleteMultipartUpload", null, true)]
    public async Task MigrateAsync_RunKilledAtACall_TheNextRunFinishesTheObjectAndLeavesNoUpload(string operation, string? part, bool tookEffect)
    {
        await using var world = new S3World();
        world.Server.AddBucket("data", versioning: "Enabled");
        var original = world.Server.Put("data", S3LargeObjects.Large("big") with { Tags = [KeyValuePair.Create("team", "data")], Metadata = new Dictionary<string, string>(StringComparer.Ordinal) { ["source"] = "etl" } });
        using var kill = new CancellationTokenSource();
        world.Server.OnCall = call =>
        {
            if (call.Operation == operation && (part is null || call.QueryValue("partNumber") == part) && !kill.IsCancellationRequested)
            {
                kill.Cancel();
                if (!tookEffect)
                {
                    throw new LocalS3Error(500, "InternalError", "We encountered an internal error. Please try again.");
                }
            }
        };

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => S3World.MigrateAllAsync(world.Objects("data", string.Empty), S3LargeObjects.Migrator(world), ct: kill.Token));
        var completed = operation == "CompleteMultipartUpload" && tookEffect;
        Assert.Equal(completed ? 2 : 1, world.Server.Versions("data", "big").Count);
        world.Server.OnCall = null;

        var (_, outcome) = Assert.Single(await S3World.MigrateAllAsync(world.Objects("data", string.Empty), S3LargeObjects.Migrator(world)));

        Assert.Equal(completed ? MigrationResult.AlreadyCurrent : MigrationResult.Moved, outcome.Result);
        Assert.Empty(world.Server.Uploads("data"));
        var versions = world.Server.Versions("data", "big");
        Assert.Equal([S3World.OldKeyArn, S3World.NewKeyArn], versions.Select(v => v.KmsKeyId));
        Assert.Equal(original, versions[0]);
        Assert.Equal(original.Content, versions[1].Content);
        Assert.Equal(original.Tags, versions[1].Tags);
        Assert.Equal(original.Metadata, versions[1].Metadata);
        Assert.Equal(original.ChecksumValue, versions[1].ChecksumValue);
    }

    [Fact]
    public async Task MigrateAsync_EveryCallOfAMultipartCopy_IsAnOperationThePacerHasARateFor()
    {
        await using var world = new S3World();
        world.Server.AddBucket("data");
        world.Server.Put("data", S3LargeObjects.Large("big") with { Tags = [KeyValuePair.Create("team", "data")] });
        world.Server.OnCall = call =>
        {
            if (call.Operation == "UploadPartCopy" && call.QueryValue("partNumber") == "2")
            {
                throw new LocalS3Error(500, "InternalError", "We encountered an internal error. Please try again.");
            }
        };

        var outcomes = await S3World.MigrateAllAsync(world.Objects("data", string.Empty), S3LargeObjects.Migrator(world));
        world.Server.OnCall = null;
        outcomes.AddRange(await S3World.MigrateAllAsync(world.Objects("data", string.Empty), S3LargeObjects.Migrator(world)));

        Assert.Equal([MigrationResult.Failed, MigrationResult.Moved], outcomes.Select(o => o.Outcome.Result));
        Assert.All(world.Server.Calls.Select(c => "s3:" + c.Operation).Distinct(), operation => Assert.Contains(operation, ConsumerRequestRates.Defaults.Keys));
        Assert.Contains(world.Server.Calls, c => c.Operation == "AbortMultipartUpload");
    }
}
