using System.Net;
using Amazon.Runtime;
using KeyRotation.Core.Notifications;
using KeyRotation.Integrations.Notifications;

namespace KeyRotation.Integrations.Tests.Notifications;

public sealed partial class SnsPublishClientTests : IDisposable
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
    public async Task PublishAsync_TopicInAnotherRegion_ThrowsWithoutSending()
    {
        var message = new SnsMessage(NotificationTopicArn.Parse("arn:aws:sns:eu-west-1:123456789012:key-rotation"), "body");

        var error = await Assert.ThrowsAsync<ArgumentException>(() => CreateClient().PublishAsync(message, CancellationToken.None));

        Assert.Contains("eu-west-1", error.Message, StringComparison.Ordinal);
        Assert.Empty(_handler.Requests);
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
