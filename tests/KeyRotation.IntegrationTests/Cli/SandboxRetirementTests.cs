using KeyRotation.Cli;

namespace KeyRotation.IntegrationTests.Cli;

/// <summary>The sandbox's retirement demonstration: a retired key an application decrypted with just now is kept, with the use that kept it.</summary>
public sealed class SandboxRetirementTests : IDisposable
{
    private readonly CliHarness _cli = new();
    private readonly string _directory = Directory.CreateTempSubdirectory("keyrotation-sandbox-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private Task<CliRun> SandboxAsync(params string[] args) =>
        _cli.RunAsync(new CliHost { Time = _cli.Time }, [.. args, "--sandbox", "--sandbox-state", Path.Combine(_directory, "state.json")]);

    [Fact]
    public async Task RetentionPlan_InTheSandbox_ShowsTheDisableOfAJustUsedKeyRefusedWithItsUse()
    {
        var run = await SandboxAsync("retention", "plan", "--mode", "disable");

        Assert.Equal(0, run.ExitCode);
        Assert.Contains(Sandbox.StillUsed, run.Stdout, StringComparison.Ordinal);
        Assert.Contains("Keep (Disable refused)", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("used by Decrypt at", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("(CloudTrail event", run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RetentionRun_InTheSandbox_KeepsTheJustUsedKeyEnabledAndReportsTheRefusal()
    {
        var run = await SandboxAsync("retention", "run", Sandbox.StillUsed, "--mode", "disable", "--yes", "--output", "json");
        var status = await SandboxAsync("status", Sandbox.StillUsed, "--output", "json");

        Assert.Equal(0, run.ExitCode);
        var refused = Assert.Single(run.Json().GetProperty("refused").EnumerateArray());
        Assert.Equal(("Disable", 2), (refused.GetProperty("refusedAction").GetString(), refused.GetProperty("generation").GetInt32()));
        Assert.Equal("Used", refused.GetProperty("proof").GetProperty("keys")[0].GetProperty("finding").GetString());
        Assert.Empty(run.Json().GetProperty("actions").EnumerateArray());
        Assert.DoesNotContain("\"Disabled\"", status.Stdout, StringComparison.Ordinal);
    }
}
