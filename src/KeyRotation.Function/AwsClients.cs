using Amazon.KeyManagementService;
using Amazon.Runtime;
using KeyRotation.Core;
using KeyRotation.Core.Notifications;

namespace KeyRotation.Function;

/// <summary>Builds the real AWS clients from the standard AWS settings (region, credentials, endpoint URLs).</summary>
internal static class AwsClients
{
    /// <summary>
    /// KMS with the SDK's standard retry mode: throttling (CreateKey, CreateAlias and UpdateAlias allow 5 requests per
    /// second) is absorbed by backoff rather than failing aliases of a large batch.
    /// </summary>
    public static AmazonKeyManagementServiceClient CreateKms(IReadOnlyDictionary<string, string> environment)
    {
        var config = new AmazonKeyManagementServiceConfig
        {
            RetryMode = RequestRetryMode.Standard,
            MaxErrorRetry = 10,
        };
        if (AwsEndpoints.Resolve(environment, "KMS") is { } endpoint)
        {
            config.ServiceURL = endpoint.ToString();
            if (FallbackRegion() is { } region)
            {
                config.AuthenticationRegion = region;
            }
        }

        return new AmazonKeyManagementServiceClient(config);
    }

    /// <summary>SNS through the project's own Publish client, in the topic's Region.</summary>
    public static SnsRotationNotifier CreateNotifier(IReadOnlyDictionary<string, string> environment, string topicArn)
    {
        var topic = NotificationTopicArn.Parse(topicArn);
        var options = SnsClientOptions.ForTopic(topic, AwsEndpoints.Resolve(environment, "SNS"));
        return new SnsRotationNotifier(SnsPublishClient.CreateDefault(options), topic);
    }

    private static string? FallbackRegion() => Amazon.Runtime.FallbackRegionFactory.GetRegionEndpoint()?.SystemName;
}
