using System.Security.Cryptography;
using System.Text;

namespace KeyRotation.Integrations.Tests.Notifications;

/// <summary>
/// An independent, minimal SigV4 (AWS General Reference, "Create a signed AWS API request") for a POST with no query
/// string (to "/" unless a canonical URI is given, already encoded as SigV4 wants it), so tests check the client's
/// Authorization header against arithmetic they own. The payload
/// hash is always signed as x-amz-content-sha256, as AWSSDK.Core's public signer does.
/// </summary>
internal static class ReferenceSigV4
{
    public static string AuthorizationHeader(
        string accessKey,
        string secretKey,
        string region,
        string service,
        DateTimeOffset time,
        IReadOnlyList<(string Name, string Value)> signedHeaders,
        string body,
        string canonicalUri = "/")
    {
        var amzDate = time.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", System.Globalization.CultureInfo.InvariantCulture);
        var date = amzDate[..8];
        var payloadHash = PayloadHash(body);
        var sorted = signedHeaders.Append((Name: "x-amz-content-sha256", Value: payloadHash)).Select(h => (Name: h.Name.ToLowerInvariant(), Value: h.Value.Trim())).OrderBy(h => h.Name, StringComparer.Ordinal).ToList();
        var canonicalHeaders = string.Concat(sorted.Select(h => $"{h.Name}:{h.Value}\n"));
        var signedHeaderNames = string.Join(';', sorted.Select(h => h.Name));

        var canonicalRequest = $"POST\n{canonicalUri}\n\n{canonicalHeaders}\n{signedHeaderNames}\n{payloadHash}";
        var scope = $"{date}/{region}/{service}/aws4_request";
        var stringToSign = $"AWS4-HMAC-SHA256\n{amzDate}\n{scope}\n{Hex(SHA256.HashData(Encoding.UTF8.GetBytes(canonicalRequest)))}";

        var key = Hmac(Encoding.UTF8.GetBytes("AWS4" + secretKey), date);
        key = Hmac(key, region);
        key = Hmac(key, service);
        key = Hmac(key, "aws4_request");
        var signature = Hex(Hmac(key, stringToSign));

        return $"AWS4-HMAC-SHA256 Credential={accessKey}/{scope}, SignedHeaders={signedHeaderNames}, Signature={signature}";
    }

    /// <summary>The hex SHA-256 of <paramref name="body"/>, sent as X-Amz-Content-SHA256.</summary>
    public static string PayloadHash(string body) => Hex(SHA256.HashData(Encoding.UTF8.GetBytes(body)));

    private static byte[] Hmac(byte[] key, string data) => HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(data));

    private static string Hex(byte[] bytes) => Convert.ToHexStringLower(bytes);
}
