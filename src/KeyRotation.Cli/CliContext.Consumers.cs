using KeyRotation.Core.Consumers;
using KeyRotation.Integrations.Consumers;

namespace KeyRotation.Cli;

/// <summary>The clients and pacing of <c>consumers</c> and <c>migrate</c>: the services whose resources store key references.</summary>
internal sealed partial class CliContext
{
    /// <summary>
    /// DynamoDB, SSM and EC2 (and the other consumer services) in this run's account and Region, with the same
    /// credentials as KMS (--profile, the access key variables, the SDK's chain, or the role of --role-arn).
    /// </summary>
    public ConsumerClients ConsumerClients()
    {
        if (IsSandbox)
        {
            throw new UsageException("--sandbox holds only KMS: it has no DynamoDB, SSM, EC2 or S3 to scan; run against an account (or endpoints set with AWS_ENDPOINT_URL_<SERVICE>).");
        }

        return Integrations.Consumers.ConsumerClients.Create(Credentials(), Aws.Region, Environment);
    }

    /// <summary>
    /// The consumer services' pacing at <see cref="ConsumerRequestRates"/> on the real clock (the services count in real
    /// seconds), or none where the KMS client is injected (tests against local doubles), as KMS's pacing.
    /// </summary>
    public ConsumerRequestPacer ConsumerPacer() =>
        Host.KmsClient is not null ? ConsumerRequestPacer.Unpaced() : new ConsumerRequestPacer(ConsumerRequestRates.Defaults, TimeProvider.System);
}
