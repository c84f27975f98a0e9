using System.Net;
using KeyRotation.Core.Notifications;
using KeyRotation.Integrations.Notifications;

namespace KeyRotation.Integrations.Tests.Notifications;

/// <summary>Retries: throttling, server and network errors are retried with capped, jittered exponential backoff on the fake clock.</summary>
public sealed partial class SnsPublishClientTests
{
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
}
