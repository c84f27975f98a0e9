using System.CommandLine;
using KeyRotation.Cli.Errors;
using KeyRotation.Cli.Targets;

namespace KeyRotation.Cli.Commands;

/// <summary>
/// <c>consumers ALIAS [--bucket NAME [--prefix P]]</c>: the resources of the account and Region (or of every target of
/// --accounts) that reference any generation of the alias, grouped by generation, and those that could not be checked.
/// </summary>
internal static class ConsumersCommand
{
    public static Command Create(CliContextFactory factory)
    {
        var alias = Arguments.Single("ALIAS", "The alias whose generations to look for (for example alias/app-data).");
        var output = OutputOptions.WithCsv();
        var bucket = ConsumerScan.BucketOption();
        var prefix = ConsumerScan.PrefixOption();
        var command = new Command("consumers", "List the resources (S3 bucket default encryption, and with --bucket the objects; DynamoDB tables, SSM SecureString parameters, EBS volumes and snapshots) that reference any generation of the alias, grouped by generation.")
        {
            alias, output, bucket, prefix,
        };
        command.SetAction(async (parsed, ct) =>
        {
            var context = factory.For(parsed);
            var name = Arguments.ValidAliases([parsed.GetValue(alias)!])[0];
            var options = ConsumerScan.OptionsOf(parsed, bucket, prefix);
            if (context.Targets.AccountsFile is not null)
            {
                var across = await ConsumersAcrossAccounts.ScanAsync(context, name, options, ct);
                ConsumersOutput.Write(context, name, across);
                return ConsumersOutput.Finish(context, name, across);
            }

            var (kms, _) = await context.ConnectAsync(ct);
            using var clients = await context.ConsumerClientsAsync(); // after ConnectAsync: the sandbox's services start with it
            var snapshot = await UnknownAliases.RefuseAsync(context, kms, [name], ct);
            using var pacer = context.ConsumerPacer();
            var report = await ConsumerScan.RunAsync(context, kms, snapshot, name, clients, options, pacer, ct);
            IReadOnlyList<TargetReport> reports = [new TargetReport(null, report, null)];
            ConsumersOutput.Write(context, name, reports);
            return ConsumersOutput.Finish(context, name, reports);
        });
        return command;
    }
}
