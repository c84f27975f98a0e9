using Amazon.KeyManagementService;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.SQS;
using KeyRotation.Core.Continuation;
using KeyRotation.Integrations.Continuation;
using KeyRotation.Integrations.Notifications;
using KeyRotation.Integrations.Pacing;
using KeyRotation.Integrations.Tagging;

namespace KeyRotation.Integrations.Clients;

/// <summary>Builds the real AWS clients from the standard AWS settings (region, credentials, endpoint URLs).</summary>
public static partial class AwsClients
{
    /// <summary>
    /// KMS with every request paced by <paramref name="pacer"/> (one per process, shared by all clients), so calls stay
    /// within the request quotas; the SDK's standard retry mode remains the backstop for throttling that still happens.
    /// With <paramref name="retries"/> 0, the client for CreateKey, which must not be retried blindly (the engine
    /// retries only its throttling).
    /// </summary>
    public static AmazonKeyManagementServiceClient CreateKms(IReadOnlyDictionary<string, string> environment, KmsRequestPacer pacer, int retries = 10)
    {
        var config = new AmazonKeyManagementServiceConfig
        {
            RetryMode = RequestRetryMode.Standard,
            MaxErrorRetry = retries,
        };
        PacedHttpClientFactory.Apply(config, pacer);
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

    /// <summary>
    /// KMS in the replica Regions of multi-Region keys: one client per Region, built on first use as
    /// <see cref="CreateKms"/> builds the function's own (standard retries, the same credentials, AWS_ENDPOINT_URL_KMS or
    /// AWS_ENDPOINT_URL when set), but signed for that Region and, without an endpoint setting, sent to its endpoint.
    /// </summary>
    public static KmsRegionClients CreateKmsRegions(IReadOnlyDictionary<string, string> environment) =>
        new(region => CreateKmsFor(environment, region));

    /// <summary>The KMS client of <see cref="CreateKmsRegions"/> for one Region.</summary>
    internal static AmazonKeyManagementServiceClient CreateKmsFor(IReadOnlyDictionary<string, string> environment, string region)
    {
        var config = new AmazonKeyManagementServiceConfig
        {
            RetryMode = RequestRetryMode.Standard,
            MaxErrorRetry = 10,
        };
        if (AwsEndpoints.Resolve(environment, "KMS") is { } endpoint)
        {
            config.ServiceURL = endpoint.ToString();
            config.AuthenticationRegion = region;
        }
        else
        {
            config.RegionEndpoint = Amazon.RegionEndpoint.GetBySystemName(region);
        }

        return new AmazonKeyManagementServiceClient(config);
    }

    /// <summary>
    /// S3 for escrow copies. A configured endpoint (AWS_ENDPOINT_URL_S3 or AWS_ENDPOINT_URL) is addressed path-style,
    /// as S3-compatible local endpoints need; otherwise the SDK's defaults (virtual-hosted style, the Region's endpoint).
    /// </summary>
    public static AmazonS3Client CreateS3(IReadOnlyDictionary<string, string> environment)
    {
        var config = new AmazonS3Config
        {
            RetryMode = RequestRetryMode.Standard,
            MaxErrorRetry = 5,
        };
        if (AwsEndpoints.Resolve(environment, "S3") is { } endpoint)
        {
            config.ServiceURL = endpoint.ToString();
            config.ForcePathStyle = true;
            if (FallbackRegion() is { } region)
            {
                config.AuthenticationRegion = region;
            }
        }

        return new AmazonS3Client(config);
    }

    /// <summary>SNS through the project's own Publish client, in the topic's Region.</summary>
    public static SnsRotationNotifier CreateNotifier(IReadOnlyDictionary<string, string> environment, string topicArn)
    {
        var topic = NotificationTopicArn.Parse(topicArn);
        var options = SnsClientOptions.ForTopic(topic, AwsEndpoints.Resolve(environment, "SNS"));
        return new SnsRotationNotifier(SnsPublishClient.CreateDefault(options), topic);
    }

    /// <summary>
    /// SNS through the project's own Publish client, in the topic's Region, signed with <paramref name="credentials"/>
    /// (an operator's profile or a target account's role) and sent through <paramref name="http"/>.
    /// </summary>
    public static SnsRotationNotifier CreateNotifier(IReadOnlyDictionary<string, string> environment, string topicArn, HttpClient http, AWSCredentials credentials, TimeProvider time)
    {
        var topic = NotificationTopicArn.Parse(topicArn);
        var options = SnsClientOptions.ForTopic(topic, AwsEndpoints.Resolve(environment, "SNS"));
        return new SnsRotationNotifier(new SnsPublishClient(http, options, credentials, time), topic);
    }

    /// <summary>
    /// The tagging client in <paramref name="region"/> with <paramref name="credentials"/>: at
    /// AWS_ENDPOINT_URL_RESOURCE_GROUPS_TAGGING_API (then AWS_ENDPOINT_URL) when set, else at
    /// <paramref name="fallbackEndpoint"/> (an operator's --endpoint-url), else the Region's tagging endpoint.
    /// </summary>
    public static ResourceTaggingClient CreateKeyFinder(IReadOnlyDictionary<string, string> environment, string region, Uri? fallbackEndpoint, AWSCredentials credentials, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(credentials);
        var endpoint = AwsEndpoints.Resolve(environment, ResourceTaggingClient.EndpointServiceId) ?? fallbackEndpoint;
        return new ResourceTaggingClient(new HttpClient(), region, endpoint, _ => credentials.GetCredentialsAsync(), time);
    }

    /// <summary>The tagging client of an in-process endpoint (the CLI sandbox's LocalKms), with its test credentials.</summary>
    public static ResourceTaggingClient CreateKeyFinder(HttpMessageHandler inProcess, string region, TimeProvider time) =>
        new(new HttpClient(inProcess), region, new Uri("http://localkms.invalid/"), _ => Task.FromResult(new ImmutableCredentials("test", "test", null)), time);

    /// <summary>
    /// The Resource Groups Tagging client that finds a key a crashed run created (GetResources), in the function's
    /// Region (AWS_REGION, which Lambda sets, else the SDK's Region chain), at AWS_ENDPOINT_URL_RESOURCE_GROUPS_TAGGING_API
    /// (then AWS_ENDPOINT_URL) when set.
    /// </summary>
    public static ResourceTaggingClient CreateKeyFinder(IReadOnlyDictionary<string, string> environment) =>
        ResourceTaggingClient.CreateDefault(
            (environment.TryGetValue("AWS_REGION", out var region) && region.Length > 0 ? region : FallbackRegion())
                ?? throw new ArgumentException("No AWS Region is configured (AWS_REGION) for the Resource Groups Tagging API."),
            AwsEndpoints.Resolve(environment, ResourceTaggingClient.EndpointServiceId));

    /// <summary>
    /// SQS for the continuation queue (AWS JSON protocol): in the function's Region, at AWS_ENDPOINT_URL_SQS (then
    /// AWS_ENDPOINT_URL) when set; standard retries, as a lost batch would leave its aliases for the next period.
    /// </summary>
    public static AmazonSQSClient CreateSqs(IReadOnlyDictionary<string, string> environment)
    {
        var config = new AmazonSQSConfig { RetryMode = RequestRetryMode.Standard, MaxErrorRetry = 5 };
        if (AwsEndpoints.Resolve(environment, "SQS") is { } endpoint)
        {
            config.ServiceURL = endpoint.ToString();
            if (FallbackRegion() is { } region)
            {
                config.AuthenticationRegion = region;
            }
        }

        return new AmazonSQSClient(config);
    }

    /// <summary>The continuation queue at <paramref name="queueUrl"/>, over <see cref="CreateSqs"/>.</summary>
    public static IContinuationQueue CreateContinuationQueue(IReadOnlyDictionary<string, string> environment, Uri queueUrl) =>
        new SqsContinuationQueue(CreateSqs(environment), queueUrl);

    private static string? FallbackRegion() => Amazon.Runtime.FallbackRegionFactory.GetRegionEndpoint()?.SystemName;
}
