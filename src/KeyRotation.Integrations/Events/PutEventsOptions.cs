using System.Text.RegularExpressions;

namespace KeyRotation.Integrations.Events;

/// <summary>Where and how <see cref="PutEventsClient"/> calls EventBridge; the composition root fills it from the environment.</summary>
public sealed partial record PutEventsOptions
{
    /// <summary>The signing Region, which also picks the public endpoint (events.&lt;region&gt;.amazonaws.com).</summary>
    public required string Region { get; init; }

    /// <summary>An endpoint override (AWS_ENDPOINT_URL_EVENTS, a local endpoint, a VPC endpoint); null: the public one.</summary>
    public Uri? ServiceUrl { get; init; }

    /// <summary>Attempts per call, the first included: a throttled or failed call, or the entries EventBridge failed, are sent again up to this.</summary>
    public int MaxAttempts { get; init; } = 4;

    /// <summary>Backoff before the first retry; doubles for each further one, with jitter.</summary>
    public TimeSpan BaseRetryDelay { get; init; } = TimeSpan.FromMilliseconds(200);

    public TimeSpan MaxRetryDelay { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>The endpoint to POST to.</summary>
    public Uri ResolveEndpoint()
    {
        if (!RegionPattern().IsMatch(Region ?? string.Empty))
        {
            throw new ArgumentException($"The EventBridge Region '{Region}' is not a Region name such as eu-west-1.", nameof(Region));
        }

        if (MaxAttempts < 1 || BaseRetryDelay < TimeSpan.Zero || MaxRetryDelay < BaseRetryDelay)
        {
            throw new ArgumentException($"PutEvents needs at least 1 attempt and 0 <= BaseRetryDelay <= MaxRetryDelay (got {MaxAttempts}, {BaseRetryDelay}, {MaxRetryDelay}).", nameof(MaxAttempts));
        }

        if (ServiceUrl is not null)
        {
            return ServiceUrl.IsAbsoluteUri && (ServiceUrl.Scheme == Uri.UriSchemeHttps || ServiceUrl.Scheme == Uri.UriSchemeHttp)
                ? ServiceUrl
                : throw new ArgumentException($"The EventBridge endpoint '{ServiceUrl}' must be an absolute http or https URL.", nameof(ServiceUrl));
        }

        return new Uri($"https://events.{Region}.{(Region!.StartsWith("cn-", StringComparison.Ordinal) ? "amazonaws.com.cn" : "amazonaws.com")}/");
    }

    [GeneratedRegex(@"\A[a-z]{2}(-[a-z]+)+-[0-9]+\z", RegexOptions.CultureInvariant)]
    private static partial Regex RegionPattern();
}
