using System.Net.Http.Headers;
using Amazon;
using Amazon.Runtime;
using Amazon.Runtime.Signing;

namespace KeyRotation.Integrations.Signing;

/// <summary>
/// Signs a POST with AWSSDK.Core's public SigV4 signer (<see cref="AWSSigV4Signer"/>): SNS's Query API, and the JSON
/// 1.1 calls of <see cref="Tagging.ResourceTaggingClient"/> (same signing, another service name and content type).
/// The canonical request, string to sign, key derivation and HMAC chain are all the SDK's; this only maps an
/// HttpRequestMessage onto the signer's neutral request and applies the headers it returns.
/// </summary>
internal static class AwsRequestSigner
{
    /// <summary>The SigV4 signing name of SNS.</summary>
    internal const string ServiceName = "sns";

    internal const string FormContentType = "application/x-www-form-urlencoded; charset=utf-8";

    /// <summary>Adds Host, X-Amz-Date, X-Amz-Content-SHA256, X-Amz-Security-Token (when present) and Authorization to <paramref name="request"/>.</summary>
    internal static void Sign(
        HttpRequestMessage request,
        byte[] body,
        ImmutableCredentials credentials,
        string region,
        DateTimeOffset signedAt) =>
        Sign(request, body, credentials, region, signedAt, ServiceName, FormContentType, target: null);

    /// <summary>
    /// As the SNS overload, for service <paramref name="serviceName"/> with a body of <paramref name="contentType"/>;
    /// a <paramref name="target"/> is sent (and signed) as X-Amz-Target, as JSON 1.1 services expect.
    /// </summary>
    internal static void Sign(
        HttpRequestMessage request,
        byte[] body,
        ImmutableCredentials credentials,
        string region,
        DateTimeOffset signedAt,
        string serviceName,
        string contentType,
        string? target)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(credentials);
        var endpoint = request.RequestUri ?? throw new ArgumentException("The request has no URI.", nameof(request));

        var signing = new AWSSigningRequest { HttpMethod = HttpMethod.Post, RequestUri = endpoint, Content = body };
        signing.Headers["Content-Type"] = contentType;
        if (target is not null)
        {
            signing.Headers["X-Amz-Target"] = target;
        }

        var signed = AWSSigV4Signer.Sign(signing, new AWSSigV4Parameters
        {
            Credentials = credentials.UseToken
                ? new SessionAWSCredentials(credentials.AccessKey, credentials.SecretKey, credentials.Token)
                : new BasicAWSCredentials(credentials.AccessKey, credentials.SecretKey),
            Region = RegionEndpoint.GetBySystemName(region),
            Service = serviceName,
            SignedAt = signedAt.UtcDateTime,
        });

        // The signer signs the Host the URI names (with its port when not the scheme's default); send exactly that.
        request.Headers.Host = endpoint.IsDefaultPort ? endpoint.Host : endpoint.Authority;
        if (target is not null)
        {
            request.Headers.TryAddWithoutValidation("X-Amz-Target", target);
        }

        foreach (var (name, value) in signed.Headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        request.Content = new ByteArrayContent(body);
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
    }
}
