using Amazon.KeyManagementService.Model;

namespace KeyRotation.IntegrationTests.Cli;

/// <summary>rotate, status and rollback on a multi-Region set (primary in us-east-1, replicas in two more Regions), through the CLI.</summary>
public sealed class MultiRegionCommandTests
{
    private const string Alias = "alias/orders";
    private static readonly string[] Replicas = ["ap-southeast-2", "eu-west-1"];
    private readonly CliHarness _cli = new();

    /// <summary>A multi-Region primary behind the alias, replicated, with the alias in each replica Region too.</summary>
    private async Task<string> CreateSetAsync()
    {
        var primary = (await _cli.Kms.CreateKeyAsync(new CreateKeyRequest { MultiRegion = true, Description = "orders" })).KeyMetadata.KeyId;
        await _cli.Kms.CreateAliasAsync(new CreateAliasRequest { AliasName = Alias, TargetKeyId = primary });
        foreach (var region in Replicas)
        {
            await _cli.Kms.ReplicateKeyAsync(new ReplicateKeyRequest { KeyId = primary, ReplicaRegion = region, Description = $"orders in {region}" });
            await _cli.Service.CreateClient(region).CreateAliasAsync(new CreateAliasRequest { AliasName = Alias, TargetKeyId = primary });
        }

        _cli.Time.Advance(TimeSpan.FromDays(40));
        return primary;
    }

    private string? AliasIn(string region) => _cli.Service.GetKeySnapshot(Alias, region)?.KeyId;

    [Fact]
    public async Task Status_AfterRotatingASet_ShowsEachReplicaRegionWithItsAliasOnTheNewKey()
    {
        await CreateSetAsync();
        var newKey = await _cli.RotateAsync(Alias);

        var run = await _cli.RunAsync("status", Alias, "--output", "json");

        Assert.Equal(0, run.ExitCode);
        var replicas = run.Json().GetProperty("aliases")[0].GetProperty("replicas").EnumerateArray().ToList();
        Assert.Equal(Replicas, replicas.Select(r => r.GetProperty("region").GetString()));
        Assert.All(replicas, r => Assert.Equal((newKey, "Enabled", newKey), (r.GetProperty("keyId").GetString(), r.GetProperty("keyState").GetString(), r.GetProperty("aliasKeyId").GetString())));
    }

    [Fact]
    public async Task Status_TextOutput_HasOneReplicaLinePerRegion()
    {
        await CreateSetAsync();

        var run = await _cli.RunAsync("status", Alias, "--output", "text");

        var lines = run.Stdout.Split('\n').Where(l => l.StartsWith($"{Alias}\treplica\t", StringComparison.Ordinal)).ToList();
        Assert.Equal(Replicas, lines.Select(l => l.Split('\t')[2]));
        Assert.All(lines, l => Assert.EndsWith("\tEnabled\tthis replica", l.TrimEnd('\r'), StringComparison.Ordinal));
    }

    [Fact]
    public async Task Rollback_ASet_MovesTheAliasBackInEveryRegionThePrimaryRegionLast()
    {
        var old = await CreateSetAsync();
        var newKey = await _cli.RotateAsync(Alias);
        _cli.Service.ClearRecordedRequests();

        var run = await _cli.RunAsync("rollback", Alias, "--yes", "--output", "json");

        Assert.Equal(0, run.ExitCode);
        Assert.All(Replicas.Append("us-east-1"), region => Assert.Equal(old, AliasIn(region)));
        var moves = _cli.Service.RecordedRequests.Where(r => r.Operation == "UpdateAlias" && r.Body.Contains($"\"{Alias}\"", StringComparison.Ordinal)).Select(r => r.Region).ToList();
        Assert.Equal([.. Replicas, "us-east-1"], moves);
        Assert.All(Replicas, region => Assert.Equal("retired", _cli.Service.GetKeySnapshot(newKey, region)!.Tags["keyrotation:state"]));
    }

    [Fact]
    public async Task Rollback_FailingInAReplicaRegionAfterAnotherMovedBack_IsFinishedByRunningItAgain()
    {
        var old = await CreateSetAsync();
        var newKey = await _cli.RotateAsync(Alias);
        // Rollback's UpdateAlias calls: ap-southeast-2, eu-west-1, then the primary's; the second fails.
        _cli.Service.Faults.FailNth("UpdateAlias", _cli.Service.Faults.CallCount("UpdateAlias") + 2, "KMSInvalidStateException", "Injected: eu-west-1 refused the move.");

        var failed = await _cli.RunAsync("rollback", Alias, "--yes");

        Assert.NotEqual(0, failed.ExitCode);
        Assert.Contains("Replica Region eu-west-1", failed.Stderr, StringComparison.Ordinal);
        Assert.Equal((old, newKey, newKey), (AliasIn("ap-southeast-2"), AliasIn("eu-west-1"), AliasIn("us-east-1")));

        var again = await _cli.RunAsync("rollback", Alias, "--yes", "--output", "json");

        Assert.Equal(0, again.ExitCode);
        Assert.Equal(old, again.Json().GetProperty("toKeyId").GetString());
        Assert.All(Replicas.Append("us-east-1"), region => Assert.Equal(old, AliasIn(region)));
    }

    [Fact]
    public async Task Rollback_TargetWithoutAWorkingReplicaInARegion_IsRefusedAndChangesNothing()
    {
        var old = await CreateSetAsync();
        var newKey = await _cli.RotateAsync(Alias);
        await _cli.Service.CreateClient("eu-west-1").ScheduleKeyDeletionAsync(new ScheduleKeyDeletionRequest { KeyId = old, PendingWindowInDays = 7 });

        var run = await _cli.RunAsync("rollback", Alias, "--yes");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains($"{Alias} in eu-west-1 points at the replica of {newKey}, but {old} has a PendingDeletion replica there", run.Stderr, StringComparison.Ordinal);
        Assert.All(Replicas.Append("us-east-1"), region => Assert.Equal(newKey, AliasIn(region)));
    }
}
