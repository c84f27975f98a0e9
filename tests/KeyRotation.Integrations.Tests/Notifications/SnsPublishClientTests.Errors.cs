using System.Net;
using KeyRotation.Core.Notifications;

namespace KeyRotation.Integrations.Tests.Notifications;

/// <summary>Errors SNS answers with: thrown with their code and message, and never retried.</summary>
public sealed partial class SnsPublishClientTests
{
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
}
