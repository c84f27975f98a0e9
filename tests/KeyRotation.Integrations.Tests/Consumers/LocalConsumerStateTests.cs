using KeyRotation.LocalConsumers;
using KeyRotation.LocalConsumers.S3;

namespace KeyRotation.Integrations.Tests.Consumers;

/// <summary>The local consumer endpoints' resources, exported and imported into new endpoints (the sandbox's restart), come back whole.</summary>
public sealed class LocalConsumerStateTests
{
    private const string KeyArn = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";

    [Fact]
    public async Task S3Import_VersionedBucket_KeepsEveryVersionAndGoesOnWithNewVersionIds()
    {
        await using var first = new LocalS3Server();
        first.AddBucket("data", encryption: new LocalS3EncryptionRule("aws:kms", KeyArn, true), versioning: "Enabled");
        first.Put("data", new LocalS3Object { Key = "a", Content = "one"u8.ToArray(), Sse = "aws:kms", KmsKeyId = KeyArn });
        first.Put("data", new LocalS3Object { Key = "a", Content = "two"u8.ToArray(), Sse = "aws:kms", KmsKeyId = KeyArn });
        await using var second = new LocalS3Server();

        second.ImportResources(first.ExportResources());
        var third = second.Put("data", new LocalS3Object { Key = "a", Content = "three"u8.ToArray() });

        Assert.Equal(first.Versions("data", "a"), second.Versions("data", "a").Take(2));
        Assert.Equal(["v0001", "v0002", "v0003"], second.Versions("data", "a").Select(v => v.VersionId));
        Assert.Equal("v0003", third.VersionId);
        Assert.Equal(first.EncryptionOf("data"), second.EncryptionOf("data"));
    }

    [Fact]
    public async Task S3Import_ObjectListedUnderAnotherKey_IsRefusedAndChangesNothing()
    {
        await using var server = new LocalS3Server();
        server.AddBucket("kept");
        var objects = new Dictionary<string, IReadOnlyList<LocalS3Object>>(StringComparer.Ordinal) { ["a"] = [new LocalS3Object { Key = "b" }] };

        var error = Assert.Throws<ArgumentException>(() => server.ImportResources(new LocalS3Resources([new LocalS3BucketResources("data", "us-east-1", null, string.Empty, objects)], 1)));

        Assert.Contains("data/a", error.Message, StringComparison.Ordinal);
        Assert.Equal(["kept"], server.ExportResources().Buckets.Select(b => b.Name));
    }

    [Fact]
    public async Task DynamoDbSsmEc2Import_ExportedResources_ComeBackAsTheyWere()
    {
        await using var dynamoDb = new LocalDynamoDb();
        await using var ssm = new LocalSsm();
        await using var ec2 = new LocalEc2();
        dynamoDb.AddTable("orders", KeyArn);
        dynamoDb.AddTable("plain", null, status: "UPDATING");
        ssm.AddSecureString("/app/db", "s3cret", KeyArn, tier: "Advanced", description: "db", tags: new Dictionary<string, string>(StringComparer.Ordinal) { ["team"] = "web" });
        ec2.AddVolume(new EbsVolume("vol-1", KeyArn, InstanceId: "i-1", Device: "/dev/xvdf"));
        ec2.AddSnapshot(new EbsSnapshot("snap-1", KeyArn));
        await using var dynamoDbAgain = new LocalDynamoDb();
        await using var ssmAgain = new LocalSsm();
        await using var ec2Again = new LocalEc2();

        dynamoDbAgain.ImportTables(dynamoDb.ExportTables());
        ssmAgain.ImportParameters(ssm.ExportParameters());
        ec2Again.ImportResources(ec2.ExportResources());

        Assert.Equal([new LocalDynamoDbTable("orders", KeyArn, "ACTIVE"), new LocalDynamoDbTable("plain", null, "UPDATING")], dynamoDbAgain.ExportTables());
        Assert.Equal(KeyArn, dynamoDbAgain.KeyOf("orders"));
        var version = Assert.Single(ssmAgain.VersionsOf("/app/db"));
        Assert.Equal(("s3cret", KeyArn, "Advanced", "db", "web"), (version.Value, version.KeyId, version.Tier, version.Description, version.Tags["team"]));
        Assert.Equal(ec2.ExportResources().Volumes, ec2Again.ExportResources().Volumes);
        Assert.Equal(ec2.ExportResources().Snapshots, ec2Again.ExportResources().Snapshots);
    }
}
