using KeyRotation.Cli;

namespace KeyRotation.IntegrationTests.Cli;

/// <summary>
/// The sandbox's pre-move hook: the first rotation of alias/demo/tested is refused (the alias stays on its old key,
/// exit 1), the next run's test of the same new key is accepted and the alias moves to it, with no second key created.
/// </summary>
public sealed class SandboxHooksTests : IDisposable
{
    private readonly CliHarness _cli = new();
    private readonly string _directory = Directory.CreateTempSubdirectory("keyrotation-sandbox-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private Task<CliRun> SandboxAsync(params string[] args) =>
        _cli.RunAsync(new CliHost { Time = _cli.Time }, [.. args, "--sandbox", "--sandbox-state", Path.Combine(_directory, "state.json")]);

    [Fact]
    public async Task RotateSandbox_TestedAlias_IsRefusedByTheHookThenRotatedToTheSameNewKey()
    {
        var before = await SandboxAsync("status", Sandbox.Tested, "--output", "json");
        var oldKey = before.Json().GetProperty("aliases")[0].GetProperty("current").GetProperty("keyId").GetString();

        var first = await SandboxAsync("rotate", Sandbox.Tested, "--yes", "--output", "json");
        var afterFirst = await SandboxAsync("status", Sandbox.Tested, "--output", "json");
        var second = await SandboxAsync("rotate", Sandbox.Tested, "--yes", "--output", "json");

        Assert.Equal(1, first.ExitCode);
        var refused = Assert.Single(first.Json().GetProperty("results").EnumerateArray());
        Assert.Equal("Failed", refused.GetProperty("outcome").GetString());
        Assert.Contains(Sandbox.TestedRefusal, refused.GetProperty("reason").GetString(), StringComparison.Ordinal);
        var created = refused.GetProperty("newKeyId").GetString();
        Assert.False(string.IsNullOrEmpty(created));
        Assert.NotEqual(oldKey, created);
        Assert.Equal(oldKey, afterFirst.Json().GetProperty("aliases")[0].GetProperty("current").GetProperty("keyId").GetString());

        Assert.Equal(0, second.ExitCode);
        var rotated = Assert.Single(second.Json().GetProperty("results").EnumerateArray());
        Assert.Equal("Rotated", rotated.GetProperty("outcome").GetString());
        Assert.Equal(oldKey, rotated.GetProperty("previousKeyId").GetString());
        Assert.Equal(created, rotated.GetProperty("newKeyId").GetString()); // adopted, not created again
    }

    [Fact]
    public async Task RotateSandbox_WithoutNamingIt_LeavesTheTestedAliasAlone()
    {
        var run = await SandboxAsync("rotate", "--yes", "--output", "json");

        Assert.Equal(0, run.ExitCode);
        Assert.DoesNotContain(Sandbox.Tested, run.Stdout, StringComparison.Ordinal);
    }
}
