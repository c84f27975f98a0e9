using KeyRotation.Cli;

namespace KeyRotation.IntegrationTests.Cli;

/// <summary>The sandbox seeds an alias per strategy; one rotate shows a new key and new material side by side.</summary>
public sealed class SandboxStrategyTests : IDisposable
{
    private readonly CliHarness _cli = new();
    private readonly string _directory = Directory.CreateTempSubdirectory("keyrotation-sandbox-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private Task<CliRun> SandboxAsync(params string[] args) =>
        _cli.RunAsync(new CliHost { Time = _cli.Time }, [.. args, "--sandbox", "--sandbox-state", Path.Combine(_directory, "state.json")]);

    [Fact]
    public async Task RotateSandbox_EachStrategysAlias_RotatesWithItsMethod()
    {
        var run = await SandboxAsync("rotate", Sandbox.AppData, Sandbox.Material, Sandbox.Auto, "--yes", "--output", "json");

        var results = run.Json().GetProperty("results").EnumerateArray().ToDictionary(r => r.GetProperty("alias").GetString()!);
        Assert.Equal(0, run.ExitCode);
        Assert.Equal("new-key", results[Sandbox.AppData].GetProperty("method").GetString());
        var material = results[Sandbox.Material];
        Assert.Equal(("Rotated", "material"), (material.GetProperty("outcome").GetString(), material.GetProperty("method").GetString()));
        Assert.Equal(material.GetProperty("previousKeyId").GetString(), material.GetProperty("newKeyId").GetString());
        var auto = results[Sandbox.Auto];
        Assert.Equal("new-key", auto.GetProperty("method").GetString());
        Assert.Contains("2 stay in reserve", auto.GetProperty("reason").GetString() + run.Json().GetProperty("notifications").ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RotateSandbox_Table_ShowsTheMaterialAliasUnchangedAndItsDataStillDecrypting()
    {
        var run = await SandboxAsync("rotate", Sandbox.Material, Sandbox.AppData, "--yes", "--verbose");

        Assert.Equal(0, run.ExitCode);
        Assert.Contains($"{Sandbox.Material}: new key material in the same key", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("(unchanged)", run.Stdout, StringComparison.Ordinal);
        Assert.Contains($"Data encrypted through {Sandbox.Material} before the rotation still decrypts", run.Stdout, StringComparison.Ordinal);
        Assert.Contains($"Data encrypted through {Sandbox.AppData} before the rotation still decrypts", run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StatusSandbox_AfterAMaterialRotation_ListsItInTheAliasHistory()
    {
        await SandboxAsync("rotate", Sandbox.Material, "--yes");

        var status = await SandboxAsync("status", Sandbox.Material, "--output", "json");

        var current = status.Json().GetProperty("aliases")[0].GetProperty("current");
        var rotation = Assert.Single(current.GetProperty("materialRotations").EnumerateArray());
        Assert.Equal("ON_DEMAND", rotation.GetProperty("rotationType").GetString());
        Assert.Equal(64, rotation.GetProperty("keyMaterialId").GetString()!.Length);
    }

    [Fact]
    public async Task RollbackSandbox_OfTheMaterialAlias_IsRefusedWithTheReason()
    {
        await SandboxAsync("rotate", Sandbox.Material, "--yes");

        var rollback = await SandboxAsync("rollback", Sandbox.Material, "--yes");

        Assert.Equal(1, rollback.ExitCode);
        Assert.Contains("KMS cannot make an older key material current again", rollback.Stdout + rollback.Stderr, StringComparison.Ordinal);
    }
}
