using KeyRotation.Core.Configuration;

namespace KeyRotation.IntegrationTests.Cli;

/// <summary>retention plan and run show the proof of non-use: the proof of each retirement, each refusal with the use, and a bad setting by name.</summary>
public sealed class RetentionEvidenceCommandTests
{
    private const string Alias = "alias/orders";
    private readonly CliHarness _cli = new();


    [Fact]
    public async Task RetentionPlan_Json_GivesTheProofOfTheDisable()
    {
        var keys = await _cli.FourGenerationsAsync(Alias);

        var run = await _cli.RunAsync("retention", "plan", "--mode", "disable", "--output", "json");

        var step = run.Json().GetProperty("aliases")[0].GetProperty("steps").EnumerateArray().Single(s => s.GetProperty("keyId").GetString() == keys[1]);
        Assert.Equal("Disable", step.GetProperty("action").GetString());
        Assert.Equal("Proven", step.GetProperty("proof").GetProperty("verdict").GetString());
        Assert.Equal("NeverUsed", step.GetProperty("proof").GetProperty("keys")[0].GetProperty("finding").GetString());
    }

    [Fact]
    public async Task RetentionRun_KeyUsedYesterday_PrintsTheRefusalAndLeavesItEnabled()
    {
        var keys = await _cli.FourGenerationsAsync(Alias);
        _cli.Service.SetKeyLastUsage(keys[1], "GenerateDataKey", _cli.Time.GetUtcNow().AddDays(-1));
        var before = _cli.StateFingerprint();

        var run = await _cli.RunAsync("retention", "run", "--mode", "disable", "--yes");

        Assert.Equal(0, run.ExitCode);
        Assert.Contains($"Kept Disable refused {keys[1]} ({Alias}): used by GenerateDataKey at", run.Stdout, StringComparison.Ordinal);
        Assert.Equal("Enabled", _cli.Service.GetKeySnapshot(keys[1])!.KeyState);
        Assert.Equal(before, _cli.StateFingerprint());
    }

    [Theory]
    [InlineData(SettingNames.RetireUnusedForDays, "a month")]
    [InlineData(SettingNames.RetireOriginalKey, "maybe")]
    public async Task RetentionRun_MalformedSetting_ExitsTwoNamingItAndChangesNothing(string name, string value)
    {
        await _cli.FourGenerationsAsync(Alias);
        _cli.Environment[name] = value;
        var before = _cli.StateFingerprint();

        var run = await _cli.RunAsync("retention", "run", "--mode", "disable", "--yes");

        Assert.Equal(2, run.ExitCode);
        Assert.StartsWith($"keyrotation retention run: The configuration is invalid: {name}: '{value}'", run.Stderr, StringComparison.Ordinal);
        Assert.Equal(before, _cli.StateFingerprint());
    }
}
