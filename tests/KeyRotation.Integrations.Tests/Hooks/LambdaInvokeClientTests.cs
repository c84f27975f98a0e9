using System.Net;
using System.Text;
using Amazon.Runtime;
using KeyRotation.Core.Hooks;
using KeyRotation.Integrations.Hooks;
using KeyRotation.Integrations.Tests.Notifications;
using KeyRotation.Testing.Hooks;

namespace KeyRotation.Integrations.Tests.Hooks;

/// <summary>The Lambda Invoke stand-in: the exact signed request, and each answer Lambda's Invoke API reference documents.</summary>
public sealed class LambdaInvokeClientTests : IDisposable
{
    private const string AccessKey = "AKIDEXAMPLE";
    private const string SecretKey = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
    private const string Arn = "arn:aws:lambda:eu-west-1:111122223333:function:orders-key-check:live";
    private const string Payload = """{"step":"testNewKey","alias":"alias/orders"}""";
    private static readonly DateTimeOffset Now = new(2024, 5, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly MoveHookArn Hook = Parse(Arn);

    private readonly RecordingHttpHandler _handler = new();

    public void Dispose() => _handler.Dispose();

    [Fact]
    public async Task InvokeAsync_RequestResponse_PostsTheSignedPayloadToTheFunctionsRegionWithTheFullArnInThePath()
    {
        _handler.Then(HttpStatusCode.OK, """{"ok":true}""");

        var answer = await Client().InvokeAsync(Hook, Payload, HookInvocation.RequestResponse, CancellationToken.None);

        Assert.Equal(new HookAnswer("""{"ok":true}"""), answer);
        var request = Assert.Single(_handler.Requests);
        Assert.Equal(HttpMethod.Post, request.Method);
        Assert.Equal("https://lambda.eu-west-1.amazonaws.com/2015-03-31/functions/arn%3Aaws%3Alambda%3Aeu-west-1%3A111122223333%3Afunction%3Aorders-key-check%3Alive/invocations", request.Uri.AbsoluteUri);
        Assert.Equal(("RequestResponse", "Tail", "application/json"), (request.Headers["X-Amz-Invocation-Type"], request.Headers["X-Amz-Log-Type"], request.Headers["Content-Type"]));
        Assert.Equal(Payload, request.Body);
        var expected = ReferenceSigV4.AuthorizationHeader(
            AccessKey,
            SecretKey,
            "eu-west-1",
            "lambda",
            Now,
            [("content-type", "application/json"), ("host", "lambda.eu-west-1.amazonaws.com"), ("x-amz-date", "20240501T120000Z")],
            Payload,
            // SigV4 encodes each path segment once more for every service but S3.
            "/2015-03-31/functions/arn%253Aaws%253Alambda%253Aeu-west-1%253A111122223333%253Afunction%253Aorders-key-check%253Alive/invocations");
        Assert.Equal(expected, request.Headers["Authorization"]);
    }

    [Fact]
    public async Task InvokeAsync_Event_AsksForNoLogAndAccepts202()
    {
        _handler.Then(HttpStatusCode.Accepted, string.Empty);

        var answer = await Client().InvokeAsync(Hook, Payload, HookInvocation.Event, CancellationToken.None);

        Assert.Equal(new HookAnswer(string.Empty), answer);
        var request = Assert.Single(_handler.Requests);
        Assert.Equal("Event", request.Headers["X-Amz-Invocation-Type"]);
        Assert.False(request.Headers.ContainsKey("X-Amz-Log-Type"));
    }

    [Fact]
    public async Task InvokeAsync_AgainstALocalEndpoint_SendsEveryRequestThereAndReadsFunctionErrorAndLogTail()
    {
        await using var lambda = new RecordingLambdaEndpoint();
        var tail = "START RequestId: 1\nkms:Decrypt denied\nEND RequestId: 1\n";
        lambda.Then(
            HttpStatusCode.OK,
            """{"errorMessage":"kms:Decrypt denied","errorType":"AccessDeniedException"}""",
            ("X-Amz-Function-Error", "Unhandled"),
            ("X-Amz-Log-Result", Convert.ToBase64String(Encoding.UTF8.GetBytes(tail))),
            ("X-Amz-Executed-Version", "7"));
        lambda.Then(HttpStatusCode.Accepted, string.Empty);
        using var http = new HttpClient();
        var client = new LambdaInvokeClient(http, lambda.Url, Credentials, new RecordingTimeProvider(Now));

        var failed = await client.InvokeAsync(Hook, Payload, HookInvocation.RequestResponse, CancellationToken.None);
        await client.InvokeAsync(Hook, Payload, HookInvocation.Event, CancellationToken.None);

        Assert.Equal(("Unhandled", tail.TrimEnd()), (failed.FunctionError, failed.LogTail));
        Assert.Contains("kms:Decrypt denied", failed.Payload, StringComparison.Ordinal);
        var requests = lambda.Requests.ToList();
        Assert.Equal(2, requests.Count);
        Assert.All(requests, r => Assert.Equal(("POST", "/2015-03-31/functions/arn%3Aaws%3Alambda%3Aeu-west-1%3A111122223333%3Afunction%3Aorders-key-check%3Alive/invocations", Payload), (r.Method, r.RawPath, r.Body)));
        Assert.All(requests, r => Assert.StartsWith($"AWS4-HMAC-SHA256 Credential={AccessKey}/20240501/eu-west-1/lambda/aws4_request", r.Headers["Authorization"], StringComparison.Ordinal));
        Assert.Equal(["RequestResponse", "Event"], requests.Select(r => r.Headers["X-Amz-Invocation-Type"]));
        Assert.Equal(lambda.Url.Authority, requests[0].Headers["Host"]);
    }

    [Theory]
    [InlineData(HttpStatusCode.NotFound, "ResourceNotFoundException", "Function not found: arn:aws:lambda:eu-west-1:111122223333:function:orders-key-check:live")]
    [InlineData(HttpStatusCode.Forbidden, "AccessDeniedException", "not authorized to perform: lambda:InvokeFunction")]
    [InlineData(HttpStatusCode.BadRequest, "InvalidRequestContentException", "Could not parse request body into json")]
    [InlineData(HttpStatusCode.RequestEntityTooLarge, "RequestTooLargeException", "Request must be smaller than 6291456 bytes for the InvokeFunction operation")]
    [InlineData(HttpStatusCode.TooManyRequests, "TooManyRequestsException", "Rate Exceeded.")]
    [InlineData(HttpStatusCode.InternalServerError, "ServiceException", "An internal error occurred")]
    [InlineData(HttpStatusCode.BadGateway, "EC2UnexpectedException", "Lambda was not able to create an ENI")]
    public async Task InvokeAsync_LambdaRefuses_ThrowsWithStatusTypeAndMessage(HttpStatusCode status, string type, string message)
    {
        var client = new LambdaInvokeClient(new HttpClient(new TypedErrorHandler(status, type, message)), null, Credentials, new RecordingTimeProvider(Now));

        var error = await Assert.ThrowsAsync<HookInvocationException>(() => client.InvokeAsync(Hook, Payload, HookInvocation.RequestResponse, CancellationToken.None));

        Assert.StartsWith($"Lambda answered HTTP {(int)status} {type}: {message}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task InvokeAsync_ErrorTypeOnlyInTheBody_IsReadFromIt()
    {
        _handler.Then(HttpStatusCode.NotFound, """{"__type":"com.amazonaws.lambda#ResourceNotFoundException","Message":"Function not found"}""");

        var error = await Assert.ThrowsAsync<HookInvocationException>(() => Client().InvokeAsync(Hook, Payload, HookInvocation.RequestResponse, CancellationToken.None));

        Assert.Equal("Lambda answered HTTP 404 ResourceNotFoundException: Function not found", error.Message);
    }

    [Fact]
    public async Task InvokeAsync_EventAnswered200_IsNotTakenForAcceptance()
    {
        _handler.Then(HttpStatusCode.OK, """{"ok":true}""");

        await Assert.ThrowsAsync<HookInvocationException>(() => Client().InvokeAsync(Hook, Payload, HookInvocation.Event, CancellationToken.None));
    }

    [Fact]
    public async Task InvokeAsync_NoConnection_ThrowsNamingTheEndpoint()
    {
        _handler.ThenThrow(new HttpRequestException("Connection refused"));

        var error = await Assert.ThrowsAsync<HookInvocationException>(() => Client().InvokeAsync(Hook, Payload, HookInvocation.RequestResponse, CancellationToken.None));

        Assert.Equal("the request to https://lambda.eu-west-1.amazonaws.com did not complete: Connection refused", error.Message);
    }

    [Fact]
    public void InvocationUri_ConfiguredEndpoint_IsUsedForEveryRegion()
    {
        var client = new LambdaInvokeClient(new HttpClient(_handler, disposeHandler: false), new Uri("http://127.0.0.1:4566/"), Credentials, new RecordingTimeProvider(Now));

        Assert.Equal("http://127.0.0.1:4566/2015-03-31/functions/arn%3Aaws%3Alambda%3Aeu-west-1%3A111122223333%3Afunction%3Aorders-key-check%3Alive/invocations", client.InvocationUri(Hook).AbsoluteUri);
    }

    private static MoveHookArn Parse(string arn) => MoveHookArn.TryParse(arn, out var parsed, out var problem) ? parsed : throw new InvalidOperationException(problem);

    private static Task<ImmutableCredentials> Credentials(CancellationToken ct) => Task.FromResult(new ImmutableCredentials(AccessKey, SecretKey, null));

    private LambdaInvokeClient Client() => new(new HttpClient(_handler, disposeHandler: false), null, Credentials, new RecordingTimeProvider(Now));

    /// <summary>Answers as Lambda does on a refusal: the error type in x-amzn-ErrorType, the message in the body.</summary>
    private sealed class TypedErrorHandler(HttpStatusCode status, string type, string message) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = new HttpResponseMessage(status) { Content = new StringContent($$"""{"Type":"User","message":"{{message}}"}""", Encoding.UTF8, "application/json") };
            response.Headers.TryAddWithoutValidation("x-amzn-ErrorType", type + ":http://internal.amazon.com/coral/com.amazonaws.awslambda/");
            return Task.FromResult(response);
        }
    }
}
