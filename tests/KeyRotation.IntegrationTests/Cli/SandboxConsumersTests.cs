using System.Net.Sockets;
using System.Text.Json;
using System.Text.RegularExpressions;
using Amazon.KeyManagementService.Model;
using KeyRotation.Cli;
using KeyRotation.LocalKms;
using Microsoft.Extensions.Time.Testing;

namespace KeyRotation.IntegrationTests.Cli;

/// <summary>
/// The sandbox's consumer walkthrough, one CLI invocation per step against one state file: alias/demo/orders's seeded
/// S3, DynamoDB, SSM and EBS resources are found per generation, retention's consumer check refuses generation 2, a dry
/// run changes nothing, the migration moves them (and a second one skips them), the old generations are then free,
/// retention would disable generation 2, and the EBS volume still pins the first key. The local services live only
/// while a command runs.
/// </summary>
public sealed partial class SandboxConsumersTests : IDisposable
{
    private const string Orders = Sandbox.Orders;
    private const string Bucket = SandboxConsumerSeed.Bucket;
    private readonly CliHarness _cli = new();
    private readonly string _directory = Directory.CreateTempSubdirectory("keyrotation-sandbox-").FullName;

    // After KMS began tracking key use (2026-04-27) by more than the seed's 150 days: the proof of non-use can hold.
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 7, 9, 0, 0, TimeSpan.Zero));

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string StateFile => Path.Combine(_directory, "state.json");

    private string ConsumerFile => Path.Combine(_directory, "state-consumers.json");

    private Task<CliRun> SandboxAsync(params string[] args) =>
        _cli.RunAsync(new CliHost { Time = _time }, [.. args, "--sandbox", "--sandbox-state", StateFile]);

    [Fact]
    public async Task Consumers_FreshSandbox_ListsTheSeededResourcesPerGeneration()
    {
        var run = await SandboxAsync("consumers", Orders, "--bucket", Bucket, "--output", "json");

        Assert.Equal(0, run.ExitCode);
        var found = ResourcesByGeneration(run.Json());
        Assert.Equal(["object:invoices/2026-10.csv", "parameter:/demo/orders/api-token"], found[4]);
        Assert.Equal(["object:invoices/2026-09.csv", "table:demo-orders"], found[3]);
        Assert.Equal(["bucket:demo-orders-archive", "object:invoices/2026-08.csv", "parameter:/demo/orders/db-password"], found[2]);
        Assert.Equal(["volume:vol-0de00000000000001"], found[1]);
        var token = run.Json().GetProperty("generations").EnumerateArray().SelectMany(g => g.GetProperty("resources").EnumerateArray()).Single(r => r.GetProperty("id").GetString() == SandboxConsumerSeed.Token);
        Assert.Equal("alias", token.GetProperty("via").GetString());
        Assert.True(File.Exists(ConsumerFile));
    }

    [Fact]
    public async Task Walkthrough_AcrossCommands_MigratesOnceAndLeavesGeneration2Retirable()
    {
        var before = await SandboxAsync("consumers", Orders, "--bucket", Bucket, "--output", "json");
        var seeded = await File.ReadAllTextAsync(ConsumerFile);
        var retentionBefore = await SandboxAsync("retention", "plan", Orders, "--mode", "disable", "--check-consumers", "--output", "json");

        var dryRun = await SandboxAsync("migrate", Orders, "--bucket", Bucket, "--dry-run", "--output", "json");
        var afterDryRun = await File.ReadAllTextAsync(ConsumerFile);
        var migrate = await SandboxAsync("migrate", Orders, "--bucket", Bucket, "--yes", "--output", "json");
        var migrated = await File.ReadAllTextAsync(ConsumerFile);
        var again = await SandboxAsync("migrate", Orders, "--bucket", Bucket, "--yes", "--output", "json");
        var afterAgain = await File.ReadAllTextAsync(ConsumerFile);
        var after = await SandboxAsync("consumers", Orders, "--bucket", Bucket, "--output", "json");
        var retention = await SandboxAsync("retention", "plan", Orders, "--mode", "disable", "--check-consumers", "--output", "json");
        _cli.Environment["RETIRE_ORIGINAL_KEY"] = "true";
        var original = await SandboxAsync("retention", "plan", Orders, "--mode", "disable", "--check-consumers", "--output", "json");

        Assert.Equal(0, before.ExitCode);
        var refused = Steps(retentionBefore)[2];
        Assert.Equal(("Keep", "Disable"), (refused.GetProperty("action").GetString(), refused.GetProperty("refusedAction").GetString()));
        Assert.Equal([SandboxConsumerSeed.Password, "arn:aws:s3:::demo-orders-archive"], Pins(refused)); // ordinal: "/" before "a"
        Assert.Equal(0, dryRun.ExitCode);
        Assert.Equal((5, 0, 2, 1), Summary(dryRun, "wouldMove"));
        Assert.Equal(seeded, afterDryRun);

        Assert.Equal(0, migrate.ExitCode);
        Assert.Equal((5, 0, 2, 1), Summary(migrate, "moved"));
        Assert.NotEqual(seeded, migrated);
        Assert.Equal((0, 0, 7, 1), Summary(again, "moved"));
        Assert.Equal(migrated, afterAgain);

        Assert.Equal(0, after.ExitCode);
        var found = ResourcesByGeneration(after.Json());
        Assert.Empty(found[3]);
        Assert.Empty(found[2]);
        Assert.Equal(["volume:vol-0de00000000000001"], found[1]);
        Assert.Equal(7, found[4].Count);
        var bucket = after.Json().GetProperty("generations")[0].GetProperty("resources").EnumerateArray().Single(r => r.GetProperty("kind").GetString() == "bucket");
        Assert.Equal("alias ARN", bucket.GetProperty("via").GetString());

        Assert.Equal(0, retention.ExitCode);
        var steps = Steps(retention);
        Assert.Equal("Disable", steps[2].GetProperty("action").GetString());
        Assert.Empty(Pins(steps[2]));
        Assert.Equal(("Keep", "Keep", "Keep"), (steps[1].GetProperty("action").GetString(), steps[3].GetProperty("action").GetString(), steps[4].GetProperty("action").GetString()));
        var pinned = Steps(original)[1];
        Assert.Equal(("Keep", "Disable"), (pinned.GetProperty("action").GetString(), pinned.GetProperty("refusedAction").GetString()));
        Assert.Equal([SandboxConsumerSeed.Volume], Pins(pinned));
    }

    [Fact]
    public async Task SandboxReset_AfterAMigration_SeedsTheConsumersAgainOnTheNewKeys()
    {
        var first = await SandboxAsync("consumers", Orders, "--output", "json");
        await SandboxAsync("migrate", Orders, "--yes", "--output", "json");

        var reset = await SandboxAsync("consumers", Orders, "--sandbox-reset", "--output", "json");

        Assert.Equal(0, reset.ExitCode);
        var found = ResourcesByGeneration(reset.Json());
        Assert.Equal(["bucket:demo-orders-archive", "parameter:/demo/orders/db-password"], found[2]);
        Assert.Equal(["table:demo-orders"], found[3]);
        Assert.NotEqual(KeyArnOf(first.Json(), 2), KeyArnOf(reset.Json(), 2));
        Assert.Contains(KeyArnOf(reset.Json(), 2), await File.ReadAllTextAsync(ConsumerFile), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Consumers_StateFileFromBeforeTheConsumers_SeedsTheAliasAndItsResourcesAndKeepsTheRest()
    {
        var service = new LocalKmsService(new LocalKmsOptions(), _time);
        using (var kms = service.CreateClient())
        {
            var key = await kms.CreateKeyAsync(new CreateKeyRequest { Description = "kept" });
            await kms.CreateAliasAsync(new CreateAliasRequest { AliasName = "alias/demo/kept", TargetKeyId = key.KeyMetadata.KeyId });
        }

        new LocalKmsStateFile(StateFile).Save(service);

        var run = await SandboxAsync("consumers", Orders, "--output", "json");
        var status = await SandboxAsync("status", "alias/demo/kept", "--output", "json");

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("continued from the last command", run.Stderr, StringComparison.Ordinal);
        Assert.Equal(["bucket:demo-orders-archive", "parameter:/demo/orders/db-password"], ResourcesByGeneration(run.Json())[2]);
        Assert.True(File.Exists(ConsumerFile));
        Assert.Equal(0, status.ExitCode);
    }

    [Fact]
    public async Task Consumers_UnreadableConsumerState_IsRefusedNamingTheFileAndChangesNothing()
    {
        await SandboxAsync("status", Orders);
        await File.WriteAllTextAsync(ConsumerFile, "{\"Version\": 1, \"S3\": 7}");

        var run = await SandboxAsync("consumers", Orders);

        Assert.Equal(2, run.ExitCode);
        Assert.Empty(run.Stdout);
        Assert.Contains($"keyrotation consumers: The sandbox consumer state cannot be read ({ConsumerFile}:", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("pass --sandbox-reset", run.Stderr, StringComparison.Ordinal);
        Assert.Equal("{\"Version\": 1, \"S3\": 7}", await File.ReadAllTextAsync(ConsumerFile));
    }

    [Fact]
    public async Task Migrate_WhenTheCommandEnds_LeavesNoEndpointListening()
    {
        var run = await SandboxAsync("migrate", Orders, "--dry-run");

        Assert.Equal(0, run.ExitCode);
        var endpoints = EndpointPattern().Matches(run.Stderr).Select(m => int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(4, endpoints.Count);
        foreach (var port in endpoints)
        {
            using var client = new TcpClient();
            await Assert.ThrowsAsync<SocketException>(() => client.ConnectAsync(System.Net.IPAddress.Loopback, port));
        }
    }

    [Fact]
    public async Task Status_WithoutNamingIt_LeavesTheOrdersAliasAlone()
    {
        var run = await SandboxAsync("status", "--output", "json");

        Assert.Equal(0, run.ExitCode);
        Assert.DoesNotContain(Orders, run.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("Sandbox consumers:", run.Stderr, StringComparison.Ordinal);
    }

    /// <summary>A retention plan's steps of its one alias, by generation.</summary>
    private static Dictionary<int, JsonElement> Steps(CliRun plan) =>
        plan.Json().GetProperty("aliases")[0].GetProperty("steps").EnumerateArray().ToDictionary(s => s.GetProperty("generation").GetInt32());

    /// <summary>The resources the consumer check found on a step's key (its proof's consumers), by id.</summary>
    private static List<string> Pins(JsonElement step) =>
        [.. step.GetProperty("proof").GetProperty("consumers").GetProperty("resources").EnumerateArray().Select(r => r.GetProperty("id").GetString()!).Order(StringComparer.Ordinal)];

    /// <summary>Each generation's resources as "kind:name" (objects by key, tables by name), sorted.</summary>
    private static Dictionary<int, List<string>> ResourcesByGeneration(JsonElement consumers) =>
        consumers.GetProperty("generations").EnumerateArray().ToDictionary(
            g => g.GetProperty("generation").GetInt32(),
            g => g.GetProperty("resources").EnumerateArray().Select(r => $"{r.GetProperty("kind").GetString()}:{ShortName(r.GetProperty("id").GetString()!)}").Order(StringComparer.Ordinal).ToList());

    private static string ShortName(string id) =>
        id.StartsWith("s3://", StringComparison.Ordinal) ? id[(id.IndexOf('/', 5) + 1)..]
        : id.StartsWith("arn:", StringComparison.Ordinal) ? id[(id.LastIndexOfAny([':', '/']) + 1)..]
        : id;

    private static string KeyArnOf(JsonElement consumers, int generation) =>
        consumers.GetProperty("generations").EnumerateArray().Single(g => g.GetProperty("generation").GetInt32() == generation).GetProperty("keyArn").GetString()!;

    /// <summary>(moved or wouldMove, failed, skipped, manual) of a migrate run's JSON summary.</summary>
    private static (int Moving, int Failed, int Skipped, int Manual) Summary(CliRun run, string moving)
    {
        var summary = run.Json().GetProperty("summary");
        return (summary.GetProperty(moving).GetInt32(), summary.GetProperty("failed").GetInt32(), summary.GetProperty("skipped").GetInt32(), summary.GetProperty("manual").GetInt32());
    }

    [GeneratedRegex(@"http://127\.0\.0\.1:(\d+)/")]
    private static partial Regex EndpointPattern();
}
