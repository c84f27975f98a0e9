using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using Amazon.Runtime;
using KeyRotation.Core;
using KeyRotation.Core.Consumers;
using KeyRotation.Integrations.Composition;

namespace KeyRotation.Cli;

/// <summary>
/// The sandbox's consumer demonstration (docs/cli.md, the sandbox): an alias with four generations whose earlier keys
/// S3, DynamoDB, SSM and EBS resources still name (<see cref="SandboxConsumerSeed"/>), served by the local endpoints of
/// KeyRotation.LocalConsumers during the commands that scan them (<c>consumers</c>, <c>migrate</c>), and kept between
/// commands in <c>NAME-consumers.json</c> beside the state file. It is not one of the demo aliases the rotating commands
/// default to: name it. A state file from before it existed gets the alias and its consumers seeded on first use.
/// </summary>
internal sealed partial class Sandbox : IAsyncDisposable
{
    /// <summary>Four generations: the first key (150 days old), 2 (retired 90 days ago), 3 (retired 60 days ago), 4 (current).</summary>
    public const string Orders = "alias/demo/orders";

    private SandboxConsumerStateFile? _consumerFile;
    private SandboxConsumerState? _consumerState;
    private SandboxConsumerServices? _consumerServices;

    /// <summary>What the consumer clients sign with in the sandbox: the local endpoints check no signature, and no real credentials are read.</summary>
    public static AWSCredentials ConsumerCredentials { get; } = new BasicAWSCredentials("SANDBOXACCESSKEY", "sandbox-secret");

    /// <summary>The consumer state file beside the state file; null when the sandbox lives only for this command.</summary>
    public string? ConsumerStatePath => ConsumerFile?.Path;

    private SandboxConsumerStateFile? ConsumerFile => _consumerFile ??= _state is null ? null : new SandboxConsumerStateFile(Path.ChangeExtension(_state.Path, null) + "-consumers.json");

    /// <summary>
    /// The consumer services for this command, started on first use with the kept resources (from the file, or the
    /// seed); stopped by <see cref="DisposeAsync"/>, and their resources kept by <see cref="Save"/>.
    /// </summary>
    public async Task<SandboxConsumerServices> StartConsumersAsync()
    {
        if (_consumerServices is not null)
        {
            return _consumerServices;
        }

        SandboxConsumerState state;
        try
        {
            state = _consumerState ?? ConsumerFile?.Load() ?? throw new InvalidOperationException("The sandbox's consumers are seeded when it starts.");
        }
        catch (Exception ex) when (ex is FormatException or IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"The sandbox consumer state cannot be read ({ex.Message}); pass --sandbox-reset to start again from the seed.", ex);
        }

        // Kept before the import, so the command's end stops them whatever happens next.
        var services = _consumerServices = await SandboxConsumerServices.StartAsync(Service.Region, Service.AccountId);
        try
        {
            services.Import(state);
        }
        catch (FormatException ex)
        {
            _consumerState = null; // nothing of it is saved back
            throw new UsageException($"The sandbox consumer state cannot be used ({ConsumerStatePath}: {ex.Message}); pass --sandbox-reset to start again from the seed.", ex);
        }

        _consumerState = state;
        return services;
    }

    /// <summary>Stops the consumer services, if this command started them.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_consumerServices is { } services)
        {
            await services.DisposeAsync();
        }
    }

    /// <summary>Creates <see cref="Orders"/> and rotates it three times, backdated (the seed, and a state file from before it).</summary>
    private static async Task SeedOrdersKeysAsync(AmazonKeyManagementServiceClient kms, ShiftedClock clock, CancellationToken ct)
    {
        clock.Offset = TimeSpan.FromDays(-150);
        await CreateAliasedKeyAsync(kms, Orders, KeySpec.SYMMETRIC_DEFAULT, KeyUsageType.ENCRYPT_DECRYPT, "Demo: order data that S3, DynamoDB, SSM and EBS hold under older generations", ("team", "orders"), ct);
        foreach (var daysAgo in new[] { 120, 90, 60 })
        {
            clock.Offset = TimeSpan.FromDays(-daysAgo);
            var engine = new RotationComposition(new() { Kms = kms, Notifier = new DiscardingNotifier(), Time = clock }).Engine(new RotationOptions());
            var report = await engine.RunAsync(new RotationRequest { RotationId = $"sandbox-seed-orders-{daysAgo}d", Aliases = [Orders], Force = true }, ct);
            if (report.Results[0].Outcome != RotationOutcome.Rotated)
            {
                throw new InvalidOperationException($"Seeding the sandbox failed: {report.Results[0].Reason}");
            }
        }

        clock.Offset = TimeSpan.Zero;
    }

    /// <summary>
    /// Seeds the consumers on <see cref="Orders"/>'s generations when there are none kept (<paramref name="seeded"/>:
    /// the KMS state was seeded just now, so any kept consumers name keys that are gone). A kept KMS state from before
    /// the alias existed gets the alias first.
    /// </summary>
    private async Task SeedConsumersAsync(AmazonKeyManagementServiceClient kms, ShiftedClock clock, bool seeded, CancellationToken ct)
    {
        if (!seeded && ConsumerFile is { Exists: true })
        {
            return;
        }

        if (!seeded && !await ExistsAsync(kms, Orders, ct))
        {
            await SeedOrdersKeysAsync(kms, clock, ct);
        }

        var generations = await AliasGenerations.ReadAsync(kms, Orders, ct);
        _consumerState = await SandboxConsumerSeed.StateAsync(generations, Service.Region, Service.AccountId);
    }

    private static async Task<bool> ExistsAsync(AmazonKeyManagementServiceClient kms, string alias, CancellationToken ct)
    {
        try
        {
            await kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = alias }, ct);
            return true;
        }
        catch (NotFoundException)
        {
            return false;
        }
    }

    /// <summary>Keeps the consumer services' resources (as they are now, or as seeded) for the next command.</summary>
    private void SaveConsumers()
    {
        var state = _consumerState is null ? null : _consumerServices?.Export() ?? _consumerState;
        if (state is null)
        {
            return;
        }

        _consumerState = state;
        try
        {
            ConsumerFile?.Save(state);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"The sandbox consumer state cannot be written to {ConsumerStatePath}: {ex.Message}", ex);
        }
    }
}
