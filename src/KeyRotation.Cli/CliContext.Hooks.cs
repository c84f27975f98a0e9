using Amazon.Runtime;
using KeyRotation.Core.Hooks;
using KeyRotation.Integrations.Clients;
using KeyRotation.Integrations.Hooks;

namespace KeyRotation.Cli;

/// <summary>What invokes a run's move hooks: the sandbox's functions in process, else Lambda Invoke as the run's KMS client signs.</summary>
internal sealed partial class CliContext
{
    /// <summary>
    /// The sandbox's hook functions; otherwise Lambda Invoke (AWS_ENDPOINT_URL_LAMBDA, then AWS_ENDPOINT_URL, else the
    /// function's Region's endpoint) signed with <paramref name="credentials"/> (a target's role with --accounts), or
    /// else this run's own: --profile, the access key variables, the chain, or the role of --role-arn, as KMS. Each
    /// invocation is signed for the function's own Region, from its ARN, as Lambda requires. The credentials are
    /// resolved at the first invocation: a run whose aliases have no hook never needs them.
    /// </summary>
    public IHookFunctions HookFunctions(Sandbox? sandbox, AWSCredentials? credentials = null) =>
        sandbox?.Hooks ?? LambdaInvokeClient.Create(AwsEndpoints.Resolve(Environment, "LAMBDA"), ct => HookCredentialsAsync(credentials), Host.Time);

    private async Task<ImmutableCredentials> HookCredentialsAsync(AWSCredentials? credentials)
    {
        AWSCredentials resolved;
        try
        {
            resolved = credentials ?? Credentials();
        }
        catch (UsageException ex)
        {
            // The hook client reports unresolved credentials as its own failure, naming the hook.
            throw new AmazonClientException(ex.Message, ex);
        }

        return await resolved.GetCredentialsAsync();
    }
}
