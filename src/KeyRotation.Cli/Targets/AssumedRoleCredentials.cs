using Amazon;
using Amazon.Runtime;
using Amazon.SecurityToken;
using Amazon.SecurityToken.Model;
using KeyRotation.Integrations.Clients;

namespace KeyRotation.Cli.Targets;

/// <summary>
/// Credentials of an assumed IAM role, from STS's AssumeRole called with the source credentials (--profile, the access
/// key variables or the SDK's chain), refreshed by the SDK's <see cref="RefreshingAWSCredentials"/> before they expire.
/// The STS client is the SDK's, in the target's Region, or at AWS_ENDPOINT_URL_STS (then AWS_ENDPOINT_URL) when set.
/// Not the SDK's AssumeRoleAWSCredentials: that one builds its STS client from process-wide settings, which an
/// endpoint given to this command could not reach.
/// </summary>
internal sealed class AssumedRoleCredentials : RefreshingAWSCredentials
{
    private readonly AmazonSecurityTokenServiceClient _sts;
    private readonly AWSCredentials _source;

    public AssumedRoleCredentials(AWSCredentials source, RoleToAssume role, string region, IReadOnlyDictionary<string, string> environment)
    {
        ArgumentNullException.ThrowIfNull(role);
        Role = role;
        _source = source;
        var config = new AmazonSecurityTokenServiceConfig { RetryMode = RequestRetryMode.Standard, MaxErrorRetry = 2, ConnectTimeout = AwsSettings.ConnectTimeout };
        Uri? endpoint;
        try
        {
            endpoint = AwsEndpoints.Resolve(environment, "STS");
        }
        catch (ArgumentException ex)
        {
            throw new UsageException(ex.Message, ex);
        }

        if (endpoint is not null)
        {
            config.ServiceURL = endpoint.ToString();
            config.AuthenticationRegion = region;
        }
        else
        {
            config.RegionEndpoint = RegionEndpoint.GetBySystemName(region);
        }

        _sts = new AmazonSecurityTokenServiceClient(source, config);
    }

    public RoleToAssume Role { get; }

    protected override CredentialsRefreshState GenerateNewCredentials() => GenerateNewCredentialsAsync().GetAwaiter().GetResult();

    protected override async Task<CredentialsRefreshState> GenerateNewCredentialsAsync()
    {
        var request = new AssumeRoleRequest { RoleArn = Role.RoleArn, RoleSessionName = Role.SessionName, ExternalId = Role.ExternalId };
        // Source credentials that cannot be had are the caller's problem ("no credentials"), not STS's: fetched first.
        await _source.GetCredentialsAsync();
        AssumeRoleResponse response;
        try
        {
            response = await _sts.AssumeRoleAsync(request);
        }
        catch (AmazonServiceException ex)
        {
            throw new RoleAssumptionException($"Cannot assume {Role.RoleArn} ({ex.ErrorCode ?? ex.GetType().Name}: {ex.Message}). Check the role ARN, {(Role.ExternalId is null ? "whether the role's trust policy requires an external id" : "the external id")}, and that the role trusts your identity.", ex);
        }
        catch (Exception ex) when (ex is AmazonClientException or HttpRequestException or TaskCanceledException)
        {
            throw new RoleAssumptionException($"Cannot reach STS at {_sts.Config.ServiceURL ?? _sts.Config.RegionEndpoint?.SystemName} to assume {Role.RoleArn}: {ex.Message}", ex);
        }

        var issued = response.Credentials;
        return new CredentialsRefreshState(
            new ImmutableCredentials(issued.AccessKeyId, issued.SecretAccessKey, issued.SessionToken),
            (issued.Expiration ?? throw new RoleAssumptionException($"STS returned credentials for {Role.RoleArn} without an expiration.")).ToUniversalTime());
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _sts.Dispose();
        }

        base.Dispose(disposing);
    }
}

/// <summary>The role to assume, its session name, and the external id its trust policy may require.</summary>
internal sealed record RoleToAssume(string RoleArn, string SessionName, string? ExternalId);

/// <summary>STS refused or could not be reached: the message names the role and what to check.</summary>
internal sealed class RoleAssumptionException : AmazonClientException
{
    public RoleAssumptionException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public RoleAssumptionException(string message)
        : base(message)
    {
    }

    public RoleAssumptionException()
        : base("Cannot assume the role.")
    {
    }
}
