using KeyRotation.Core.Consumers;
using KeyRotation.LocalConsumers.S3;

namespace KeyRotation.Integrations.Tests.Consumers.S3;

public sealed class S3ObjectSourceTests
{
    [Fact]
    public async Task ScanAsync_ObjectsOverSeveralPages_FindsEachKmsObjectWithItsKeyArn()
    {
        await using var world = new S3World();
        world.Server.AddBucket("data");
        foreach (var key in new[] { "logs/1", "logs/2", "logs/3", "logs/4" })
        {
            world.Server.Put("data", S3World.KmsObject(key));
        }

        world.Server.Put("data", new LocalS3Object { Key = "logs/5-sse-s3", Sse = "AES256" });
        world.Server.Put("data", S3World.KmsObject("other/1"));

        var findings = await S3BucketEncryptionSourceTests.ScanAsync(world.Objects("data", "logs/", pageSize: 2));

        Assert.Equal(
            new[] { "logs/1", "logs/2", "logs/3", "logs/4" }.Select(k => (ConsumerFinding)new ConsumerFinding.Found(new("s3", "object", "s3://data/" + k, S3World.OldKeyArn))),
            findings);
        var pages = world.Server.CallsOf("ListObjectsV2");
        Assert.Equal(3, pages.Count);
        Assert.All(pages, p => Assert.Equal(("logs/", "2"), (p.QueryValue("prefix"), p.QueryValue("max-keys"))));
        Assert.Null(pages[0].QueryValue("continuation-token"));
        Assert.NotNull(pages[1].QueryValue("continuation-token"));
        Assert.Equal(["logs/1", "logs/2", "logs/3", "logs/4", "logs/5-sse-s3"], world.Server.CallsOf("HeadObject").Select(c => c.Key));
    }

    [Fact]
    public async Task ScanAsync_VersionedBucket_FindsTheCurrentVersionWithItsId()
    {
        await using var world = new S3World();
        world.Server.AddBucket("data", versioning: "Enabled");
        world.Server.Put("data", S3World.KmsObject("a"));
        var current = world.Server.Put("data", S3World.KmsObject("a", "second"));

        var finding = Assert.Single(await S3BucketEncryptionSourceTests.ScanAsync(world.Objects("data", string.Empty)));

        Assert.Equal(new ConsumerFinding.Found(new("s3", "object", "s3://data/a", S3World.OldKeyArn, current.VersionId)), finding);
    }

    [Fact]
    public async Task ScanAsync_HeadObjectDenied_IsNotCheckedAndTheScanGoesOn()
    {
        await using var world = new S3World();
        world.Server.AddBucket("data");
        world.Server.Put("data", S3World.KmsObject("a"));
        world.Server.Put("data", S3World.KmsObject("b"));
        world.Server.OnCall = call =>
        {
            if (call is { Operation: "HeadObject", Key: "a" })
            {
                throw new LocalS3Error(403, "AccessDenied", "Access Denied");
            }
        };

        var findings = await S3BucketEncryptionSourceTests.ScanAsync(world.Objects("data", string.Empty));

        Assert.Equal(
            [
                new ConsumerFinding.NotChecked(new("s3", "object", "s3://data/a", null), "AccessDenied: HeadObject needs s3:GetObject"),
                new ConsumerFinding.Found(new("s3", "object", "s3://data/b", S3World.OldKeyArn)),
            ],
            findings);
    }

    [Fact]
    public async Task ScanAsync_BucketThatDoesNotExist_FailsNamingIt()
    {
        await using var world = new S3World();

        var error = await Assert.ThrowsAsync<ConsumerScopeNotFoundException>(() => S3BucketEncryptionSourceTests.ScanAsync(world.Objects("no-such-bucket", "logs/")));

        Assert.Equal("--bucket: bucket 'no-such-bucket' does not exist", error.Message);
    }

    [Fact]
    public async Task ScanAsync_PrefixWithNoObject_FailsNamingIt()
    {
        await using var world = new S3World();
        world.Server.AddBucket("data");
        world.Server.Put("data", S3World.KmsObject("logs/1"));

        var error = await Assert.ThrowsAsync<ConsumerScopeNotFoundException>(() => S3BucketEncryptionSourceTests.ScanAsync(world.Objects("data", "log/")));

        Assert.Equal("--prefix: bucket 'data' has no object under prefix 'log/'", error.Message);
        Assert.Empty(world.Server.CallsOf("HeadObject"));
    }
}
