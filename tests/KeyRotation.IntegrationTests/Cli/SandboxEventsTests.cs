using KeyRotation.Cli;

namespace KeyRotation.IntegrationTests.Cli;

/// <summary>The sandbox records the lifecycle events a command puts and prints them with the other details (--verbose).</summary>
public sealed class SandboxEventsTests
{
    private readonly CliHarness _cli = new();

    [Fact]
    public async Task Rotate_SandboxVerbose_PrintsTheStartedAndRotatedEventsOfEachAlias()
    {
        var run = await _cli.RunAsync(new CliHost { Time = _cli.Time }, "rotate", "--sandbox", "--yes", "--verbose", Sandbox.AppData);

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("Event (the sandbox records it; a deployment puts it on EVENT_BUS_NAME): Key Rotation Started", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("Event (the sandbox records it; a deployment puts it on EVENT_BUS_NAME): Key Rotated", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("\"alias\": \"alias/demo/app-data\"", run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rollback_SandboxVerbose_PrintsTheRolledBackEvent()
    {
        var run = await _cli.RunAsync(new CliHost { Time = _cli.Time }, "rollback", Sandbox.Reports, "--sandbox", "--yes", "--verbose");

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("Key Rotation Rolled Back", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("\"outcome\": \"RolledBack\"", run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rotate_SandboxWithoutVerbose_PrintsNoEvents()
    {
        var run = await _cli.RunAsync(new CliHost { Time = _cli.Time }, "rotate", "--sandbox", "--yes", Sandbox.AppData);

        Assert.Equal(0, run.ExitCode);
        Assert.DoesNotContain("Key Rotated", run.Stdout, StringComparison.Ordinal);
    }
}
