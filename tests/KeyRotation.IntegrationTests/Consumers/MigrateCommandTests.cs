using System.Text.Json;
using KeyRotation.LocalConsumers;

namespace KeyRotation.IntegrationTests.Consumers;

/// <summary><c>migrate ALIAS</c> against LocalKms and the local DynamoDB endpoint: exact requests, idempotence, resumption, dry run.</summary>
public sealed class MigrateCommandTests
{
    [Fact]
    public async Task Migrate_TablesOnEarlierGenerations_AreUpdatedToTheCurrentKeyArnAndTheCurrentOneIsSkipped()
    {
        await using var harness = await ConsumerHarness.StartAsync();
        harness.DynamoDb.AddTable("orders", harness.Generations[0]);
        harness.DynamoDb.AddTable("invoices", harness.Current);

        var run = await harness.RunAsync("migrate", ConsumerHarness.Alias, "--yes", "--output", "json");

        Assert.Equal(0, run.ExitCode);
        var update = Assert.Single(harness.DynamoDb.Of("UpdateTable")).Json;
        Assert.Equal("orders", (string?)update["TableName"]);
        Assert.Equal(
            JsonSerializer.Serialize(new { Enabled = true, KMSMasterKeyId = harness.Current, SSEType = "KMS" }),
            update["SSESpecification"]!.ToJsonString());
        Assert.Equal(harness.Current, harness.DynamoDb.KeyOf("orders"));
        var results = run.Json().GetProperty("results").EnumerateArray().ToDictionary(r => r.GetProperty("id").GetString()!, r => r.GetProperty("outcome").GetString());
        Assert.Equal("Moved", results[harness.DynamoDb.ArnOf("orders")]);
        Assert.Equal("AlreadyCurrent", results[harness.DynamoDb.ArnOf("invoices")]);
        Assert.Equal(1, run.Json().GetProperty("summary").GetProperty("moved").GetInt32());
    }

    [Fact]
    public async Task Migrate_DryRun_ShowsWhatWouldChangeAndSendsNoUpdate()
    {
        await using var harness = await ConsumerHarness.StartAsync();
        harness.DynamoDb.AddTable("orders", harness.Generations[1]);

        var run = await harness.RunAsync("migrate", ConsumerHarness.Alias, "--dry-run", "--output", "json");

        Assert.Equal(0, run.ExitCode);
        Assert.Empty(harness.DynamoDb.Of("UpdateTable"));
        Assert.Equal(harness.Generations[1], harness.DynamoDb.KeyOf("orders"));
        var result = Assert.Single(run.Json().GetProperty("results").EnumerateArray());
        Assert.Equal("WouldMove", result.GetProperty("outcome").GetString());
        Assert.Equal($"UpdateTable SSESpecification KMS {harness.Current} (now {harness.Generations[1]})", result.GetProperty("detail").GetString());
        Assert.True(run.Json().GetProperty("dryRun").GetBoolean());
    }

    [Fact]
    public async Task Migrate_KilledAfterTheFirstUpdate_IsFinishedByTheNextRunWhichSkipsWhatWasDone()
    {
        await using var harness = await ConsumerHarness.StartAsync();
        foreach (var name in new[] { "a", "b", "c" })
        {
            harness.DynamoDb.AddTable(name, harness.Generations[0]);
        }

        using var kill = new CancellationTokenSource();
        harness.DynamoDb.BeforeAnswer = request =>
        {
            if (request.Operation == "UpdateTable")
            {
                kill.Cancel();
            }
        };

        var killed = await harness.RunAsync(kill.Token, "migrate", ConsumerHarness.Alias, "--yes", "--output", "json");
        harness.DynamoDb.BeforeAnswer = null;
        var moved = new[] { "a", "b", "c" }.Count(n => harness.DynamoDb.KeyOf(n) == harness.Current);
        var resumed = await harness.RunAsync("migrate", ConsumerHarness.Alias, "--yes", "--output", "json");

        Assert.Equal(1, killed.ExitCode);
        Assert.Equal(1, moved);
        Assert.Equal(0, resumed.ExitCode);
        Assert.All(new[] { "a", "b", "c" }, n => Assert.Equal(harness.Current, harness.DynamoDb.KeyOf(n)));
        Assert.Equal(["a", "b", "c"], harness.DynamoDb.Of("UpdateTable").Select(r => (string?)r.Json["TableName"]));
        var summary = resumed.Json().GetProperty("summary");
        Assert.Equal(2, summary.GetProperty("moved").GetInt32());
        Assert.Equal(1, summary.GetProperty("skipped").GetInt32());
    }

    [Fact]
    public async Task Migrate_WithoutYesAndNoTerminal_IsExit2AndChangesNothing()
    {
        await using var harness = await ConsumerHarness.StartAsync();
        harness.DynamoDb.AddTable("orders", harness.Generations[0]);

        var run = await harness.RunAsync("migrate", ConsumerHarness.Alias);

        Assert.Equal(2, run.ExitCode);
        Assert.Equal("keyrotation migrate: This command changes the encryption keys of your resources: pass --yes to confirm when stdin is not a terminal (or with --output json).", run.Stderr.Trim());
        Assert.Empty(harness.DynamoDb.Of("UpdateTable"));
    }

    [Fact]
    public async Task Migrate_WithoutYesWithCsvOutput_IsExit2NamingCsvAndChangesNothing()
    {
        await using var harness = await ConsumerHarness.StartAsync();
        harness.DynamoDb.AddTable("orders", harness.Generations[0]);

        var run = await harness.RunAsync("migrate", ConsumerHarness.Alias, "--output", "csv");

        Assert.Equal(2, run.ExitCode);
        Assert.Equal("keyrotation migrate: This command changes the encryption keys of your resources: pass --yes to confirm when stdin is not a terminal (or with --output json or csv).", run.Stderr.Trim());
        Assert.Empty(harness.DynamoDb.Of("UpdateTable"));
    }

    [Fact]
    public async Task Migrate_PromptAnsweredNo_SaysWhatEachKindGetsAndChangesNothing()
    {
        await using var harness = await ConsumerHarness.StartAsync();
        harness.DynamoDb.AddTable("orders", harness.Generations[0]);
        harness.Ec2.AddVolume(new EbsVolume("vol-0a1", harness.Generations[0]));
        var host = new KeyRotation.Cli.CliHost { Time = harness.Cli.Time, KmsClient = () => harness.Cli.Kms, StdinIsTerminal = true, StdoutIsTerminal = true, TerminalWidth = 1000, Stdin = new StringReader("n\n") };

        var run = await harness.Cli.RunAsync(host, "migrate", ConsumerHarness.Alias);

        Assert.Equal(1, run.ExitCode);
        Assert.Contains($"Migrate 2 resource(s) that use earlier generations of {ConsumerHarness.Alias} to its current key {harness.Current} (bucket default encryption to the alias itself; EBS volumes and snapshots only get runbook steps)?", run.Stdout, StringComparison.Ordinal);
        Assert.Equal("Cancelled; nothing was changed.", run.Stderr.Trim().Split('\n')[^1]);
        Assert.Empty(harness.DynamoDb.Of("UpdateTable"));
    }

    [Fact]
    public async Task Migrate_UnknownAlias_IsExit2NamingItAndCallsNoService()
    {
        await using var harness = await ConsumerHarness.StartAsync();

        var run = await harness.RunAsync("migrate", "alias/app-dat", "--yes");

        Assert.Equal(2, run.ExitCode);
        Assert.Equal("keyrotation migrate: alias/app-dat does not exist in this account and Region (did you mean alias/app-data?)", run.Stderr.Trim());
        Assert.Equal(0, harness.ServiceRequests);
    }

    [Fact]
    public async Task Migrate_ATableThatIsNotActive_FailsWithTheReasonAfterTheOthersAreMoved()
    {
        await using var harness = await ConsumerHarness.StartAsync();
        harness.DynamoDb.AddTable("busy", harness.Generations[0], status: "UPDATING");
        harness.DynamoDb.AddTable("orders", harness.Generations[0]);

        var run = await harness.RunAsync("migrate", ConsumerHarness.Alias, "--yes");

        Assert.Equal(1, run.ExitCode);
        Assert.Equal(harness.Current, harness.DynamoDb.KeyOf("orders"));
        Assert.Equal(harness.Generations[0], harness.DynamoDb.KeyOf("busy"));
        Assert.Contains("the table is UPDATING; left as it was: run again when it is ACTIVE", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("moved 1, failed 1.", run.Stdout, StringComparison.Ordinal);
        Assert.Equal($"keyrotation migrate: {ConsumerHarness.Alias}: 1 resource(s) failed and were left as they were (listed with the reason); run again to retry.", run.Stderr.Trim());
    }
}
