namespace KeyRotation.LocalKms;

/// <summary>Reads who signed a request and for which Region; signatures themselves are never verified.</summary>
public static class SigV4
{
    private const string CredentialField = "Credential=";

    /// <summary>
    /// The Region of the credential scope in an Authorization header
    /// ("AWS4-HMAC-SHA256 Credential=AKID/20250101/us-west-2/kms/aws4_request, ..."), or null when the
    /// header is absent or not SigV4.
    /// </summary>
    public static string? RegionOf(string? authorization)
    {
        if (authorization is null || !authorization.StartsWith("AWS4-", StringComparison.Ordinal))
        {
            return null;
        }

        var start = authorization.IndexOf(CredentialField, StringComparison.Ordinal);
        if (start < 0)
        {
            return null;
        }

        start += CredentialField.Length;
        var end = authorization.IndexOf(',', start);
        var scope = (end < 0 ? authorization[start..] : authorization[start..end]).Trim().Split('/');

        // access key id / date / Region / service / aws4_request
        return scope.Length == 5 && scope[2].Length > 0 ? scope[2] : null;
    }

    /// <summary>The access key id in an Authorization header's credential scope, or null when there is none.</summary>
    public static string? AccessKeyIdOf(string? authorization)
    {
        var start = authorization?.IndexOf(CredentialField, StringComparison.Ordinal) ?? -1;
        if (start < 0)
        {
            return null;
        }

        var rest = authorization![(start + CredentialField.Length)..];
        var end = rest.IndexOf('/', StringComparison.Ordinal);
        return end > 0 ? rest[..end] : null;
    }
}
