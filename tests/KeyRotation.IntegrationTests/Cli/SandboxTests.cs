using KeyRotation.Cli;
using KeyRotation.LocalKms;

namespace KeyRotation.IntegrationTests.Cli;

/// <summary>The sandbox: its state kept between commands, and the same answers as a real endpoint.</summary>
public sealed class SandboxTests : IDisposable
{
    private const string AppData = "alias/demo/app-data";
    private readonly CliHarness _cli = new();
    private readonly string _directory = Directory.CreateTempSubdirectory("keyrotation-sandbox-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private string StateFile => Path.Combine(_directory, "state.json");

    private Task<CliRun> SandboxAsync(params string[] args) =>
        _cli.RunAsync(new CliHost { Time = _cli.Time }, [.. args, "--sandbox", "--sandbox-state", StateFile]);

    [Fact]
    public async Task SandboxState_RotateThenStatusThenRollback_CarriesTheRotationAcrossCommands()
    {
        var rotated = (await SandboxAsync("rotate", AppData, "--yes", "--output", "json")).Json().GetProperty("results")[0];
        var oldKey = rotated.GetProperty("previousKeyId").GetString();
        var newKey = rotated.GetProperty("newKeyId").GetString();

        var status = await SandboxAsync("status", AppData, "--output", "json");
        var rollback = await SandboxAsync("rollback", AppData, "--yes", "--output", "json");
        var after = await SandboxAsync("status", AppData, "--output", "json");

        Assert.Equal(0, status.ExitCode);
        Assert.Equal(newKey, status.Json().GetProperty("aliases")[0].GetProperty("current").GetProperty("keyId").GetString());
        Assert.Equal(0, rollback.ExitCode);
        Assert.Equal((newKey, oldKey), (rollback.Json().GetProperty("fromKeyId").GetString(), rollback.Json().GetProperty("toKeyId").GetString()));
        Assert.Equal(oldKey, after.Json().GetProperty("aliases")[0].GetProperty("current").GetProperty("keyId").GetString());
    }

    [Fact]
    public async Task SandboxState_FirstAndLaterCommands_PrintWhereTheStateIs()
    {
        var first = await SandboxAsync("status", AppData);
        var second = await SandboxAsync("status", AppData);

        Assert.Equal($"Sandbox state: {StateFile} (new, from the seed; --sandbox-reset starts again).", first.Stderr.Split('\n')[0]);
        Assert.Equal($"Sandbox state: {StateFile} (continued from the last command; --sandbox-reset starts again).", second.Stderr.Split('\n')[0]);
    }

    [Fact]
    public async Task SandboxReset_AfterARotation_StartsAgainFromTheSeed()
    {
        var seeded = (await SandboxAsync("status", AppData, "--output", "json")).Json().GetProperty("aliases")[0].GetProperty("current").GetProperty("keyId").GetString();
        await SandboxAsync("rotate", AppData, "--yes");

        var reset = await SandboxAsync("status", AppData, "--sandbox-reset", "--output", "json");

        var current = reset.Json().GetProperty("aliases")[0].GetProperty("current");
        Assert.Equal(1, current.GetProperty("generation").GetInt64());
        Assert.NotEqual(seeded, current.GetProperty("keyId").GetString()); // a new seed: new keys
        Assert.Contains("new, from the seed", reset.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sandbox_NoStateFlag_UsesTheDataDirectory()
    {
        var host = new CliHost { Time = _cli.Time, DataDirectory = _directory };

        await _cli.RunAsync(host, "rotate", AppData, "--sandbox", "--yes");
        var status = await _cli.RunAsync(host, "status", AppData, "--sandbox", "--output", "json");

        Assert.StartsWith($"Sandbox state: {Path.Combine(_directory, "sandbox.json")} (continued", status.Stderr, StringComparison.Ordinal);
        Assert.Equal(2, status.Json().GetProperty("aliases")[0].GetProperty("current").GetProperty("generation").GetInt64());
    }

    [Fact]
    public async Task SandboxState_FileNotAState_ExitsTwoSuggestingReset()
    {
        await File.WriteAllTextAsync(StateFile, "not json");

        var run = await SandboxAsync("status", AppData);

        Assert.Equal(2, run.ExitCode);
        Assert.StartsWith("keyrotation status: The sandbox state cannot be read (", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("pass --sandbox-reset to start again from the seed.", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SandboxState_WithoutSandbox_ExitsTwo()
    {
        var run = await _cli.RunAsync("status", AppData, "--sandbox-state", StateFile);

        Assert.Equal(2, run.ExitCode);
        Assert.Equal("keyrotation status: --sandbox-state and --sandbox-reset apply to the sandbox only: add --sandbox.", run.Stderr.Split('\n')[0]);
    }

    [Fact]
    public async Task Rotate_MissingAliasInSandbox_RefusedWithTheSameMessageAsTheStandaloneServer()
    {
        await using var server = LocalKmsServer.Start(_cli.Service);
        _cli.Environment["AWS_ACCESS_KEY_ID"] = "test";
        _cli.Environment["AWS_SECRET_ACCESS_KEY"] = "test";

        var sandbox = await _cli.RunAsync(new CliHost { Time = _cli.Time }, "rotate", "alias/nope", "--sandbox", "--yes");
        var sandboxJson = await _cli.RunAsync(new CliHost { Time = _cli.Time }, "rotate", "alias/nope", "--sandbox", "--yes", "--output", "json");
        var standalone = await _cli.RunAsync(new CliHost { Time = _cli.Time }, "rotate", "alias/nope", "--yes", "--endpoint-url", server.Url.ToString(), "--region", "us-east-1", "--output", "json");

        Assert.Equal((2, 2, 2), (sandbox.ExitCode, sandboxJson.ExitCode, standalone.ExitCode));
        Assert.DoesNotContain("NotFoundException", sandbox.Stdout + sandbox.Stderr, StringComparison.Ordinal);
        const string Refused = "keyrotation rotate: alias/nope does not exist in this account and Region";
        Assert.Equal([Refused], standalone.Stderr.ReplaceLineEndings("\n").Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(Refused, sandbox.Stderr.ReplaceLineEndings("\n").Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1]);
        Assert.Equal(Refused, sandboxJson.Stderr.ReplaceLineEndings("\n").Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1]);
        Assert.Equal(string.Empty, sandbox.Stdout + sandboxJson.Stdout + standalone.Stdout);
    }

    [Fact]
    public async Task Rotate_SandboxHmacAlias_ShowsThatOldMacsStillVerify()
    {
        var run = await _cli.RunAsync(new CliHost { Time = _cli.Time }, "rotate", "alias/demo/webhook-signing", "--sandbox", "--yes", "--verbose");

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("A MAC made through alias/demo/webhook-signing before the rotation still verifies with the previous key", run.Stdout, StringComparison.Ordinal);
    }
}
