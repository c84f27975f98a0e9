using System.Text.RegularExpressions;

namespace KeyRotation.Integrations.Notifications;

/// <summary>
/// Where and how <see cref="SnsPublishClient"/> calls SNS. Core reads no environment variables: the
/// composition root passes the region (usually the topic's) and any endpoint override
/// (<c>AWS_ENDPOINT_URL_SNS</c>, then <c>AWS_ENDPOINT_URL</c>) in here.
/// </summary>
public sealed partial record SnsClientOptions
{
    /// <summary>The signing region, for example <c>eu-west-1</c>; also picks the default endpoint.</summary>
    public required string Region { get; init; }

    /// <summary>An endpoint override (local emulator, VPC endpoint); null for the public regional endpoint.</summary>
    public Uri? ServiceUrl { get; init; }

    /// <summary>Total attempts per publish, the first included; at least 1.</summary>
    public int MaxAttempts { get; init; } = 4;

    /// <summary>Backoff before the first retry; doubles for each further retry, with jitter.</summary>
    public TimeSpan BaseRetryDelay { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Upper bound on any single backoff delay.</summary>
    public TimeSpan MaxRetryDelay { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Options for publishing to <paramref name="topic"/>: its region, an optional endpoint override.</summary>
    public static SnsClientOptions ForTopic(NotificationTopicArn topic, Uri? serviceUrl = null)
    {
        ArgumentNullException.ThrowIfNull(topic);
        return new SnsClientOptions { Region = topic.Region, ServiceUrl = serviceUrl };
    }

    /// <summary>The endpoint to POST to: <see cref="ServiceUrl"/>, or the public endpoint of <see cref="Region"/>.</summary>
    public Uri ResolveEndpoint()
    {
        Validate();
        if (ServiceUrl is not null)
        {
            return ServiceUrl;
        }

        var dnsSuffix = Region.StartsWith("cn-", StringComparison.Ordinal) ? "amazonaws.com.cn" : "amazonaws.com";
        return new Uri($"https://sns.{Region}.{dnsSuffix}/");
    }

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid setting.</summary>
    public void Validate()
    {
        if (string.IsNullOrEmpty(Region) || !RegionPattern().IsMatch(Region))
        {
            throw new ArgumentException($"The SNS region '{Region}' is not a valid AWS region name such as 'eu-west-1'.", nameof(Region));
        }

        if (ServiceUrl is not null && (!ServiceUrl.IsAbsoluteUri || (ServiceUrl.Scheme != Uri.UriSchemeHttps && ServiceUrl.Scheme != Uri.UriSchemeHttp)))
        {
            throw new ArgumentException($"The SNS service URL '{ServiceUrl}' must be an absolute http or https URL.", nameof(ServiceUrl));
        }

        if (MaxAttempts < 1)
        {
            throw new ArgumentException($"MaxAttempts is {MaxAttempts}; it must be at least 1.", nameof(MaxAttempts));
        }

        if (BaseRetryDelay < TimeSpan.Zero || MaxRetryDelay < BaseRetryDelay)
        {
            throw new ArgumentException(
                $"Retry delays must satisfy 0 <= BaseRetryDelay ({BaseRetryDelay}) <= MaxRetryDelay ({MaxRetryDelay}).",
                nameof(BaseRetryDelay));
        }
    }

    [GeneratedRegex(@"\A[a-z]{2}(-[a-z]+)+-[0-9]+\z", RegexOptions.CultureInvariant)]
    private static partial Regex RegionPattern();
}
