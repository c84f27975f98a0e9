using Amazon.Runtime;
using KeyRotation.Core.Consumers;
using static KeyRotation.Core.Tests.Consumers.ConsumerTestData;

namespace KeyRotation.Core.Tests.Consumers;

public sealed class ConsumerMigrationTests
{
    private static ConsumerReport Report(params ConsumerResource[] resources)
    {
        var matcher = new KeyReferenceMatcher(Generations);
        return new ConsumerReport(Generations, [.. resources.Select(r => new ConsumerUse(r, matcher.Match(r.KeyReference)!))], [], resources.Length);
    }

    [Fact]
    public async Task RunAsync_OnlyResourcesOnOldGenerations_GoToTheirMigratorWithTheCurrentKeyAsTarget()
    {
        var migrator = new ScriptedMigrator((_, _) => new MigrationOutcome(MigrationResult.Moved, "now key-3"));
        var report = Report(Table("old", "key-2"), Table("current", Prefix + "key/key-3"), Table("alias", "alias/app-data"), Table("undone", "key-4"));

        var summary = await new ConsumerMigration([migrator]).RunAsync(report, dryRun: false, CancellationToken.None);

        Assert.Equal([Table("old", "key-2").Id, Table("undone", "key-4").Id], migrator.Calls.Select(c => c.Resource.Id));
        Assert.All(migrator.Calls, c => Assert.Equal(new MigrationTarget("alias/app-data", Prefix + "alias/app-data", Prefix + "key/key-3"), c.Target));
        Assert.Equal((2, 2), (summary.Count(MigrationResult.Moved), summary.Count(MigrationResult.AlreadyCurrent)));
        Assert.Equal("moved 2, skipped (already current) 2", summary.Describe());
    }

    [Fact]
    public async Task RunAsync_AMigratorThatThrows_FailsThatResourceWithTheReasonAndTheNextStillRuns()
    {
        var migrator = new ScriptedMigrator((resource, _) => resource.Id.EndsWith("/a", StringComparison.Ordinal)
            ? throw new AmazonServiceException("throttled") { ErrorCode = "ThrottlingException" }
            : new MigrationOutcome(MigrationResult.Moved, "ok"));

        var summary = await new ConsumerMigration([migrator]).RunAsync(Report(Table("a", "key-2"), Table("b", "key-2")), dryRun: false, CancellationToken.None);

        Assert.Equal([MigrationResult.Failed, MigrationResult.Moved], summary.Items.Select(i => i.Outcome.Result));
        Assert.Equal("ThrottlingException: throttled; left as it was", summary.Items[0].Outcome.Detail);
    }

    [Fact]
    public async Task RunAsync_AResourceNoMigratorHandles_IsManualNamingTheTargetKey()
    {
        var resource = new ConsumerResource("rds", "cluster", "arn:aws:rds:eu-west-1:111122223333:cluster:db", "key-2");

        var summary = await new ConsumerMigration([]).RunAsync(Report(resource), dryRun: false, CancellationToken.None);

        var item = Assert.Single(summary.Items);
        Assert.Equal(new MigrationOutcome(MigrationResult.Manual, $"this tool does not move rds clusters: point it at {Prefix}key/key-3 by hand"), item.Outcome);
    }

    [Fact]
    public async Task RunAsync_DryRun_IsPassedToEveryMigrator()
    {
        var migrator = new ScriptedMigrator((_, dry) => new MigrationOutcome(dry ? MigrationResult.WouldMove : MigrationResult.Moved, string.Empty));

        var summary = await new ConsumerMigration([migrator]).RunAsync(Report(Table("a", "key-2")), dryRun: true, CancellationToken.None);

        Assert.True(Assert.Single(migrator.Calls).DryRun);
        Assert.True(summary.DryRun);
        Assert.Equal("would move 1", summary.Describe());
    }
}
