using System.Net.Sockets;
using Amazon;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using Amazon.Runtime;
using Amazon.Runtime.CredentialManagement;
using Amazon.Runtime.Credentials;
using Amazon.Runtime.Endpoints;
using Amazon.S3;
using KeyRotation.Cli.Targets;
using KeyRotation.Core.Pacing;
using KeyRotation.Integrations.Clients;
using KeyRotation.Integrations.Pacing;

namespace KeyRotation.Cli;

/// <summary>
/// The AWS settings of one command, resolved once with the SDK's own rules before any KMS call: the Region (known to
/// the SDK, unless a custom endpoint is given), the KMS endpoint, and credentials that can really be obtained; then one
/// quick call proves the endpoint answers. Each problem is one line naming what is missing and how to provide it (exit 2).
/// </summary>
internal sealed class AwsSettings
{
    /// <summary>Short, so an endpoint that cannot be reached is reported in seconds rather than after the OS's minutes.</summary>
    public static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(3);

    internal const string NoCredentials =
        "No AWS credentials: pass --profile (or set AWS_PROFILE) for a profile in ~/.aws/config, run 'aws configure' or 'aws sso login', or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.";

    private static readonly HashSet<string> RejectedCredentialCodes = new(StringComparer.Ordinal)
    {
        "UnrecognizedClientException", "InvalidSignatureException", "ExpiredTokenException", "InvalidClientTokenId", "IncompleteSignature",
    };

    private AwsSettings(string region, Uri? kmsEndpoint, AWSCredentials credentials, IReadOnlyDictionary<string, string> environment)
    {
        Region = region;
        KmsEndpoint = kmsEndpoint;
        Credentials = credentials;
        Environment = environment;
    }

    public string Region { get; }

    /// <summary>--endpoint-url or the endpoint variables; null: the Region's KMS endpoint.</summary>
    public Uri? KmsEndpoint { get; }

    public AWSCredentials Credentials { get; }

    private IReadOnlyDictionary<string, string> Environment { get; }

    /// <summary>Region, endpoint and credentials from the flags, the environment and the SDK's chains; no network call.</summary>
    public static AwsSettings Resolve(string? regionFlag, string? endpointFlag, string? profileFlag, IReadOnlyDictionary<string, string> environment, Func<AWSCredentials>? defaultCredentials)
    {
        string? Get(string name) => environment.TryGetValue(name, out var value) && !string.IsNullOrWhiteSpace(value) ? value.Trim() : null;

        var endpoint = KmsEndpointOf(endpointFlag, environment);

        // A Region named outright is checked before credentials are looked for: it is the cheaper mistake to report.
        var region = regionFlag ?? Get("AWS_REGION") ?? Get("AWS_DEFAULT_REGION");
        if (region is not null)
        {
            CheckRegion(region, endpoint);
        }

        var (credentials, profileRegion) = ResolveCredentials(profileFlag, environment, defaultCredentials);
        region ??= profileRegion;
        region ??= FallbackRegionFactory.GetRegionEndpoint()?.SystemName;
        if (region is null)
        {
            if (endpoint is null)
            {
                throw new UsageException("No AWS Region: pass --region, set AWS_REGION, or set region in your AWS profile ('aws configure').");
            }

            region = "us-east-1"; // only signs requests to a custom endpoint
        }
        else
        {
            CheckRegion(region, endpoint);
        }

        return new AwsSettings(region, endpoint, credentials, environment);
    }

    /// <summary>--endpoint-url, else AWS_ENDPOINT_URL_KMS or AWS_ENDPOINT_URL; null: the Region's own endpoint.</summary>
    public static Uri? KmsEndpointOf(string? endpointFlag, IReadOnlyDictionary<string, string> environment)
    {
        try
        {
            return endpointFlag is not null
                ? (Uri.TryCreate(endpointFlag, UriKind.Absolute, out var flag) && (flag.Scheme == Uri.UriSchemeHttp || flag.Scheme == Uri.UriSchemeHttps)
                    ? flag
                    : throw new UsageException($"--endpoint-url '{endpointFlag}' is not an http or https URL."))
                : AwsEndpoints.Resolve(environment, "KMS");
        }
        catch (ArgumentException ex)
        {
            throw new UsageException(ex.Message, ex);
        }
    }

    /// <summary>The same endpoint and environment in another Region with other credentials (an assumed role's); no network call.</summary>
    public static AwsSettings ForTarget(string region, Uri? kmsEndpoint, AWSCredentials credentials, IReadOnlyDictionary<string, string> environment)
    {
        CheckRegion(region, kmsEndpoint);
        return new AwsSettings(region, kmsEndpoint, credentials, environment);
    }

    /// <summary>These settings with <paramref name="credentials"/> instead (a role assumed with the ones resolved here).</summary>
    public AwsSettings WithCredentials(AWSCredentials credentials) => new(Region, KmsEndpoint, credentials, Environment);

    /// <summary>A Region the SDK does not know is refused, unless a custom endpoint is given (the escape hatch).</summary>
    private static void CheckRegion(string region, Uri? endpoint)
    {
        if (endpoint is null && !RegionEndpoint.EnumerableAllRegions.Any(r => r.SystemName == region))
        {
            throw new UsageException($"Unknown AWS Region '{region}': pass a Region code such as us-east-1 or eu-west-1, or --endpoint-url for an endpoint this SDK does not know.");
        }
    }

    /// <summary>Credentials from --profile (or AWS_PROFILE), the access key variables, else the SDK's default chain; and the profile's Region.</summary>
    public static (AWSCredentials Credentials, string? ProfileRegion) ResolveCredentials(string? profileFlag, IReadOnlyDictionary<string, string> environment, Func<AWSCredentials>? defaultCredentials)
    {
        string? Get(string name) => environment.TryGetValue(name, out var value) && !string.IsNullOrWhiteSpace(value) ? value.Trim() : null;

        var profileName = profileFlag ?? Get("AWS_PROFILE");
        if (profileName is not null)
        {
            // The SDK's profile chain, so every profile kind the AWS CLI knows resolves, SSO (sso_session) included;
            // AWS_SHARED_CREDENTIALS_FILE as this command was given it (the SDK reads AWS_CONFIG_FILE, else the config beside it).
            var chain = Get("AWS_SHARED_CREDENTIALS_FILE") is { } file ? new CredentialProfileStoreChain(file) : new CredentialProfileStoreChain();
            if (!chain.TryGetProfile(profileName, out var profile) || !chain.TryGetAWSCredentials(profileName, out var fromProfile))
            {
                throw new UsageException($"The AWS profile '{profileName}' was not found in ~/.aws/config or ~/.aws/credentials, or has no usable credentials: check --profile (or AWS_PROFILE), or run 'aws configure --profile {profileName}'.");
            }

            return (fromProfile, profile.Region?.SystemName);
        }

        if (Get("AWS_ACCESS_KEY_ID") is { } accessKey && Get("AWS_SECRET_ACCESS_KEY") is { } secretKey)
        {
            return (Get("AWS_SESSION_TOKEN") is { } token ? new SessionAWSCredentials(accessKey, secretKey, token) : new BasicAWSCredentials(accessKey, secretKey), null);
        }

        try
        {
            return (defaultCredentials is null ? DefaultAWSCredentialsIdentityResolver.GetCredentials() : defaultCredentials(), null);
        }
        catch (AmazonClientException ex)
        {
            throw new UsageException(NoCredentials, ex);
        }
    }

    /// <summary>
    /// Obtains the credentials (the default chain defers that to the first call) and makes one quick, read-only KMS call
    /// without retries, so a missing, rejected or unreachable setting is reported now, once, instead of per alias.
    /// </summary>
    public async Task CheckAsync(CancellationToken ct)
    {
        try
        {
            await Credentials.GetCredentialsAsync();
        }
        catch (RoleAssumptionException ex)
        {
            // STS's own refusal (a wrong external id, a role that does not trust the caller) says more than "no credentials".
            throw new UsageException(ex.Message, ex);
        }
        catch (Exception ex) when (ex is AmazonClientException or AmazonServiceException or HttpRequestException)
        {
            throw new UsageException(NoCredentials, ex);
        }

        using var probe = CreateKms(pacer: null, retries: 0);
        try
        {
            await probe.ListAliasesAsync(new ListAliasesRequest { Limit = 1 }, ct);
        }
        catch (AmazonServiceException ex) when (ex.ErrorCode is { } code && RejectedCredentialCodes.Contains(code))
        {
            throw new UsageException($"AWS did not accept the credentials ({code}): refresh them ('aws sso login', 'aws configure') or choose another --profile.", ex);
        }
        catch (AmazonServiceException)
        {
            // Any other answer (AccessDenied included) proves the endpoint and the credentials work; the command reports the rest.
        }
        catch (Exception ex) when (Unreachable(ex) is { } reason)
        {
            throw new UsageException($"Cannot connect to KMS at {EndpointOf(probe)}: {reason}. Check --endpoint-url (or AWS_ENDPOINT_URL_KMS), the Region and your network.", ex);
        }
    }

    /// <summary>
    /// KMS with every request paced by <paramref name="pacer"/> (the command's one pacer; null: unpaced, the probe) and
    /// standard retries as the backstop for throttling that still happens, or none (CreateKey, the probe).
    /// </summary>
    public AmazonKeyManagementServiceClient CreateKms(KmsRequestPacer? pacer, int retries = 10)
    {
        var config = new AmazonKeyManagementServiceConfig { RetryMode = RequestRetryMode.Standard, MaxErrorRetry = retries, ConnectTimeout = ConnectTimeout };
        if (pacer is not null)
        {
            PacedHttpClientFactory.Apply(config, pacer);
        }

        Place(config, KmsEndpoint);
        return new AmazonKeyManagementServiceClient(Credentials, config);
    }

    /// <summary>KMS in another Region (a multi-Region key's replica Region): the same credentials and endpoint, signed for that Region.</summary>
    public AmazonKeyManagementServiceClient CreateKmsIn(string region)
    {
        var config = new AmazonKeyManagementServiceConfig { RetryMode = RequestRetryMode.Standard, MaxErrorRetry = 10, ConnectTimeout = ConnectTimeout };
        if (KmsEndpoint is { } endpoint)
        {
            config.ServiceURL = endpoint.ToString();
            config.AuthenticationRegion = region;
        }
        else
        {
            config.RegionEndpoint = RegionEndpoint.GetBySystemName(region);
        }

        return new AmazonKeyManagementServiceClient(Credentials, config);
    }

    /// <summary>
    /// S3 for the escrow bucket, with the same Region and credentials as KMS; AWS_ENDPOINT_URL_S3 or AWS_ENDPOINT_URL
    /// (not --endpoint-url, which names a KMS endpoint) with path-style addressing, as S3-compatible endpoints need.
    /// </summary>
    public IAmazonS3 CreateS3()
    {
        var config = new AmazonS3Config { RetryMode = RequestRetryMode.Standard, MaxErrorRetry = 5, ConnectTimeout = ConnectTimeout };
        Uri? endpoint;
        try
        {
            endpoint = AwsEndpoints.Resolve(Environment, "S3");
        }
        catch (ArgumentException ex)
        {
            throw new UsageException(ex.Message, ex);
        }

        config.ForcePathStyle = endpoint is not null;
        Place(config, endpoint);
        return new AmazonS3Client(Credentials, config);
    }

    private void Place(ClientConfig config, Uri? endpoint)
    {
        if (endpoint is not null)
        {
            config.ServiceURL = endpoint.ToString();
            config.AuthenticationRegion = Region;
        }
        else
        {
            config.RegionEndpoint = RegionEndpoint.GetBySystemName(Region);
        }
    }

    private static string EndpointOf(AmazonKeyManagementServiceClient client) =>
        client.Config.ServiceURL ?? client.Config.DetermineServiceOperationEndpoint(new ServiceOperationEndpointParameters(new ListAliasesRequest())).URL;

    /// <summary>Why the endpoint could not be reached (the socket's own words), or null when the failure is something else.</summary>
    private static string? Unreachable(Exception ex) => ex switch
    {
        HttpRequestException { InnerException: SocketException socket } => socket.Message,
        HttpRequestException http => http.Message,
        IOException io => io.Message, // a connection dropped without an answer (HttpIOException: the response ended prematurely)
        TaskCanceledException or TimeoutException => $"no answer within the timeout",
        AmazonClientException { InnerException: { } inner } => Unreachable(inner),
        _ => null,
    };
}
