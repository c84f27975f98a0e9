using System.Net;
using Amazon.Runtime;
using KeyRotation.Core.Notifications;
using KeyRotation.Integrations.Notifications;

namespace KeyRotation.Integrations.Tests.Notifications;

public sealed class SnsPublishClientTests : IDisposable
{
    private const string AccessKey = "AKIDEXAMPLE";
    private const string SecretKey = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
    private const string TopicArn = "arn:aws:sns:us-east-1:123456789012:key-rotation";
    private const string FormContentType = "application/x-www-form-urlencoded; charset=utf-8";
    private static readonly DateTimeOffset Now = new(2024, 5, 1, 12, 0, 0, TimeSpan.Zero);

    private const string SuccessXml = """
        <PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/">
          <PublishResult>
            <MessageId>94f20ce6-13c5-43a0-9a9e-ca52d816e90b</MessageId>
          </PublishResult>
          <ResponseMetadata>
            <RequestId>f187a3c1-376f-11df-8963-01868b7c937a</RequestId>
          </ResponseMetadata>
        </PublishResponse>
        """;

    private readonly RecordingHttpHandler _handler = new();
    private readonly RecordingTimeProvider _time = new(Now);

    public void Dispose() => _handler.Dispose();

    [Fact]
    public async Task PublishAsync_Success_ReturnsMessageIdFromXml()
    {
        _handler.Then(HttpStatusCode.OK, SuccessXml);

        var messageId = await CreateClient().PublishAsync(Message(), CancellationToken.None);

        Assert.Equal("94f20ce6-13c5-43a0-9a9e-ca52d816e90b", messageId);
    }

    [Fact]
    public async Task PublishAsync_AnyMessage_PostsFormToRegionalEndpoint()
    {
        _handler.Then(HttpStatusCode.OK, SuccessXml);

        await CreateClient().PublishAsync(Message(), CancellationToken.None);

        var request = Assert.Single(_handler.Requests);
        Assert.Equal(HttpMethod.Post, request.Method);
        Assert.Equal(new Uri("https://sns.us-east-1.amazonaws.com/"), request.Uri);
        Assert.Equal(FormContentType, request.Headers["Content-Type"]);
    }

    [Fact]
    public async Task PublishAsync_SubjectAndAttributes_SendsExactFormFields()
    {
        _handler.Then(HttpStatusCode.OK, SuccessXml);
        var message = new SnsMessage(
            NotificationTopicArn.Parse(TopicArn),
            "body",
            "Key rotated",
            new Dictionary<string, string> { ["outcome"] = "Rotated", ["alias"] = "alias/app" });

        await CreateClient().PublishAsync(message, CancellationToken.None);

        Assert.Equal(
            [
                KeyValuePair.Create("Action", "Publish"),
                KeyValuePair.Create("Version", "2010-03-31"),
                KeyValuePair.Create("TopicArn", TopicArn),
                KeyValuePair.Create("Subject", "Key rotated"),
                KeyValuePair.Create("Message", "body"),
                KeyValuePair.Create("MessageAttributes.entry.1.Name", "alias"),
                KeyValuePair.Create("MessageAttributes.entry.1.Value.DataType", "String"),
                KeyValuePair.Create("MessageAttributes.entry.1.Value.StringValue", "alias/app"),
                KeyValuePair.Create("MessageAttributes.entry.2.Name", "outcome"),
                KeyValuePair.Create("MessageAttributes.entry.2.Value.DataType", "String"),
                KeyValuePair.Create("MessageAttributes.entry.2.Value.StringValue", "Rotated"),
            ],
            Assert.Single(_handler.Requests).FormFields());
    }

    [Fact]
    public async Task PublishAsync_SpecialAndUnicodeCharacters_PercentEncodesPerRfc3986()
    {
        _handler.Then(HttpStatusCode.OK, SuccessXml);
        var message = new SnsMessage(
            NotificationTopicArn.Parse(TopicArn),
            "Ünï € 😀 a+b=c&d/e?f~x_y.z-",
            "Key rotated: alias/app & co",
            new Dictionary<string, string> { ["alias"] = "alias/app" });

        await CreateClient().PublishAsync(message, CancellationToken.None);

        Assert.Equal(
            "Action=Publish&Version=2010-03-31"
            + "&TopicArn=arn%3Aaws%3Asns%3Aus-east-1%3A123456789012%3Akey-rotation"
            + "&Subject=Key%20rotated%3A%20alias%2Fapp%20%26%20co"
            + "&Message=%C3%9Cn%C3%AF%20%E2%82%AC%20%F0%9F%98%80%20a%2Bb%3Dc%26d%2Fe%3Ff~x_y.z-"
            + "&MessageAttributes.entry.1.Name=alias"
            + "&MessageAttributes.entry.1.Value.DataType=String"
            + "&MessageAttributes.entry.1.Value.StringValue=alias%2Fapp",
            Assert.Single(_handler.Requests).Body);
    }

    [Fact]
    public async Task PublishAsync_NoSubject_OmitsSubjectField()
    {
        _handler.Then(HttpStatusCode.OK, SuccessXml);

        await CreateClient().PublishAsync(Message(subject: null), CancellationToken.None);

        Assert.DoesNotContain(Assert.Single(_handler.Requests).FormFields(), f => f.Key == "Subject");
    }

    [Fact]
    public async Task PublishAsync_FixedCredentialsAndTime_SendsIndependentlyComputedSigV4Signature()
    {
        _handler.Then(HttpStatusCode.OK, SuccessXml);

        await CreateClient().PublishAsync(Message(), CancellationToken.None);

        var request = Assert.Single(_handler.Requests);
        var expected = ReferenceSigV4.AuthorizationHeader(
            AccessKey,
            SecretKey,
            "us-east-1",
            "sns",
            Now,
            [("content-type", FormContentType), ("host", "sns.us-east-1.amazonaws.com"), ("x-amz-date", "20240501T120000Z")],
            request.Body);
        Assert.Equal("20240501T120000Z", request.Headers["X-Amz-Date"]);
        Assert.Equal("sns.us-east-1.amazonaws.com", request.Headers["Host"]);
        Assert.Equal(ReferenceSigV4.PayloadHash(request.Body), request.Headers["X-Amz-Content-SHA256"]);
        Assert.Equal(expected, request.Headers["Authorization"]);
    }

    [Fact]
    public async Task PublishAsync_SessionCredentials_SendsAndSignsSecurityToken()
    {
        _handler.Then(HttpStatusCode.OK, SuccessXml);
        var credentials = new ImmutableCredentials(AccessKey, SecretKey, "session-token/+=");

        await CreateClient(credentials: credentials).PublishAsync(Message(), CancellationToken.None);

        var request = Assert.Single(_handler.Requests);
        var expected = ReferenceSigV4.AuthorizationHeader(
            AccessKey,
            SecretKey,
            "us-east-1",
            "sns",
            Now,
            [
                ("content-type", FormContentType),
                ("host", "sns.us-east-1.amazonaws.com"),
                ("x-amz-date", "20240501T120000Z"),
                ("x-amz-security-token", "session-token/+="),
            ],
            request.Body);
        Assert.Equal("session-token/+=", request.Headers["X-Amz-Security-Token"]);
        Assert.Equal(expected, request.Headers["Authorization"]);
    }

    [Fact]
    public async Task PublishAsync_LongTermCredentials_SendsNoSecurityToken()
    {
        _handler.Then(HttpStatusCode.OK, SuccessXml);

        await CreateClient().PublishAsync(Message(), CancellationToken.None);

        Assert.False(Assert.Single(_handler.Requests).Headers.ContainsKey("X-Amz-Security-Token"));
    }

    [Fact]
    public async Task PublishAsync_ServiceUrlWithPort_PostsThereAndSignsHostWithPort()
    {
        _handler.Then(HttpStatusCode.OK, SuccessXml);
        var options = new SnsClientOptions { Region = "us-east-1", ServiceUrl = new Uri("http://localhost:4566/") };

        await CreateClient(options).PublishAsync(Message(), CancellationToken.None);

        var request = Assert.Single(_handler.Requests);
        var expected = ReferenceSigV4.AuthorizationHeader(
            AccessKey,
            SecretKey,
            "us-east-1",
            "sns",
            Now,
            [("content-type", FormContentType), ("host", "localhost:4566"), ("x-amz-date", "20240501T120000Z")],
            request.Body);
        Assert.Equal(new Uri("http://localhost:4566/"), request.Uri);
        Assert.Equal(expected, request.Headers["Authorization"]);
    }

    [Theory]
    [InlineData(HttpStatusCode.Forbidden, "Sender", "AuthorizationError", "User: arn:aws:iam::123456789012:role/rotator is not authorized to perform: SNS:Publish")]
    [InlineData(HttpStatusCode.NotFound, "Sender", "NotFound", "Topic does not exist")]
    [InlineData(HttpStatusCode.BadRequest, "Sender", "InvalidParameter", "Invalid parameter: Subject")]
    public async Task PublishAsync_ClientError_ThrowsSnsPublishExceptionWithCodeAndMessage(
        HttpStatusCode status, string type, string code, string snsMessage)
    {
        _handler.Always(status, ErrorXml(type, code, snsMessage));

        var error = await Assert.ThrowsAsync<SnsPublishException>(() => CreateClient().PublishAsync(Message(), CancellationToken.None));

        Assert.Equal(code, error.Code);
        Assert.Equal(status, error.StatusCode);
        Assert.Equal("req-1234", error.RequestId);
        Assert.False(error.IsRetryable);
        Assert.Contains(TopicArn, error.Message, StringComparison.Ordinal);
        Assert.Contains(code, error.Message, StringComparison.Ordinal);
        Assert.Contains(snsMessage, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(HttpStatusCode.Forbidden, "AuthorizationError")]
    [InlineData(HttpStatusCode.NotFound, "NotFound")]
    [InlineData(HttpStatusCode.BadRequest, "InvalidParameter")]
    public async Task PublishAsync_ClientError_IsNotRetried(HttpStatusCode status, string code)
    {
        _handler.Always(status, ErrorXml("Sender", code, "refused"));

        await Assert.ThrowsAsync<SnsPublishException>(() => CreateClient().PublishAsync(Message(), CancellationToken.None));

        Assert.Single(_handler.Requests);
        Assert.Empty(_time.TimerDueTimes);
    }

    [Fact]
    public async Task PublishAsync_ErrorBodyIsNotSnsXml_ThrowsWithHttpStatusAsCode()
    {
        _handler.Always(HttpStatusCode.BadRequest, "<html><body>Bad gateway config</body></html>");

        var error = await Assert.ThrowsAsync<SnsPublishException>(() => CreateClient().PublishAsync(Message(), CancellationToken.None));

        Assert.Equal("Http400", error.Code);
        Assert.Contains("Bad gateway config", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PublishAsync_SuccessWithoutMessageId_ThrowsInvalidResponseWithoutRetry()
    {
        _handler.Always(HttpStatusCode.OK, "<PublishResponse><PublishResult/></PublishResponse>");

        var error = await Assert.ThrowsAsync<SnsPublishException>(() => CreateClient().PublishAsync(Message(), CancellationToken.None));

        Assert.Equal("InvalidResponse", error.Code);
        Assert.Single(_handler.Requests);
    }

    [Fact]
    public async Task PublishAsync_ThrottledThenSuccess_RetriesAfterBackoffAndReturnsMessageId()
    {
        _handler.Then(HttpStatusCode.BadRequest, ErrorXml("Sender", "Throttling", "Rate exceeded"))
            .Then(HttpStatusCode.OK, SuccessXml);
        var client = CreateClient(new SnsClientOptions { Region = "us-east-1", BaseRetryDelay = TimeSpan.FromSeconds(2) });

        var publish = client.PublishAsync(Message(), CancellationToken.None);
        await _time.WaitForTimerAsync();
        _time.Advance(TimeSpan.FromSeconds(2) - TimeSpan.FromTicks(1));
        var callsBeforeBackoffElapsed = _handler.Requests.Count;
        _time.Advance(TimeSpan.FromTicks(1));
        var messageId = await publish;

        Assert.Equal(1, callsBeforeBackoffElapsed);
        Assert.Equal([TimeSpan.FromSeconds(2)], _time.TimerDueTimes);
        Assert.Equal(2, _handler.Requests.Count);
        Assert.Equal("94f20ce6-13c5-43a0-9a9e-ca52d816e90b", messageId);
    }

    [Fact]
    public async Task PublishAsync_Retry_IsSignedAfreshWithNewDate()
    {
        _handler.Then(HttpStatusCode.BadRequest, ErrorXml("Sender", "Throttling", "Rate exceeded"))
            .Then(HttpStatusCode.OK, SuccessXml);
        var client = CreateClient(new SnsClientOptions { Region = "us-east-1", BaseRetryDelay = TimeSpan.FromSeconds(2) });

        var publish = client.PublishAsync(Message(), CancellationToken.None);
        await _time.WaitForTimerAsync();
        _time.Advance(TimeSpan.FromSeconds(2));
        await publish;

        var retry = _handler.Requests[1];
        var expected = ReferenceSigV4.AuthorizationHeader(
            AccessKey,
            SecretKey,
            "us-east-1",
            "sns",
            Now.AddSeconds(2),
            [("content-type", FormContentType), ("host", "sns.us-east-1.amazonaws.com"), ("x-amz-date", "20240501T120002Z")],
            retry.Body);
        Assert.Equal("20240501T120002Z", retry.Headers["X-Amz-Date"]);
        Assert.Equal(expected, retry.Headers["Authorization"]);
    }

    [Theory]
    [InlineData(HttpStatusCode.BadRequest, "ThrottlingException")]
    [InlineData(HttpStatusCode.BadRequest, "ThrottledException")]
    [InlineData(HttpStatusCode.BadRequest, "Throttled")]
    [InlineData(HttpStatusCode.TooManyRequests, "TooManyRequests")]
    [InlineData(HttpStatusCode.ServiceUnavailable, "ServiceUnavailable")]
    public async Task PublishAsync_TransientErrorThenSuccess_Retries(HttpStatusCode status, string code)
    {
        _handler.Then(status, ErrorXml("Receiver", code, "try again")).Then(HttpStatusCode.OK, SuccessXml);

        var publish = CreateClient().PublishAsync(Message(), CancellationToken.None);
        await _time.WaitForTimerAsync();
        _time.Advance(TimeSpan.FromMilliseconds(200));
        await publish;

        Assert.Equal(2, _handler.Requests.Count);
    }

    [Fact]
    public async Task PublishAsync_NetworkErrorThenSuccess_Retries()
    {
        _handler.ThenThrow(new HttpRequestException("Connection reset")).Then(HttpStatusCode.OK, SuccessXml);

        var publish = CreateClient().PublishAsync(Message(), CancellationToken.None);
        await _time.WaitForTimerAsync();
        _time.Advance(TimeSpan.FromMilliseconds(200));
        var messageId = await publish;

        Assert.Equal(2, _handler.Requests.Count);
        Assert.Equal("94f20ce6-13c5-43a0-9a9e-ca52d816e90b", messageId);
    }

    [Fact]
    public async Task PublishAsync_ServerErrorEveryTime_GivesUpAfterMaxAttemptsWithExponentialBackoff()
    {
        _handler.Always(HttpStatusCode.InternalServerError, ErrorXml("Receiver", "InternalError", "We encountered an internal error."));
        var client = CreateClient(new SnsClientOptions { Region = "us-east-1", MaxAttempts = 4 });

        var publish = client.PublishAsync(Message(), CancellationToken.None);
        foreach (var delay in new[] { 200, 400, 800 })
        {
            await _time.WaitForTimerAsync();
            _time.Advance(TimeSpan.FromMilliseconds(delay));
        }

        var error = await Assert.ThrowsAsync<SnsPublishException>(() => publish);

        Assert.Equal(4, _handler.Requests.Count);
        Assert.Equal([200, 400, 800], _time.TimerDueTimes.Select(d => d.TotalMilliseconds));
        Assert.Equal("InternalError", error.Code);
        Assert.True(error.IsRetryable);
        Assert.Contains("after 4 attempts", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void BackoffDelay_LateAttempt_IsCappedAtMaxRetryDelay()
    {
        var client = CreateClient(new SnsClientOptions { Region = "us-east-1", MaxRetryDelay = TimeSpan.FromSeconds(1) });

        var delay = client.BackoffDelay(attempt: 10);

        Assert.Equal(TimeSpan.FromSeconds(1), delay);
    }

    [Fact]
    public void BackoffDelay_LowestJitter_IsHalfTheExponentialDelay()
    {
        var client = CreateClient(jitter: 0);

        var delay = client.BackoffDelay(attempt: 2);

        Assert.Equal(TimeSpan.FromMilliseconds(200), delay);
    }

    [Fact]
    public async Task PublishAsync_CancelledDuringBackoff_ThrowsOperationCanceled()
    {
        _handler.Always(HttpStatusCode.ServiceUnavailable, ErrorXml("Receiver", "ServiceUnavailable", "busy"));
        using var cancellation = new CancellationTokenSource();

        var publish = CreateClient().PublishAsync(Message(), cancellation.Token);
        await _time.WaitForTimerAsync();
        await cancellation.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => publish);
        Assert.Single(_handler.Requests);
    }

    [Fact]
    public async Task PublishAsync_TopicInAnotherRegion_ThrowsWithoutSending()
    {
        var message = new SnsMessage(NotificationTopicArn.Parse("arn:aws:sns:eu-west-1:123456789012:key-rotation"), "body");

        var error = await Assert.ThrowsAsync<ArgumentException>(() => CreateClient().PublishAsync(message, CancellationToken.None));

        Assert.Contains("eu-west-1", error.Message, StringComparison.Ordinal);
        Assert.Empty(_handler.Requests);
    }

    [Fact]
    public async Task PublishAsync_CredentialsFailToResolve_ThrowsCredentialsUnavailableWithoutSending()
    {
        using var httpClient = new HttpClient(_handler);
        var client = new SnsPublishClient(
            httpClient,
            new SnsClientOptions { Region = "us-east-1" },
            _ => throw new AmazonClientException("Failed to resolve AWS credentials."),
            _time);

        var error = await Assert.ThrowsAsync<SnsPublishException>(() => client.PublishAsync(Message(), CancellationToken.None));

        Assert.Equal("CredentialsUnavailable", error.Code);
        Assert.Empty(_handler.Requests);
    }

    [Fact]
    public async Task PublishAsync_SdkCredentials_SignsWithTheirKeys()
    {
        _handler.Then(HttpStatusCode.OK, SuccessXml);
        using var httpClient = new HttpClient(_handler);
        var client = new SnsPublishClient(
            httpClient,
            new SnsClientOptions { Region = "us-east-1" },
            new BasicAWSCredentials("AKIDOTHER", SecretKey),
            _time);

        await client.PublishAsync(Message(), CancellationToken.None);

        Assert.StartsWith(
            "AWS4-HMAC-SHA256 Credential=AKIDOTHER/20240501/us-east-1/sns/aws4_request,",
            Assert.Single(_handler.Requests).Headers["Authorization"],
            StringComparison.Ordinal);
    }

    private static SnsMessage Message(string? subject = "Key rotated") =>
        new(NotificationTopicArn.Parse(TopicArn), "alias/app now points at a new key", subject);

    private static string ErrorXml(string type, string code, string message) => $"""
        <ErrorResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/">
          <Error>
            <Type>{type}</Type>
            <Code>{code}</Code>
            <Message>{message}</Message>
          </Error>
          <RequestId>req-1234</RequestId>
        </ErrorResponse>
        """;

    private SnsPublishClient CreateClient(
        SnsClientOptions? options = null,
        ImmutableCredentials? credentials = null,
        double jitter = 1.0)
    {
        var signingCredentials = credentials ?? new ImmutableCredentials(AccessKey, SecretKey, token: null);
        var httpClient = new HttpClient(_handler, disposeHandler: false);
        return new SnsPublishClient(
            httpClient,
            options ?? new SnsClientOptions { Region = "us-east-1" },
            _ => Task.FromResult(signingCredentials),
            _time,
            () => jitter);
    }
}
