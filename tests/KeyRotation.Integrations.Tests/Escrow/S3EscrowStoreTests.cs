using Amazon.S3;
using Amazon.S3.Model;
using KeyRotation.Integrations.Escrow;

namespace KeyRotation.Integrations.Tests.Escrow;

public sealed class S3EscrowStoreTests
{
    private const string Bucket = "escrow-bucket";
    private const string ObjectKey = "key-escrow/orders/1234.json";

    private readonly InMemoryS3 _s3 = new(Bucket);

    private S3EscrowStore Store => new(_s3.Object);

    [Fact]
    public async Task PutIfAbsentAsync_NewObject_PutsNeverOverwritingWithSseAsJson()
    {
        var written = await Store.PutIfAbsentAsync(Bucket, ObjectKey, [1, 2, 3], CancellationToken.None);

        Assert.True(written);
        var put = Assert.Single(_s3.Requests<PutObjectRequest>());
        Assert.Equal((Bucket, ObjectKey, "*", ServerSideEncryptionMethod.AES256, "application/json"), (put.BucketName, put.Key, put.IfNoneMatch, put.ServerSideEncryptionMethod, put.ContentType));
        Assert.Equal([1, 2, 3], _s3.Body(Bucket, ObjectKey));
    }

    [Fact]
    public async Task PutIfAbsentAsync_ObjectExists_ReturnsFalseAndKeepsTheObject()
    {
        _s3.Objects[Bucket + "/" + ObjectKey] = ([9], ServerSideEncryptionMethod.AES256);

        var written = await Store.PutIfAbsentAsync(Bucket, ObjectKey, [1, 2, 3], CancellationToken.None);

        Assert.False(written);
        Assert.Equal([9], _s3.Body(Bucket, ObjectKey));
    }

    [Fact]
    public async Task PutIfAbsentAsync_AccessDenied_ThrowsTheS3Error()
    {
        _s3.Unwritable.Add(Bucket);

        var error = await Assert.ThrowsAsync<AmazonS3Exception>(() => Store.PutIfAbsentAsync(Bucket, ObjectKey, [1], CancellationToken.None));

        Assert.Equal("AccessDenied", error.ErrorCode);
    }

    [Fact]
    public async Task GetAsync_ObjectExists_ReturnsItsBytes()
    {
        _s3.Objects[Bucket + "/" + ObjectKey] = ([4, 5], ServerSideEncryptionMethod.AES256);

        var body = await Store.GetAsync(Bucket, ObjectKey, CancellationToken.None);

        Assert.Equal([4, 5], body);
        var get = Assert.Single(_s3.Requests<GetObjectRequest>());
        Assert.Equal((Bucket, ObjectKey), (get.BucketName, get.Key));
    }

    [Fact]
    public async Task GetAsync_NoSuchKey_ReturnsNull()
    {
        Assert.Null(await Store.GetAsync(Bucket, ObjectKey, CancellationToken.None));
    }

    [Fact]
    public async Task ExistsAsync_ObjectExistsOrNot_AnswersWithGetObject()
    {
        _s3.Objects[Bucket + "/" + ObjectKey] = ([4], ServerSideEncryptionMethod.AES256);

        Assert.True(await Store.ExistsAsync(Bucket, ObjectKey, CancellationToken.None));
        Assert.False(await Store.ExistsAsync(Bucket, ObjectKey + ".2", CancellationToken.None));
        Assert.Equal(["GetObject", "GetObject"], _s3.Calls.Select(c => c.Operation));
    }

    [Fact]
    public async Task GetAsync_OtherS3Error_ThrowsIt()
    {
        _s3.ThrowAt[("GetObject", 1)] = new AmazonS3Exception("Access Denied", Amazon.Runtime.ErrorType.Sender, "AccessDenied", "request-id", System.Net.HttpStatusCode.Forbidden);

        var error = await Assert.ThrowsAsync<AmazonS3Exception>(() => Store.GetAsync(Bucket, ObjectKey, CancellationToken.None));

        Assert.Equal("AccessDenied", error.ErrorCode);
    }
}
