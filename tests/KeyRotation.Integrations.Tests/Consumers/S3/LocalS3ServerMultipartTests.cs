using Amazon.S3;
using Amazon.S3.Model;
using KeyRotation.LocalConsumers.S3;

namespace KeyRotation.Integrations.Tests.Consumers.S3;

/// <summary>The local endpoint answers the real SDK's multipart calls, and their refusals (the SDK maps NoSuchUpload to its own exception), as the S3 API reference describes them.</summary>
public sealed class LocalS3ServerMultipartTests
{
    [Fact]
    public async Task CopyObject_SourceOverTheCopyLimit_IsRefusedWithS3sError()
    {
        await using var world = new S3World();
        world.Server.AddBucket("data");
        world.Server.CopyLimit = 40;
        var original = world.Server.Put("data", S3LargeObjects.Large("big"));

        var error = await Assert.ThrowsAsync<AmazonS3Exception>(() => world.Client.CopyObjectAsync(new CopyObjectRequest
        {
            SourceBucket = "data",
            SourceKey = "big",
            DestinationBucket = "data",
            DestinationKey = "big",
            ServerSideEncryptionMethod = ServerSideEncryptionMethod.AWSKMS,
            ServerSideEncryptionKeyManagementServiceKeyId = S3World.NewKeyArn,
        }));

        Assert.Equal(("InvalidRequest", "The specified copy source is larger than the maximum allowable size for a copy source: 40"), (error.ErrorCode, error.Message));
        Assert.Same(original, world.Server.Current("data", "big"));
    }

    [Fact]
    public async Task CompleteMultipartUpload_PartBelowTheMinimumThatIsNotTheLast_IsRefusedAndTheUploadStays()
    {
        await using var world = new S3World();
        world.Server.AddBucket("data");
        world.Server.MinPartSize = 5;
        var original = world.Server.Put("data", S3LargeObjects.Large("big"));
        var upload = await world.Client.InitiateMultipartUploadAsync(new InitiateMultipartUploadRequest { BucketName = "data", Key = "copy" });
        var parts = new List<CopyPartResponse>();
        foreach (var (first, last, number) in new[] { (0L, 3L, 1), (4L, 49L, 2) })
        {
            parts.Add(await world.Client.CopyPartAsync(new CopyPartRequest { SourceBucket = "data", SourceKey = "big", DestinationBucket = "data", DestinationKey = "copy", UploadId = upload.UploadId, PartNumber = number, FirstByte = first, LastByte = last }));
        }

        var request = new CompleteMultipartUploadRequest { BucketName = "data", Key = "copy", UploadId = upload.UploadId };
        request.AddPartETagsAndChecksums(parts);
        var error = await Assert.ThrowsAsync<AmazonS3Exception>(() => world.Client.CompleteMultipartUploadAsync(request));

        Assert.Equal("EntityTooSmall", error.ErrorCode);
        Assert.Null(world.Server.Current("data", "copy"));
        Assert.Equal([upload.UploadId], world.Server.Uploads("data").Select(u => u.UploadId));
        Assert.Equal(original.ETag, world.Server.Current("data", "big")!.ETag);
    }

    [Fact]
    public async Task CompleteMultipartUpload_FullObjectCrc_IsTheChecksumOfTheWholeObject()
    {
        await using var world = new S3World();
        world.Server.AddBucket("data");
        world.Server.MinPartSize = 5;
        var original = world.Server.Put("data", S3LargeObjects.Large("big"));
        var upload = await world.Client.InitiateMultipartUploadAsync(new InitiateMultipartUploadRequest { BucketName = "data", Key = "copy", ChecksumAlgorithm = ChecksumAlgorithm.CRC32, ChecksumType = ChecksumType.FULL_OBJECT });
        var parts = new List<CopyPartResponse>();
        foreach (var (first, last, number) in new[] { (0L, 24L, 1), (25L, 49L, 2) })
        {
            parts.Add(await world.Client.CopyPartAsync(new CopyPartRequest { SourceBucket = "data", SourceKey = "big", DestinationBucket = "data", DestinationKey = "copy", UploadId = upload.UploadId, PartNumber = number, FirstByte = first, LastByte = last }));
        }

        var request = new CompleteMultipartUploadRequest { BucketName = "data", Key = "copy", UploadId = upload.UploadId, ChecksumType = ChecksumType.FULL_OBJECT };
        request.AddPartETagsAndChecksums(parts);
        var done = await world.Client.CompleteMultipartUploadAsync(request);

        Assert.Equal(LocalS3Checksums.Compute("CRC32", original.Content), done.ChecksumCRC32);
        Assert.Equal(ChecksumType.FULL_OBJECT, done.ChecksumType);
        Assert.EndsWith("-2\"", done.ETag, StringComparison.Ordinal);
        Assert.Equal(original.Content, world.Server.Current("data", "copy")!.Content);
        Assert.Empty(world.Server.Uploads("data"));
    }

    [Fact]
    public async Task ListMultipartUploads_MoreThanAPage_PagesByKeyAndUploadIdMarkers()
    {
        await using var world = new S3World();
        world.Server.AddBucket("data");
        var created = new List<string>();
        foreach (var key in new[] { "b", "a", "b", "ab" })
        {
            created.Add((await world.Client.InitiateMultipartUploadAsync(new InitiateMultipartUploadRequest { BucketName = "data", Key = key })).UploadId);
        }

        var seen = new List<(string Key, string UploadId)>();
        var request = new ListMultipartUploadsRequest { BucketName = "data", MaxUploads = 1 };
        ListMultipartUploadsResponse page;
        do
        {
            page = await world.Client.ListMultipartUploadsAsync(request);
            seen.AddRange(page.MultipartUploads.Select(u => (u.Key, u.UploadId)));
            (request.KeyMarker, request.UploadIdMarker) = (page.NextKeyMarker, page.NextUploadIdMarker);
        }
        while (page.IsTruncated == true);

        Assert.Equal([("a", created[1]), ("ab", created[3]), ("b", created[0]), ("b", created[2])], seen);
        var first = (await world.Client.ListMultipartUploadsAsync(new ListMultipartUploadsRequest { BucketName = "data", Prefix = "a" })).MultipartUploads;
        Assert.Equal(["a", "ab"], first.Select(u => u.Key));
        Assert.Equal("arn:aws:iam::111122223333:user/operator", first[0].Initiator.Id);
    }

    [Fact]
    public async Task AbortMultipartUpload_UnknownUpload_AnswersNoSuchUpload()
    {
        await using var world = new S3World();
        world.Server.AddBucket("data");

        var error = await Assert.ThrowsAsync<NoSuchUploadException>(() => world.Client.AbortMultipartUploadAsync(new AbortMultipartUploadRequest { BucketName = "data", Key = "a", UploadId = "nope" }));

        Assert.Equal(("NoSuchUpload", System.Net.HttpStatusCode.NotFound), (error.ErrorCode, error.StatusCode));
    }
}
