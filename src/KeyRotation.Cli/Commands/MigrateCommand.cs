using System.CommandLine;
using KeyRotation.Cli.Errors;
using KeyRotation.Cli.Targets;
using KeyRotation.Core.Consumers;
using KeyRotation.Integrations.Consumers;

namespace KeyRotation.Cli.Commands;

/// <summary>
/// <c>migrate ALIAS [--dry-run] [--yes] [--bucket NAME [--prefix P]]</c>: the resources that <c>consumers</c> finds on
/// an earlier generation are moved in place to the alias's current key where the service allows it (runbook steps where
/// it does not), one at a time, paced, and reported with a summary. Running it again finishes what a stopped run left.
/// </summary>
internal static class MigrateCommand
{
    private const string Changes = "the encryption keys of your resources";

    public static Command Create(CliContextFactory factory)
    {
        var alias = Arguments.Single("ALIAS", "The alias whose consumers to move to its current key (for example alias/app-data).");
        var dryRun = new Option<bool>("--dry-run") { Description = "Show what would be changed, resource by resource, and change nothing." };
        var yes = Arguments.Yes();
        yes.Description = "Do not ask for confirmation (required when stdin is not a terminal, and with --output json or csv).";
        var output = OutputOptions.WithCsv();
        var bucket = ConsumerScan.BucketOption();
        var prefix = ConsumerScan.PrefixOption();
        var command = new Command("migrate", "Move the resources that still use an earlier generation of the alias to its current key (in place where the service allows it; runbook steps for EBS).")
        {
            alias, dryRun, yes, output, bucket, prefix,
        };
        command.SetAction(async (parsed, ct) =>
        {
            var context = factory.For(parsed);
            var name = Arguments.ValidAliases([parsed.GetValue(alias)!])[0];
            var options = ConsumerScan.OptionsOf(parsed, bucket, prefix);
            var dry = parsed.GetValue(dryRun);
            if (context.Targets.AccountsFile is not null)
            {
                if (!dry && !await context.ConfirmAsync(parsed.GetValue(yes), $"Move the resources that use earlier generations of {name} to each target's current key, in every target of {context.Targets.AccountsFile}?", Changes, ct))
                {
                    context.Error("Cancelled; nothing was changed.");
                    return ExitCodes.Failed;
                }

                var across = await ConsumersAcrossAccounts.MigrateAsync(context, name, options, dry, ct);
                MigrationOutput.Write(context, across);
                return MigrationOutput.Finish(context, name, across);
            }

            var (kms, _) = await context.ConnectAsync(ct);
            using var clients = await context.ConsumerClientsAsync(); // after ConnectAsync: the sandbox's services start with it
            var snapshot = await UnknownAliases.RefuseAsync(context, kms, [name], ct);
            using var pacer = context.ConsumerPacer();
            var report = await ConsumerScan.RunAsync(context, kms, snapshot, name, clients, options, pacer, ct);
            var moving = report.OnOldGenerations.Count();
            if (!dry && moving > 0 && !await context.ConfirmAsync(parsed.GetValue(yes), $"Migrate {moving} resource(s) that use earlier generations of {name} to its current key {report.Generations.Current.KeyArn} (bucket default encryption to the alias itself; EBS volumes and snapshots only get runbook steps)?", Changes, ct))
            {
                context.Error("Cancelled; nothing was changed.");
                return ExitCodes.Failed;
            }

            var migration = new ConsumerMigration(ConsumerComposition.Migrators(clients, options, pacer), line => context.Error($"Migrating: {line}"));
            var summary = await context.WaitAsync($"{(dry ? "Checking" : "Moving")} {moving} resource(s)", () => migration.RunAsync(report, dry, ct));
            IReadOnlyList<TargetMigration> results = [new TargetMigration(null, summary, null)];
            MigrationOutput.Write(context, results);
            return MigrationOutput.Finish(context, name, results);
        });
        return command;
    }
}
