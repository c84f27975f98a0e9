using Amazon.KeyManagementService;
using Amazon.Runtime;
using KeyRotation.Core;
using KeyRotation.Core.Pacing;
using KeyRotation.Core.Tagging;
using KeyRotation.Integrations.Clients;

namespace KeyRotation.Cli.Targets;

/// <summary>
/// A command run over the accounts of <c>--accounts FILE</c>: the file checked and every target's settings built
/// before anything is called, then each target in file order, its role assumed through STS. A target that cannot be
/// reached (STS refuses, the endpoint does not answer, the role is denied) becomes that target's error: the others
/// still run, and the exit code says that something failed.
/// </summary>
internal static class MultiTargetRun
{
    /// <summary>The targets and their settings; bad usage (a bad line, no source credentials) is an exit 2 with nothing called.</summary>
    public static async Task<IReadOnlyList<TargetConnection>> PrepareAsync(CliContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Region is not null)
        {
            throw new UsageException("--region does not apply with --accounts: each line of the file names its Regions.");
        }

        var endpoint = AwsSettings.KmsEndpointOf(context.EndpointUrl, context.Environment);
        var targets = AccountTargets.Load(context.Targets.AccountsFile!, anyRegion: endpoint is not null);

        // The identity that assumes the roles: --profile (SSO profiles included), the access key variables, or the chain.
        var source = AwsSettings.ResolveCredentials(context.Profile, context.Environment, context.Host.DefaultCredentials).Credentials;
        try
        {
            await source.GetCredentialsAsync();
        }
        catch (Exception ex) when (ex is AmazonClientException or AmazonServiceException or HttpRequestException)
        {
            throw new UsageException(AwsSettings.NoCredentials, ex);
        }

        return [.. targets.Select(target =>
        {
            var role = new RoleToAssume(target.RoleArn, context.Targets.SessionName, target.ExternalId);
            var credentials = new AssumedRoleCredentials(source, role, target.Region, context.Environment);
            return new TargetConnection(target, AwsSettings.ForTarget(target.Region, endpoint, credentials, context.Environment), context.TargetPacer());
        })];
    }

    /// <summary>
    /// Runs <paramref name="work"/> on each target in turn, after assuming its role and one quick read-only call; a target
    /// whose role, endpoint or calls fail is reported with its error instead, and the next one runs.
    /// </summary>
    public static async Task<IReadOnlyList<TargetResult<T>>> ForEachAsync<T>(
        CliContext context,
        IReadOnlyList<TargetConnection> connections,
        Func<TargetConnection, CancellationToken, Task<T>> work,
        CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(connections);
        ArgumentNullException.ThrowIfNull(work);
        var results = new List<TargetResult<T>>();
        foreach (var connection in connections)
        {
            try
            {
                await context.WaitAsync($"Connecting to {connection.Target}", () => connection.Aws.CheckAsync(ct));
                results.Add(new TargetResult<T>(connection.Target, await work(connection, ct), null));
            }
            catch (Exception ex) when (ex is UsageException or RotationException or AmazonServiceException or AmazonClientException or HttpRequestException or IOException)
            {
                var message = ex is AmazonServiceException service ? $"{service.ErrorCode ?? service.GetType().Name}: {service.Message}" : ex.Message;
                results.Add(new TargetResult<T>(connection.Target, default, message));
            }
        }

        return results;
    }
}

/// <summary>One target's settings (its Region, the assumed role's credentials, the shared endpoint) and its clients.</summary>
internal sealed class TargetConnection(AccountTarget target, AwsSettings aws, KmsRequestPacer? pacer)
{
    private IAmazonKeyManagementService? _kms;

    public AccountTarget Target { get; } = target;

    public AwsSettings Aws { get; } = aws;

    /// <summary>KMS with the SDK's standard retries, built once, paced to this target's own quotas.</summary>
    public IAmazonKeyManagementService Kms => _kms ??= Aws.CreateKms(pacer);

    /// <summary>KMS without retries, for CreateKey (a retried CreateKey can create a second key).</summary>
    public IAmazonKeyManagementService CreateKeyClient() => Aws.CreateKms(pacer, retries: 0);

    /// <summary>The tagging client that finds a key a crashed run created, as <see cref="CliContext.KeyFinder"/> builds it, in this target.</summary>
    public ITaggedKeyFinder KeyFinder(CliContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return AwsClients.CreateKeyFinder(context.Environment, Aws.Region, context.EndpointUrl is null ? null : new Uri(context.EndpointUrl), Aws.Credentials, context.Host.Time);
    }
}

/// <summary>What one target gave: <see cref="Value"/>, or the <see cref="Error"/> that stopped it.</summary>
internal sealed record TargetResult<T>(AccountTarget Target, T? Value, string? Error);

/// <summary>The engine's warnings, on stderr, naming the account and Region.</summary>
internal sealed class TargetLog(CliContext context, AccountTarget target) : IRotationLog
{
    public void Write(RotationLogEntry entry)
    {
        if (entry.Level == RotationLogLevel.Warning)
        {
            context.Error($"warning: {target.AccountId} {target.Region} {entry.Alias}: {entry.Message}");
        }
    }
}
