using KeyRotation.Core.Configuration;

namespace KeyRotation.IntegrationTests.Cli;

/// <summary>The CLI's retention plan and run, and the key cost in status, against LocalKms through the real SDK.</summary>
public sealed class RetentionCommandTests
{
    private const string Alias = "alias/orders";
    private readonly CliHarness _cli = new();


    [Fact]
    public async Task RetentionPlan_ShowsTheDisableAndChangesNothing()
    {
        var keys = await _cli.FourGenerationsAsync(Alias);
        var before = _cli.StateFingerprint();

        var run = await _cli.RunAsync("retention", "plan", "--mode", "disable", "--output", "json");

        Assert.Equal(0, run.ExitCode);
        var steps = run.Json().GetProperty("aliases")[0].GetProperty("steps").EnumerateArray().ToDictionary(s => s.GetProperty("keyId").GetString()!, s => s.GetProperty("action").GetString());
        Assert.Equal("Disable", steps[keys[1]]);
        Assert.Equal("Keep", steps[keys[2]]);
        Assert.Equal("Keep", steps[keys[3]]);
        Assert.Equal(before, _cli.StateFingerprint());
    }

    [Fact]
    public async Task RetentionPlan_OutputText_IsOneTabSeparatedLinePerStepAliasFirstAndNothingElse()
    {
        await _cli.FourGenerationsAsync(Alias);
        var steps = (await _cli.RunAsync("retention", "plan", "--mode", "disable", "--output", "json")).Json().GetProperty("aliases")[0].GetProperty("steps").EnumerateArray().ToList();

        var run = await _cli.RunAsync("retention", "plan", "--mode", "disable", "--output", "text");

        Assert.Equal(0, run.ExitCode);
        var lines = run.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal(steps.Count, lines.Length);
        Assert.All(lines, line => Assert.Equal(Alias, line.Split('\t')[0]));
        Assert.All(lines, line => Assert.Equal(5, line.Split('\t').Length));
        Assert.Equal(
            steps.Select(s => (s.GetProperty("generation").GetInt32().ToString(System.Globalization.CultureInfo.InvariantCulture), s.GetProperty("action").GetString()!)),
            lines.Select(line => line.Split('\t')).Select(f => (f[1], f[3])));
    }

    [Fact]
    public async Task RetentionPlan_Redirected_IsAlignedColumnsWithAHeaderLineAndNoSeparatorLines()
    {
        await _cli.FourGenerationsAsync(Alias);

        var run = await _cli.RunAsync("retention", "plan", "--mode", "disable");

        Assert.Equal(0, run.ExitCode);
        var lines = run.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Contains(lines, line => line.StartsWith("Generation  Key id or alias", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, line => line.Trim('─', '-', '═', '━', ' ', '┼', '+').Length == 0);
    }

    [Fact]
    public async Task RetentionRun_WithoutYes_IsRefusedAndChangesNothing()
    {
        await _cli.FourGenerationsAsync(Alias);
        var before = _cli.StateFingerprint();

        var run = await _cli.RunAsync("retention", "run", "--mode", "disable");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("--yes", run.Stderr, StringComparison.Ordinal);
        Assert.Equal(before, _cli.StateFingerprint());
    }

    [Fact]
    public async Task RetentionRun_WithYes_DisablesAndStatusShowsTheCost()
    {
        var keys = await _cli.FourGenerationsAsync(Alias);

        var run = await _cli.RunAsync("retention", "run", "--mode", "disable", "--yes", "--output", "json");

        Assert.Equal(0, run.ExitCode);
        Assert.Equal("Disabled", _cli.Service.GetKeySnapshot(keys[1])!.KeyState);
        var status = (await _cli.RunAsync("status", Alias, "--output", "json")).Json().GetProperty("aliases")[0].GetProperty("keyCost");
        Assert.Equal((3, 1, 0, 4m), (status.GetProperty("enabled").GetInt32(), status.GetProperty("disabled").GetInt32(), status.GetProperty("pendingDeletion").GetInt32(), status.GetProperty("estimatedMonthlyDollars").GetDecimal()));
    }

    [Fact]
    public async Task Status_Text_ShowsGenerationsByStateAndEstimatedCost()
    {
        await _cli.FourGenerationsAsync(Alias);

        var run = await _cli.RunAsync("status", Alias);

        Assert.Contains("Generations: 4 enabled, 0 disabled, 0 pending deletion; estimated key cost $4 a month", run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Plan_WithRetentionModeSet_ShowsWhatRetentionWouldDo()
    {
        var keys = await _cli.FourGenerationsAsync(Alias);
        _cli.Environment[SettingNames.RetentionMode] = "disable-then-delete";

        var run = await _cli.RunAsync("plan", "--output", "json");

        var retention = run.Json().GetProperty("retention");
        Assert.Equal("disable-then-delete", retention.GetProperty("mode").GetString());
        Assert.Contains(retention.GetProperty("aliases")[0].GetProperty("steps").EnumerateArray(), s => s.GetProperty("keyId").GetString() == keys[1] && s.GetProperty("action").GetString() == "Disable");
    }

    [Fact]
    public async Task RetentionPlan_BadMode_ExitsTwoNamingIt()
    {
        await _cli.FourGenerationsAsync(Alias);

        var run = await _cli.RunAsync("retention", "plan", "--mode", "delete-now");

        // The value came from --mode, so --mode is named (the variable only when the value came from it).
        Assert.Equal(2, run.ExitCode);
        Assert.StartsWith("keyrotation retention plan: --mode: 'delete-now' is not one of disable, disable-then-delete, off", run.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("RETENTION_MODE", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RetentionRun_Notification_PointsAtTheRetentionPage()
    {
        await _cli.FourGenerationsAsync(Alias);
        var sns = new FakeSns();
        await using var server = new FakeSnsServer(sns);
        _cli.Environment["AWS_ACCESS_KEY_ID"] = "test";
        _cli.Environment["AWS_SECRET_ACCESS_KEY"] = "test";
        _cli.Environment["AWS_ENDPOINT_URL_SNS"] = server.Url.ToString();

        var run = await _cli.RunAsync("retention", "run", "--mode", "disable", "--yes", "--notification-topic-arn", "arn:aws:sns:us-east-1:111122223333:key-rotation");

        Assert.Equal(0, run.ExitCode);
        var message = Assert.Single(sns.Snapshot())["Message"];
        Assert.Contains("cancel the deletion, then enable it (docs/retention.md).", message, StringComparison.Ordinal);
        Assert.DoesNotContain("README", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Retention_Help_PointsAtTheRetentionPage()
    {
        var run = await _cli.RunAsync("retention", "--help");

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("Disable and delete old generations as RETENTION_MODE allows (docs/retention.md).", run.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("README", run.Stdout, StringComparison.Ordinal);
    }
}
