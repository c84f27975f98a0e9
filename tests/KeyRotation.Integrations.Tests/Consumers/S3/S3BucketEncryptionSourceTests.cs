using KeyRotation.Core.Consumers;
using KeyRotation.Integrations.Consumers.S3;

namespace KeyRotation.Integrations.Tests.Consumers.S3;

public sealed class S3BucketEncryptionSourceTests
{
    [Fact]
    public async Task ScanAsync_DefaultEncryptionUnderKms_FoundWithTheReferenceAsStored()
    {
        await using var world = new S3World();
        world.Server.AddBucket("by-arn", encryption: new("aws:kms", S3World.OldKeyArn, true));
        world.Server.AddBucket("by-alias", encryption: new("aws:kms", "alias/app-data", null));
        world.Server.AddBucket("dual-layer", encryption: new("aws:kms:dsse", "0b3c7f6e-1111-4a5b-9c8d-000000000001", null));
        world.Server.AddBucket("sse-s3", encryption: new("AES256", null, null));
        world.Server.AddBucket("aws-managed", encryption: new("aws:kms", null, null));
        world.Server.AddBucket("no-configuration");

        var findings = await ScanAsync(new S3BucketEncryptionSource(world.Client, S3World.Region, world.Pacer));

        Assert.Equal(
            [
                new ConsumerFinding.Found(new("s3", "bucket", "arn:aws:s3:::by-alias", "alias/app-data")),
                new ConsumerFinding.Found(new("s3", "bucket", "arn:aws:s3:::by-arn", S3World.OldKeyArn)),
                new ConsumerFinding.Found(new("s3", "bucket", "arn:aws:s3:::dual-layer", "0b3c7f6e-1111-4a5b-9c8d-000000000001")),
            ],
            findings);
        var list = Assert.Single(world.Server.CallsOf("ListBuckets"));
        Assert.Equal(new Dictionary<string, string> { ["bucket-region"] = "us-east-1", ["max-buckets"] = "1000" }, list.Query);
        Assert.Equal(6, world.Server.CallsOf("GetBucketEncryption").Count);
        Assert.DoesNotContain(world.Server.Calls, c => c.Method != "GET");
    }

    [Fact]
    public async Task ScanAsync_MoreBucketsThanAPage_FollowsTheContinuationTokens()
    {
        await using var world = new S3World();
        foreach (var name in new[] { "b1", "b2", "b3", "b4", "b5" })
        {
            world.Server.AddBucket(name, encryption: new("aws:kms", S3World.OldKeyArn, false));
        }

        var findings = await ScanAsync(new S3BucketEncryptionSource(world.Client, S3World.Region, world.Pacer, pageSize: 2));

        Assert.Equal(["b1", "b2", "b3", "b4", "b5"], findings.Select(f => f.Resource.Id["arn:aws:s3:::".Length..]));
        var pages = world.Server.CallsOf("ListBuckets");
        Assert.Equal(3, pages.Count);
        Assert.Null(pages[0].QueryValue("continuation-token"));
        Assert.All(pages, p => Assert.Equal("2", p.QueryValue("max-buckets")));
        Assert.NotNull(pages[1].QueryValue("continuation-token"));
        Assert.NotEqual(pages[1].QueryValue("continuation-token"), pages[2].QueryValue("continuation-token"));
    }

    [Fact]
    public async Task ScanAsync_AccessDeniedBucket_IsNotCheckedAndTheScanGoesOn()
    {
        await using var world = new S3World();
        world.Server.AddBucket("a-locked", encryption: new("aws:kms", S3World.OldKeyArn, null)).Denied.Add("GetBucketEncryption");
        world.Server.AddBucket("b-open", encryption: new("aws:kms", S3World.OldKeyArn, null));

        var findings = await ScanAsync(new S3BucketEncryptionSource(world.Client, S3World.Region, world.Pacer));

        Assert.Equal(
            [
                new ConsumerFinding.NotChecked(new("s3", "bucket", "arn:aws:s3:::a-locked", null), "AccessDenied: GetBucketEncryption needs s3:GetEncryptionConfiguration"),
                new ConsumerFinding.Found(new("s3", "bucket", "arn:aws:s3:::b-open", S3World.OldKeyArn)),
            ],
            findings);
    }

    [Fact]
    public async Task ScanAsync_BucketOfAnotherRegion_IsOutOfScopeAndNeverRead()
    {
        await using var world = new S3World();
        world.Server.AddBucket("here", encryption: new("aws:kms", S3World.OldKeyArn, null));
        world.Server.AddBucket("elsewhere", region: "eu-west-1", encryption: new("aws:kms", S3World.OldKeyArn, null));

        var findings = await ScanAsync(new S3BucketEncryptionSource(world.Client, S3World.Region, world.Pacer));

        Assert.Equal("arn:aws:s3:::here", Assert.Single(findings).Resource.Id);
        Assert.Equal(["here"], world.Server.CallsOf("GetBucketEncryption").Select(c => c.Bucket));
    }

    [Fact]
    public async Task ScanAsync_AnEndpointIgnoringTheRegionFilter_ListsTheOtherRegionsBucketNotCheckedWithItsRegion()
    {
        await using var world = new S3World();
        world.Server.IgnoreBucketRegion = true;
        world.Server.AddBucket("elsewhere", region: "eu-west-1", encryption: new("aws:kms", S3World.OldKeyArn, null));

        var findings = await ScanAsync(new S3BucketEncryptionSource(world.Client, S3World.Region, world.Pacer));

        Assert.Equal(new ConsumerFinding.NotChecked(new("s3", "bucket", "arn:aws:s3:::elsewhere", null), "in Region eu-west-1, not us-east-1: scan that Region"), Assert.Single(findings));
        Assert.Empty(world.Server.CallsOf("GetBucketEncryption"));
    }

    internal static async Task<List<ConsumerFinding>> ScanAsync(IConsumerSource source)
    {
        var findings = new List<ConsumerFinding>();
        await foreach (var finding in source.ScanAsync(CancellationToken.None))
        {
            findings.Add(finding);
        }

        return findings;
    }
}
