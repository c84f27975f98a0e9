using KeyRotation.Cli.Commands;
using KeyRotation.Core;
using KeyRotation.Core.Consumers;
using KeyRotation.Core.Protocol;
using KeyRotation.Integrations.Consumers;

namespace KeyRotation.Cli.Targets;

/// <summary>
/// <c>consumers --accounts FILE</c> and <c>migrate --accounts FILE</c>: the same scan (and migration) in each account
/// and Region, one after the other, each with its assumed role's credentials and pacing of its own (the services'
/// limits hold per account and Region). An alias missing in a target, or a target that cannot be reached, is that
/// target's error; the others still run.
/// </summary>
internal static class ConsumersAcrossAccounts
{
    public static async Task<IReadOnlyList<TargetReport>> ScanAsync(CliContext context, string alias, ConsumerScanOptions options, CancellationToken ct)
    {
        var results = await RunAsync(context, alias, options, (connection, report, clients, pacer, token) => Task.FromResult(report), ct);
        return [.. results.Select(r => new TargetReport(r.Target, r.Value, r.Error))];
    }

    /// <summary>Scans and then migrates each target; <paramref name="dryRun"/> changes nothing.</summary>
    public static async Task<IReadOnlyList<TargetMigration>> MigrateAsync(CliContext context, string alias, ConsumerScanOptions options, bool dryRun, CancellationToken ct)
    {
        var results = await RunAsync(
            context,
            alias,
            options,
            (connection, report, clients, pacer, token) => new ConsumerMigration(ConsumerComposition.Migrators(clients, options, pacer), line => context.Error($"{connection.Target}: {line}")).RunAsync(report, dryRun, token),
            ct);
        return [.. results.Select(r => new TargetMigration(r.Target, r.Value, r.Error))];
    }

    private static async Task<IReadOnlyList<TargetResult<T>>> RunAsync<T>(
        CliContext context,
        string alias,
        ConsumerScanOptions options,
        Func<TargetConnection, ConsumerReport, ConsumerClients, ConsumerRequestPacer, CancellationToken, Task<T>> then,
        CancellationToken ct)
    {
        var connections = await MultiTargetRun.PrepareAsync(context);
        return await MultiTargetRun.ForEachAsync(
            context,
            connections,
            async (connection, token) =>
            {
                var snapshot = await AliasSnapshot.ReadAsync(connection.Kms, token);
                if (snapshot.TargetOf(alias) is null)
                {
                    throw new RotationException($"{alias} does not exist in {connection.Target}.");
                }

                using var clients = ConsumerClients.Create(connection.Aws.Credentials, connection.Aws.Region, context.Environment);
                using var pacer = context.ConsumerPacer();
                var report = await ConsumerScan.RunAsync(context, connection.Kms, snapshot, alias, clients, options, pacer, token);
                return await then(connection, report, clients, pacer, token);
            },
            ct);
    }
}
