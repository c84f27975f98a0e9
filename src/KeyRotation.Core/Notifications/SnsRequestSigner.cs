using System.Net.Http.Headers;
using Amazon.Runtime;
using Amazon.Runtime.Internal.Auth;
using Amazon.Util;

namespace KeyRotation.Core.Notifications;

/// <summary>
/// Signs a POST with AWSSDK.Core's SigV4 implementation: SNS's Query API, and the JSON 1.1 calls of
/// <see cref="Tagging.ResourceTaggingClient"/> (same signing, another service name and content type).
/// </summary>
/// <remarks>
/// AWS4Signer's instance entry points (Sign/SignRequest) need an SDK <c>IRequest</c> and <c>IClientConfig</c>,
/// which only a generated service client can build without re-implementing half of a client config (and
/// constructing a ClientConfig reads environment variables and profiles). So this derives from AWS4Signer to
/// reach its protected canonicalisation helpers and uses its public static header, hash and signature
/// helpers: the canonical request, string to sign, key derivation and HMAC chain all remain the SDK's.
/// </remarks>
internal sealed class SnsRequestSigner : AWS4Signer
{
    /// <summary>The SigV4 signing name of SNS.</summary>
    internal const string ServiceName = "sns";

    internal const string FormContentType = "application/x-www-form-urlencoded; charset=utf-8";

    private SnsRequestSigner()
    {
    }

    /// <summary>Adds Host, X-Amz-Date, X-Amz-Security-Token (when present) and Authorization to <paramref name="request"/>.</summary>
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
        var endpoint = request.RequestUri ?? throw new ArgumentException("The request has no URI.", nameof(request));

        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
        {
            [HeaderKeys.ContentTypeHeader] = contentType,
        };
        if (target is not null)
        {
            headers["X-Amz-Target"] = target;
        }

        var signingTime = InitializeHeaders(headers, endpoint, signedAt.UtcDateTime);
        if (credentials.UseToken)
        {
            headers[HeaderKeys.XAmzSecurityTokenHeader] = credentials.Token;
        }

        var payloadHash = Convert.ToHexStringLower(ComputeHash(body));
        var sortedHeaders = SortAndPruneHeaders(headers);
        var canonicalRequest = CanonicalizeRequest(endpoint, string.Empty, HttpMethod.Post.Method, sortedHeaders, string.Empty, payloadHash);
        var signedHeaders = CanonicalizeHeaderNames(sortedHeaders);
        var signature = ComputeSignature(credentials, region, signingTime, serviceName, signedHeaders, canonicalRequest);

        foreach (var (name, value) in headers)
        {
            if (name.Equals(HeaderKeys.ContentTypeHeader, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            if (name.Equals(HeaderKeys.HostHeader, StringComparison.OrdinalIgnoreCase))
            {
                request.Headers.Host = value;
            }
            else
            {
                request.Headers.TryAddWithoutValidation(name, value);
            }
        }

        request.Headers.TryAddWithoutValidation(HeaderKeys.AuthorizationHeader, signature.ForAuthorizationHeader);
        request.Content = new ByteArrayContent(body);
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
    }
}
