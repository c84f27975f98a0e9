using System.Net;
using Amazon.Runtime;
using KeyRotation.Core.Notifications;
using KeyRotation.Integrations.Notifications;

namespace KeyRotation.Integrations.Tests.Notifications;

/// <summary>Signing: every request carries a SigV4 signature computed independently of the client, from whichever credentials it is given.</summary>
public sealed partial class SnsPublishClientTests
{
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
}
