using System.Net;
using Amazon.Runtime;
using KeyRotation.Integrations.Tagging;
using KeyRotation.Integrations.Tests.Notifications;

namespace KeyRotation.Integrations.Tests.Tagging;

public sealed class ResourceTaggingClientTests : IDisposable
{
    private const string AccessKey = "AKIDEXAMPLE";
    private const string SecretKey = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
    private const string JsonContentType = "application/x-amz-json-1.1";
    private static readonly DateTimeOffset Now = new(2024, 5, 1, 12, 0, 0, TimeSpan.Zero);

    private static readonly Dictionary<string, string> MoveTags = new(StringComparer.Ordinal)
    {
        ["keyrotation:alias"] = "alias/orders",
        ["keyrotation:sequence"] = "3",
        ["keyrotation:previous-key"] = "1234abcd-12ab-34cd-56ef-1234567890ab",
    };

    private readonly RecordingHttpHandler _handler = new();

    public void Dispose() => _handler.Dispose();

    [Fact]
    public async Task FindKeyArnsAsync_OnePage_PostsExactSignedGetResourcesToTheRegionsTaggingEndpoint()
    {
        _handler.Then(HttpStatusCode.OK, """{"PaginationToken":"","ResourceTagMappingList":[{"ResourceARN":"arn:aws:kms:us-east-1:123456789012:key/k1","Tags":[{"Key":"keyrotation:sequence","Value":"3"}]}]}""");

        var arns = await Client().FindKeyArnsAsync(MoveTags, CancellationToken.None);

        Assert.Equal(["arn:aws:kms:us-east-1:123456789012:key/k1"], arns);
        var request = Assert.Single(_handler.Requests);
        Assert.Equal(new Uri("https://tagging.us-east-1.amazonaws.com/"), request.Uri);
        Assert.Equal("ResourceGroupsTaggingAPI_20170126.GetResources", request.Headers["X-Amz-Target"]);
        Assert.Equal(JsonContentType, request.Headers["Content-Type"]);
        Assert.Equal(
            """{"ResourceTypeFilters":["kms:key"],"TagFilters":[{"Key":"keyrotation:alias","Values":["alias/orders"]},{"Key":"keyrotation:sequence","Values":["3"]},{"Key":"keyrotation:previous-key","Values":["1234abcd-12ab-34cd-56ef-1234567890ab"]}]}""",
            request.Body);
        var expected = ReferenceSigV4.AuthorizationHeader(
            AccessKey,
            SecretKey,
            "us-east-1",
            "tagging",
            Now,
            [("content-type", JsonContentType), ("host", "tagging.us-east-1.amazonaws.com"), ("x-amz-date", "20240501T120000Z"), ("x-amz-target", "ResourceGroupsTaggingAPI_20170126.GetResources")],
            request.Body);
        Assert.Equal(expected, request.Headers["Authorization"]);
    }

    [Fact]
    public async Task FindKeyArnsAsync_TokenOnEveryPageButTheLast_FollowsItUntilEmpty()
    {
        _handler
            .Then(HttpStatusCode.OK, """{"PaginationToken":"page-2","ResourceTagMappingList":[{"ResourceARN":"arn:aws:kms:us-east-1:123456789012:key/k1","Tags":[]}]}""")
            .Then(HttpStatusCode.OK, """{"PaginationToken":"page-3","ResourceTagMappingList":[]}""")
            .Then(HttpStatusCode.OK, """{"PaginationToken":"","ResourceTagMappingList":[{"ResourceARN":"arn:aws:kms:us-east-1:123456789012:key/k2","Tags":[]}]}""");

        var arns = await Client().FindKeyArnsAsync(MoveTags, CancellationToken.None);

        Assert.Equal(["arn:aws:kms:us-east-1:123456789012:key/k1", "arn:aws:kms:us-east-1:123456789012:key/k2"], arns);
        Assert.Equal(3, _handler.Requests.Count);
        Assert.DoesNotContain("PaginationToken", _handler.Requests[0].Body, StringComparison.Ordinal);
        Assert.EndsWith(""","PaginationToken":"page-2"}""", _handler.Requests[1].Body, StringComparison.Ordinal);
        Assert.EndsWith(""","PaginationToken":"page-3"}""", _handler.Requests[2].Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FindKeyArnsAsync_ServiceRefuses_ThrowsWithItsCodeStatusAndMessage()
    {
        _handler.Then(HttpStatusCode.BadRequest, """{"__type":"com.amazonaws.resourcegroupstaggingapi#AccessDeniedException","Message":"not authorized to perform tag:GetResources"}""");

        var error = await Assert.ThrowsAsync<AmazonServiceException>(() => Client().FindKeyArnsAsync(MoveTags, CancellationToken.None));

        Assert.Equal(("AccessDeniedException", HttpStatusCode.BadRequest), (error.ErrorCode, error.StatusCode));
        Assert.Contains("tag:GetResources", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_ServiceUrl_IsUsedAsIs()
    {
        var client = new ResourceTaggingClient(new HttpClient(_handler, disposeHandler: false), "eu-west-1", new Uri("http://127.0.0.1:4566/"), Credentials, new RecordingTimeProvider(Now));

        Assert.Equal(new Uri("http://127.0.0.1:4566/"), client.Endpoint);
    }

    [Fact]
    public void Constructor_BadRegion_ThrowsNamingIt()
    {
        var error = Assert.Throws<ArgumentException>(() => new ResourceTaggingClient(new HttpClient(_handler, disposeHandler: false), "Europe", null, Credentials, new RecordingTimeProvider(Now)));

        Assert.Contains("'Europe'", error.Message, StringComparison.Ordinal);
    }

    private static Task<ImmutableCredentials> Credentials(CancellationToken ct) => Task.FromResult(new ImmutableCredentials(AccessKey, SecretKey, null));

    private ResourceTaggingClient Client() =>
        new(new HttpClient(_handler, disposeHandler: false), "us-east-1", null, Credentials, new RecordingTimeProvider(Now));
}
