using System.Net;
using System.Text.Json.Nodes;
using Amazon.Runtime;
using KeyRotation.Integrations.Events;
using KeyRotation.Integrations.Tests.Notifications;

namespace KeyRotation.Integrations.Tests.Events;

/// <summary>The PutEvents stand-in's request: JSON 1.1, the target, the endpoint, and a SigV4 signature computed independently.</summary>
public sealed class PutEventsClientTests : IDisposable
{
    internal const string AccessKey = "AKIDEXAMPLE";
    internal const string SecretKey = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
    internal static readonly DateTimeOffset Now = new(2024, 5, 1, 12, 0, 0, TimeSpan.Zero);
    private const string Success = """{"FailedEntryCount":0,"Entries":[{"EventId":"11710aed-b79e-4468-a20b-bb3c0c3b4860"}]}""";

    private readonly RecordingHttpHandler _handler = new();
    private readonly RecordingTimeProvider _time = new(Now);

    public void Dispose() => _handler.Dispose();

    internal static JsonObject Entry(string detailType = "Key Rotated") => new()
    {
        ["Source"] = "keyrotation",
        ["DetailType"] = detailType,
        ["Detail"] = """{"alias":"alias/app-data"}""",
        ["Resources"] = new JsonArray("arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"),
        ["EventBusName"] = "default",
    };

    [Fact]
    public async Task PutAsync_FixedCredentialsAndTime_SendsIndependentlyComputedSigV4Signature()
    {
        _handler.Then(HttpStatusCode.OK, Success);

        await Client().PutAsync([Entry()], CancellationToken.None);

        var request = Assert.Single(_handler.Requests);
        var expected = ReferenceSigV4.AuthorizationHeader(
            AccessKey,
            SecretKey,
            "us-east-1",
            "events",
            Now,
            [("content-type", PutEventsClient.ContentType), ("host", "events.us-east-1.amazonaws.com"), ("x-amz-date", "20240501T120000Z"), ("x-amz-target", "AWSEvents.PutEvents")],
            request.Body);
        Assert.Equal(expected, request.Headers["Authorization"]);
        Assert.Equal(ReferenceSigV4.PayloadHash(request.Body), request.Headers["X-Amz-Content-SHA256"]);
    }

    [Fact]
    public async Task PutAsync_AnyEntries_PostsJson11ToTheRegionalEndpointWithTheTarget()
    {
        _handler.Then(HttpStatusCode.OK, Success);

        await Client().PutAsync([Entry()], CancellationToken.None);

        var request = Assert.Single(_handler.Requests);
        Assert.Equal((HttpMethod.Post, new Uri("https://events.us-east-1.amazonaws.com/")), (request.Method, request.Uri));
        Assert.Equal("application/x-amz-json-1.1", request.Headers["Content-Type"]);
        Assert.Equal("AWSEvents.PutEvents", request.Headers["X-Amz-Target"]);
        Assert.True(JsonNode.DeepEquals(new JsonObject { ["Entries"] = new JsonArray(Entry()) }, JsonNode.Parse(request.Body)));
    }

    [Fact]
    public async Task PutAsync_SessionCredentials_SignsTheSecurityToken()
    {
        _handler.Then(HttpStatusCode.OK, Success);

        await Client(credentials: new ImmutableCredentials(AccessKey, SecretKey, "token/+=")).PutAsync([Entry()], CancellationToken.None);

        var request = Assert.Single(_handler.Requests);
        Assert.Equal("token/+=", request.Headers["X-Amz-Security-Token"]);
        Assert.Contains("x-amz-security-token", request.Headers["Authorization"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task PutAsync_ThrottledCall_WaitsOnTheClockThenSendsAgain()
    {
        _handler.Then(HttpStatusCode.BadRequest, """{"__type":"ThrottlingException","message":"Rate exceeded"}""").Then(HttpStatusCode.OK, Success);
        var client = Client(new PutEventsOptions { Region = "us-east-1", BaseRetryDelay = TimeSpan.FromMilliseconds(200) });

        var put = client.PutAsync([Entry()], CancellationToken.None);
        await _time.WaitForTimerAsync();
        Assert.Single(_handler.Requests);
        _time.Advance(TimeSpan.FromMilliseconds(200));
        var failures = await put;

        Assert.Empty(failures);
        Assert.Equal(2, _handler.Requests.Count);
        Assert.Equal(TimeSpan.FromMilliseconds(200), Assert.Single(_time.TimerDueTimes));
    }

    [Fact]
    public async Task PutAsync_RefusedCall_IsNotSentAgainAndNamesTheError()
    {
        _handler.Then(HttpStatusCode.BadRequest, """{"__type":"AccessDeniedException","message":"not authorized to perform: events:PutEvents"}""");

        var failure = Assert.Single(await Client().PutAsync([Entry()], CancellationToken.None));

        Assert.Single(_handler.Requests);
        Assert.Equal(("AccessDeniedException", false), (failure.ErrorCode, failure.IsRetryable));
        Assert.Contains("not authorized to perform: events:PutEvents", failure.ErrorMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PutAsync_ServerErrorsEveryTime_GivesUpAfterMaxAttempts()
    {
        _handler.Always(HttpStatusCode.InternalServerError, """{"__type":"InternalException","message":"try again"}""");

        var failure = Assert.Single(await Client().PutAsync([Entry()], CancellationToken.None));

        Assert.Equal(4, _handler.Requests.Count);
        Assert.Equal("InternalException", failure.ErrorCode);
    }

    [Fact]
    public async Task PutAsync_ElevenEntries_IsRefusedBeforeAnyCall()
    {
        await Assert.ThrowsAsync<ArgumentException>(() => Client().PutAsync([.. Enumerable.Range(0, 11).Select(_ => Entry())], CancellationToken.None));

        Assert.Empty(_handler.Requests);
    }

    [Fact]
    public void Endpoint_ServiceUrl_IsUsedAsGiven()
    {
        var client = Client(new PutEventsOptions { Region = "eu-west-1", ServiceUrl = new Uri("http://127.0.0.1:4566/") });

        Assert.Equal(new Uri("http://127.0.0.1:4566/"), client.Endpoint);
    }

    [Fact]
    public void Endpoint_ChinaRegion_UsesTheChinaDomain()
    {
        Assert.Equal(new Uri("https://events.cn-north-1.amazonaws.com.cn/"), Client(new PutEventsOptions { Region = "cn-north-1" }).Endpoint);
    }

    private PutEventsClient Client(PutEventsOptions? options = null, ImmutableCredentials? credentials = null) =>
        new(
            new HttpClient(_handler),
            options ?? new PutEventsOptions { Region = "us-east-1", BaseRetryDelay = TimeSpan.Zero },
            _ => Task.FromResult(credentials ?? new ImmutableCredentials(AccessKey, SecretKey, null)),
            _time,
            () => 1.0);
}
