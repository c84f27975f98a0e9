using KeyRotation.Core.Consumers;
using KeyRotation.Integrations.Consumers;

namespace KeyRotation.Cli;

/// <summary>The clients and pacing of <c>consumers</c> and <c>migrate</c>: the services whose resources store key references.</summary>
internal sealed partial class CliContext
{
    /// <summary>The sandbox <see cref="ConnectAsync"/> started, whose consumer services the sandbox's consumer clients reach.</summary>
    private Sandbox? _sandbox;

    /// <summary>
    /// DynamoDB, SSM and EC2 (and the other consumer services) in this run's account and Region, with the same
    /// credentials as KMS (--profile, the access key variables, the SDK's chain, or the role of --role-arn). In the
    /// sandbox (after <see cref="ConnectAsync"/>): the same clients at the sandbox's local services on 127.0.0.1,
    /// started now and stopped when the command ends.
    /// </summary>
    public async Task<ConsumerClients> ConsumerClientsAsync()
    {
        if (IsSandbox)
        {
            var sandbox = _sandbox ?? throw new InvalidOperationException("The sandbox's consumer services start with the sandbox: call ConnectAsync first.");
            var services = await sandbox.StartConsumersAsync();
            Error($"Sandbox consumers: {sandbox.ConsumerStatePath ?? "kept for this command only"} (served while the command runs: {services.Describe()}).");
            return Integrations.Consumers.ConsumerClients.Create(Sandbox.ConsumerCredentials, sandbox.Service.Region, services.Environment);
        }

        return Integrations.Consumers.ConsumerClients.Create(Credentials(), Aws.Region, Environment);
    }

    /// <summary>
    /// The consumer services' pacing at <see cref="ConsumerRequestRates"/> on the real clock (the services count in real
    /// seconds), or none where the KMS client is injected (tests against local doubles) and in the sandbox (its services
    /// are local), as KMS's pacing.
    /// </summary>
    public ConsumerRequestPacer ConsumerPacer() =>
        Host.KmsClient is not null || IsSandbox ? ConsumerRequestPacer.Unpaced() : new ConsumerRequestPacer(ConsumerRequestRates.Defaults, TimeProvider.System);
}
