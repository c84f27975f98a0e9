using System.CommandLine;
using KeyRotation.Core.Consumers;
using KeyRotation.Integrations.Consumers;

namespace KeyRotation.Cli.Commands;

/// <summary>
/// <c>retention plan|run --check-consumers</c>: the retention function's RETIRE_CHECK_CONSUMERS with the operator's own
/// credentials, so the check can be tried before the setting is turned on. The sources are the account-wide ones of
/// <see cref="ConsumerComposition"/> (no S3 objects) over the clients the CLI context builds for this account and Region
/// (the sandbox's own endpoints in a sandbox); built only when the check is on, and disposed with the command.
/// </summary>
internal sealed class RetentionConsumerCheck : IDisposable
{
    private readonly ConsumerClients? _clients;
    private readonly ConsumerRequestPacer? _pacer;

    private RetentionConsumerCheck(ConsumerClients? clients, ConsumerRequestPacer? pacer, IReadOnlyList<IConsumerSource>? sources)
    {
        _clients = clients;
        _pacer = pacer;
        Sources = sources;
    }

    /// <summary>What the retention runner scans; null when the check is off.</summary>
    public IReadOnlyList<IConsumerSource>? Sources { get; }

    public static Option<bool> Option() => new("--check-consumers")
    {
        Description = "Before each disable and deletion, also run the consumer inventory (bucket default encryption, DynamoDB tables, SSM SecureString parameters, EBS volumes and snapshots) with your credentials, and keep a generation any resource references by key id or ARN (RETIRE_CHECK_CONSUMERS).",
    };

    /// <summary>The sources for <paramref name="settings"/>: none unless RETIRE_CHECK_CONSUMERS or --check-consumers turned the check on.</summary>
    public static async Task<RetentionConsumerCheck> OpenAsync(CliContext context, Core.Configuration.RetentionSettings settings)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(settings);
        if (!settings.CheckConsumers)
        {
            return new RetentionConsumerCheck(null, null, null);
        }

        ConsumerClients clients;
        try
        {
            clients = await context.ConsumerClientsAsync();
        }
        catch (ArgumentException ex)
        {
            // A malformed AWS_ENDPOINT_URL_<SERVICE>: bad input, named, before any request.
            throw new UsageException(ex.Message, ex);
        }

        var pacer = context.ConsumerPacer();
        return new RetentionConsumerCheck(clients, pacer, ConsumerComposition.Sources(clients, new ConsumerScanOptions(), pacer));
    }

    public void Dispose()
    {
        _pacer?.Dispose();
        _clients?.Dispose();
    }
}
