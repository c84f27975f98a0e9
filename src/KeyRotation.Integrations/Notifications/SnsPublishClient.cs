using System.Globalization;
using System.Net;
using System.Text;
using Amazon.Runtime;
using Amazon.Util;
using Polly;
using Polly.Retry;

namespace KeyRotation.Integrations.Notifications;

/// <summary>
/// A small SNS Publish client over the Query API, signed with AWSSDK.Core's SigV4 signer. It stands in for
/// AWSSDK.SimpleNotificationService, which this project's package source does not serve. Throttling, 5xx and
/// network failures are retried with jittered exponential backoff; client errors are never retried.
/// </summary>
public sealed class SnsPublishClient : ISnsPublisher
{
    // SNS answers throttling with HTTP 400 and one of these codes (KMSThrottling: the topic's SSE key is throttled).
    private static readonly HashSet<string> ThrottlingCodes = new(StringComparer.Ordinal)
    {
        "Throttling", "Throttled", "ThrottlingException", "ThrottledException", "KMSThrottling",
    };

    private readonly HttpClient _httpClient;
    private readonly SnsClientOptions _options;
    private readonly Uri _endpoint;
    private readonly Func<CancellationToken, Task<ImmutableCredentials>> _credentials;
    private readonly TimeProvider _timeProvider;
    private readonly Func<double> _jitter;
    private readonly ResiliencePipeline _retries;

    /// <summary>Creates a client that asks <paramref name="credentials"/> for credentials before every attempt.</summary>
    public SnsPublishClient(
        HttpClient httpClient,
        SnsClientOptions options,
        Func<CancellationToken, Task<ImmutableCredentials>> credentials,
        TimeProvider timeProvider)
        : this(httpClient, options, credentials, timeProvider, Random.Shared.NextDouble)
    {
    }

    /// <summary>Creates a client signing with SDK credentials (which refresh themselves when they expire).</summary>
    public SnsPublishClient(HttpClient httpClient, SnsClientOptions options, AWSCredentials credentials, TimeProvider timeProvider)
        : this(httpClient, options, FromAwsCredentials(credentials), timeProvider)
    {
    }

    /// <param name="jitter">Returns a value in [0, 1]; tests pin it to make backoff delays exact.</param>
    internal SnsPublishClient(
        HttpClient httpClient,
        SnsClientOptions options,
        Func<CancellationToken, Task<ImmutableCredentials>> credentials,
        TimeProvider timeProvider,
        Func<double> jitter)
    {
        ArgumentNullException.ThrowIfNull(httpClient);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(credentials);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(jitter);
        _endpoint = options.ResolveEndpoint();
        _httpClient = httpClient;
        _options = options;
        _credentials = credentials;
        _timeProvider = timeProvider;
        _jitter = jitter;
        // Only transient failures are retried; each attempt is signed afresh (a new X-Amz-Date), after BackoffDelay.
        _retries = options.MaxAttempts == 1 ? ResiliencePipeline.Empty : new ResiliencePipelineBuilder { TimeProvider = timeProvider }
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<SnsPublishException>(e => e.IsRetryable),
                MaxRetryAttempts = options.MaxAttempts - 1,
                DelayGenerator = args => ValueTask.FromResult<TimeSpan?>(BackoffDelay(args.AttemptNumber + 1)),
            })
            .Build();
    }

    /// <summary>
    /// A client for production: a process-wide HttpClient, AWSSDK.Core's default credential chain and the
    /// system clock. Create it once per container, not per invocation.
    /// </summary>
    public static SnsPublishClient CreateDefault(SnsClientOptions options) =>
        new(StandInTransport.Http, options, StandInTransport.DefaultCredentialsAsync, TimeProvider.System);

    /// <summary>
    /// The region from AWSSDK.Core's default region chain (AWS_REGION, AWS_DEFAULT_REGION, profile, IMDS).
    /// </summary>
    /// <exception cref="InvalidOperationException">No region is configured anywhere in the chain.</exception>
    public static string ResolveDefaultRegion()
    {
        const string Advice = "Set AWS_REGION (Lambda sets it for you) or a region in the AWS config file, "
            + "or publish in the region of the notification topic ARN.";
        try
        {
            return FallbackRegionFactory.GetRegionEndpoint()?.SystemName
                ?? throw new InvalidOperationException("No AWS region is configured for SNS. " + Advice);
        }
        catch (AmazonClientException e)
        {
            throw new InvalidOperationException($"The AWS region for SNS could not be resolved: {e.Message} {Advice}", e);
        }
    }

    /// <inheritdoc />
    public async Task<string> PublishAsync(SnsMessage message, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (!string.Equals(message.TopicArn.Region, _options.Region, StringComparison.Ordinal))
        {
            throw new ArgumentException(
                $"The topic {message.TopicArn} is in region '{message.TopicArn.Region}' but this SNS client signs for "
                + $"'{_options.Region}'; create the client with the topic's region.",
                nameof(message));
        }

        var body = Encoding.UTF8.GetBytes(SnsQueryProtocol.BuildPublishForm(message));
        try
        {
            return await _retries.ExecuteAsync(async token => await SendOnceAsync(message.TopicArn, body, token), ct);
        }
        catch (SnsPublishException e) when (e.IsRetryable)
        {
            throw new SnsPublishException(
                string.Create(CultureInfo.InvariantCulture, $"{e.Message} Gave up after {_options.MaxAttempts} attempts."),
                e.Code,
                e.StatusCode,
                e.RequestId,
                isRetryable: true,
                e.InnerException);
        }
    }

    /// <summary>The pause after failed attempt <paramref name="attempt"/>: base * 2^(attempt-1), capped, times [0.5, 1] jitter.</summary>
    internal TimeSpan BackoffDelay(int attempt)
    {
        var exponential = _options.BaseRetryDelay * Math.Pow(2, Math.Min(attempt - 1, 30));
        var capped = exponential > _options.MaxRetryDelay ? _options.MaxRetryDelay : exponential;
        return capped * (0.5 + (0.5 * Math.Clamp(_jitter(), 0, 1)));
    }

    private async Task<string> SendOnceAsync(NotificationTopicArn topic, byte[] body, CancellationToken ct)
    {
        var credentials = await GetCredentialsAsync(topic, ct);
        using var request = new HttpRequestMessage(HttpMethod.Post, _endpoint);
        AwsRequestSigner.Sign(request, body, credentials, _options.Region, _timeProvider.GetUtcNow());

        HttpResponseMessage response;
        try
        {
            response = await _httpClient.SendAsync(request, ct);
        }
        catch (HttpRequestException e)
        {
            throw new SnsPublishException(
                $"Publishing to SNS topic {topic} failed: the request to {_endpoint} did not complete: {e.Message}",
                "NetworkError",
                statusCode: null,
                requestId: null,
                isRetryable: true,
                e);
        }
        catch (TaskCanceledException e) when (!ct.IsCancellationRequested)
        {
            throw new SnsPublishException(
                $"Publishing to SNS topic {topic} failed: the request to {_endpoint} timed out.",
                "Timeout",
                statusCode: null,
                requestId: null,
                isRetryable: true,
                e);
        }

        using (response)
        {
            var responseBody = await response.Content.ReadAsStringAsync(ct);
            return response.IsSuccessStatusCode
                ? SnsQueryProtocol.ReadMessageId(responseBody) ?? throw InvalidResponse(topic, response, responseBody)
                : throw ErrorFrom(topic, response, responseBody);
        }
    }

    private async Task<ImmutableCredentials> GetCredentialsAsync(NotificationTopicArn topic, CancellationToken ct)
    {
        try
        {
            return await _credentials(ct)
                ?? throw new SnsPublishException($"No AWS credentials were available to publish to SNS topic {topic}.");
        }
        catch (AmazonClientException e)
        {
            throw new SnsPublishException(
                $"AWS credentials to publish to SNS topic {topic} could not be resolved: {e.Message}",
                "CredentialsUnavailable",
                statusCode: null,
                requestId: null,
                isRetryable: false,
                e);
        }
    }

    private static SnsPublishException ErrorFrom(NotificationTopicArn topic, HttpResponseMessage response, string body)
    {
        var status = response.StatusCode;
        var error = SnsQueryProtocol.ReadError(body);
        var code = error?.Code ?? string.Create(CultureInfo.InvariantCulture, $"Http{(int)status}");
        var retryable = status == HttpStatusCode.TooManyRequests || (int)status >= 500 || ThrottlingCodes.Contains(code);
        var requestId = error?.RequestId ?? HeaderValue(response, HeaderKeys.RequestIdHeader);
        var explanation = error?.Message is { Length: > 0 } snsMessage
            ? snsMessage
            : $"unexpected response body '{SnsQueryProtocol.Excerpt(body)}'";
        return new SnsPublishException(
            string.Create(
                CultureInfo.InvariantCulture,
                $"SNS refused to publish to topic {topic}: {code} (HTTP {(int)status}): {explanation}{RequestIdSuffix(requestId)}"),
            code,
            status,
            requestId,
            retryable);
    }

    // A 2xx without a MessageId may still have published: never retried, so a subscriber gets no duplicate.
    private static SnsPublishException InvalidResponse(NotificationTopicArn topic, HttpResponseMessage response, string body)
    {
        var requestId = HeaderValue(response, HeaderKeys.RequestIdHeader);
        return new SnsPublishException(
            string.Create(
                CultureInfo.InvariantCulture,
                $"SNS answered the publish to topic {topic} with HTTP {(int)response.StatusCode} but no MessageId: '{SnsQueryProtocol.Excerpt(body)}'{RequestIdSuffix(requestId)}"),
            "InvalidResponse",
            response.StatusCode,
            requestId,
            isRetryable: false);
    }

    private static string RequestIdSuffix(string? requestId) => requestId is null ? "." : $" (request id {requestId}).";

    private static string? HeaderValue(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;

    private static Func<CancellationToken, Task<ImmutableCredentials>> FromAwsCredentials(AWSCredentials credentials)
    {
        ArgumentNullException.ThrowIfNull(credentials);
        return _ => credentials.GetCredentialsAsync();
    }
}
