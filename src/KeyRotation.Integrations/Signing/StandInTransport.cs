using Amazon.Runtime;
using Amazon.Runtime.Credentials;

namespace KeyRotation.Integrations.Signing;

/// <summary>
/// What the stand-in clients (SNS Publish, the tagging API) share when the host gives them nothing of their own: one
/// connection pool per process (Lambda container), re-resolving DNS every few minutes, and the SDK's default
/// credentials chain (environment, profile, container/IMDS...), which caches what it resolves.
/// </summary>
internal static class StandInTransport
{
    private static readonly Lazy<HttpClient> SharedHttpClient = new(() => new HttpClient(
        new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
    {
        Timeout = TimeSpan.FromSeconds(20),
    });

    private static readonly Lazy<DefaultAWSCredentialsIdentityResolver> DefaultCredentialsResolver = new(() => new DefaultAWSCredentialsIdentityResolver());

    /// <summary>The process's one HttpClient for stand-in requests.</summary>
    public static HttpClient Http => SharedHttpClient.Value;

    /// <summary>Credentials from the SDK's default chain.</summary>
    public static async Task<ImmutableCredentials> DefaultCredentialsAsync(CancellationToken ct)
    {
        var credentials = await DefaultCredentialsResolver.Value.ResolveIdentityAsync(clientConfig: null, ct);
        return await credentials.GetCredentialsAsync();
    }
}
