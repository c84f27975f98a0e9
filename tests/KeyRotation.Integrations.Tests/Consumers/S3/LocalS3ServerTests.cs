using Amazon.S3;
using Amazon.S3.Model;
using KeyRotation.LocalConsumers.S3;

namespace KeyRotation.Integrations.Tests.Consumers.S3;

/// <summary>The local endpoint answers the real SDK as S3 does, for the calls the migration itself does not make.</summary>
public sealed class LocalS3ServerTests
{
    [Fact]
    public async Task GetObjectTagging_ObjectWithTags_AnswersTheTagSet()
    {
        await using var world = new S3World();
        world.Server.AddBucket("data");
        world.Server.Put("data", S3World.KmsObject("a") with { Tags = [KeyValuePair.Create("team", "web"), KeyValuePair.Create("tier", "public")] });

        var tagging = await world.Client.GetObjectTaggingAsync(new GetObjectTaggingRequest { BucketName = "data", Key = "a" });

        Assert.Equal([("team", "web"), ("tier", "public")], tagging.Tagging.Select(t => (t.Key, t.Value)));
    }

    [Fact]
    public async Task PutObjectAcl_Grants_ReplaceTheObjectsAcl()
    {
        await using var world = new S3World();
        world.Server.AddBucket("data");
        world.Server.Put("data", S3World.KmsObject("a"));
        var acl = new S3AccessControlList { Owner = new Owner { Id = LocalS3Server.OwnerId } };
        acl.AddGrant(new S3Grantee { CanonicalUser = LocalS3Server.OwnerId }, S3Permission.FULL_CONTROL);
        acl.AddGrant(new S3Grantee { URI = "http://acs.amazonaws.com/groups/global/AllUsers" }, S3Permission.READ);

        await world.Client.PutObjectAclAsync(new PutObjectAclRequest { BucketName = "data", Key = "a", AccessControlPolicy = acl });

        Assert.Equal(
            [new LocalS3Grant(LocalS3Server.OwnerId, null, "FULL_CONTROL"), new LocalS3Grant(null, "http://acs.amazonaws.com/groups/global/AllUsers", "READ")],
            world.Server.Current("data", "a")!.Grants);
    }

    [Fact]
    public async Task GetBucketEncryption_NoConfiguration_AnswersTheErrorCodeTheSdkReadsAsNoRules()
    {
        await using var world = new S3World();
        world.Server.AddBucket("plain");

        // AWSSDK.S3 turns exactly ServerSideEncryptionConfigurationNotFoundError (404) into an answer without rules;
        // any other error would throw.
        var answer = await world.Client.GetBucketEncryptionAsync(new GetBucketEncryptionRequest { BucketName = "plain" });

        Assert.Empty(answer.ServerSideEncryptionConfiguration?.ServerSideEncryptionRules ?? []);
    }

    [Fact]
    public async Task CopyObject_OntoItselfChangingNothing_IsRefusedAsS3Does()
    {
        await using var world = new S3World();
        world.Server.AddBucket("data");
        var original = world.Server.Put("data", S3World.KmsObject("a"));

        var error = await Assert.ThrowsAsync<AmazonS3Exception>(() => world.Client.CopyObjectAsync(new CopyObjectRequest
        {
            SourceBucket = "data",
            SourceKey = "a",
            DestinationBucket = "data",
            DestinationKey = "a",
            ServerSideEncryptionMethod = ServerSideEncryptionMethod.AWSKMS,
            ServerSideEncryptionKeyManagementServiceKeyId = S3World.OldKeyArn,
        }));

        Assert.Equal("InvalidRequest", error.ErrorCode);
        Assert.Same(original, world.Server.Current("data", "a"));
    }
}
