using System.Net;
using System.Text;
using KeyRotation.Core.Pacing;
using KeyRotation.Integrations.Pacing;
using Microsoft.Extensions.Time.Testing;

namespace KeyRotation.Integrations.Tests.Pacing;

public sealed class PacingHandlerTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 1, 3, 0, 0, TimeSpan.Zero));

    [Fact]
    public async Task SendAsync_SecondRequestOfAnOperationAtOnePerSecond_WaitsForTheClock()
    {
        var pacer = new KmsRequestPacer(KmsRequestQuotas.Parse("CreateKey=1", "KMS_REQUEST_QUOTAS", [])!, _time);
        var inner = new AnsweringHandler(HttpStatusCode.OK, "{}");
        using var client = new HttpClient(new PacingHandler(pacer, inner));

        using var first = await client.SendAsync(Request("CreateKey"));
        var second = client.SendAsync(Request("CreateKey"));
        using var otherOperation = await client.SendAsync(Request("CreateAlias"));
        _time.Advance(TimeSpan.FromMilliseconds(999));
        Assert.False(second.IsCompleted);
        Assert.Equal(2, inner.Received);

        _time.Advance(TimeSpan.FromMilliseconds(1));
        using var response = await second;

        Assert.Equal(3, inner.Received);
        Assert.Equal(2, pacer.Statistics()["CreateKey"].Calls);
    }

    [Fact]
    public async Task SendAsync_KmsAnswersThrottling_IsCountedForTheOperation()
    {
        var pacer = new KmsRequestPacer(KmsRequestQuotas.Default, _time);
        var inner = new AnsweringHandler(HttpStatusCode.BadRequest, """{"__type":"ThrottlingException","message":"Rate exceeded"}""");
        using var client = new HttpClient(new PacingHandler(pacer, inner));

        using var response = await client.SendAsync(Request("UpdateAlias"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("ThrottlingException", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(1, pacer.Statistics()["UpdateAlias"].Throttled);
    }

    [Fact]
    public void OperationOf_KmsTargetHeader_IsTheOperationName()
    {
        using var request = Request("ListAliases");

        Assert.Equal("ListAliases", PacingHandler.OperationOf(request));
    }

    private static HttpRequestMessage Request(string operation)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "http://kms.invalid/") { Content = new StringContent("{}", Encoding.UTF8, "application/x-amz-json-1.1") };
        request.Headers.Add("X-Amz-Target", "TrentService." + operation);
        return request;
    }

    private sealed class AnsweringHandler(HttpStatusCode status, string body) : HttpMessageHandler
    {
        private int _received;

        public int Received => Volatile.Read(ref _received);

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _received);
            return Task.FromResult(new HttpResponseMessage(status) { Content = new StringContent(body), RequestMessage = request });
        }
    }
}
