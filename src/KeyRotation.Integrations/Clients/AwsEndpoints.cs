namespace KeyRotation.Integrations.Clients;

/// <summary>
/// The endpoint-URL settings the AWS SDKs share (AWS_ENDPOINT_URL_&lt;SERVICE&gt;, then AWS_ENDPOINT_URL, unless
/// AWS_IGNORE_CONFIGURED_ENDPOINT_URLS is true), resolved from variables the caller passes in.
/// </summary>
public static class AwsEndpoints
{
    /// <summary>The configured endpoint for a service id such as "KMS", "SNS" or "S3"; null: the default endpoint.</summary>
    public static Uri? Resolve(IReadOnlyDictionary<string, string> environment, string serviceId)
    {
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentException.ThrowIfNullOrWhiteSpace(serviceId);
        if (environment.TryGetValue("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", out var ignore)
            && string.Equals(ignore.Trim(), "true", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var specific = "AWS_ENDPOINT_URL_" + serviceId.ToUpperInvariant().Replace(' ', '_');
        foreach (var name in new[] { specific, "AWS_ENDPOINT_URL" })
        {
            if (environment.TryGetValue(name, out var value) && !string.IsNullOrWhiteSpace(value))
            {
                if (!Uri.TryCreate(value.Trim(), UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
                {
                    throw new ArgumentException($"{name} is '{value}', which is not an http or https URL.");
                }

                return uri;
            }
        }

        return null;
    }
}
