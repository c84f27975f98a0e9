using KeyRotation.Cli;

namespace KeyRotation.IntegrationTests.Cli;

/// <summary>
/// Issue 25's output: rotate and rollback end with their result table and summary (details behind --verbose), status
/// collapses a key's material rotations into one row (every row with --all), retention plan lists what it leaves alone.
/// </summary>
public sealed class FirstHourOutputTests
{
    private const string Alias = "alias/orders";
    private const string SandboxLeftOut = "Not shown: 6 notification texts (escrow details included) and the sandbox's keys before and after with their tags and decryption checks; add --verbose to see them.";
    private readonly CliHarness _cli = new();

    private static string[] Lines(string text) => text.ReplaceLineEndings("\n").Split('\n', StringSplitOptions.RemoveEmptyEntries);

    [Fact]
    public async Task Rotate_SandboxQuickstart_EndsWithTheResultTableAndHowToSeeTheRest()
    {
        var run = await _cli.RunAsync(new CliHost { Time = _cli.Time }, "rotate", "--sandbox", "--yes");

        Assert.Equal(0, run.ExitCode);
        var lines = Lines(run.Stdout);
        Assert.Equal(9, lines.Length);
        Assert.Matches("^Alias +Outcome +Previous key +New key +Reason$", lines[0]);
        Assert.Equal(6, lines[1..7].Count(l => l.Contains(" Rotated ", StringComparison.Ordinal)));
        Assert.Matches("^Rotation cli-[0-9TZ]+-[0-9a-f]{8}: 6 rotated\\.$", lines[7]);
        Assert.Equal(SandboxLeftOut, lines[8]);
        Assert.DoesNotContain("Notification", run.Stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--verbose")]
    [InlineData("--show-notifications")]
    public async Task Rotate_SandboxVerbose_ShowsTheDetailsThenEndsWithTheResult(string flag)
    {
        var run = await _cli.RunAsync(new CliHost { Time = _cli.Time }, "rotate", "--sandbox", "--yes", flag);

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("Notification (printed here; the sandbox does not publish to SNS)", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("Escrow copy of the imported key material", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("still decrypts", run.Stdout, StringComparison.Ordinal);
        var lines = Lines(run.Stdout);
        Assert.Matches("^Rotation cli-[0-9TZ]+-[0-9a-f]{8}: 6 rotated\\.$", lines[^1]);
        Assert.True(Array.FindLastIndex(lines, l => l.StartsWith("Notification", StringComparison.Ordinal)) < Array.FindIndex(lines, l => l.StartsWith("Alias ", StringComparison.Ordinal) && l.Contains("Outcome", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Rotate_OutputText_LeavesNotificationsOutAndSaysSoOnStderr()
    {
        await _cli.CreateAliasAsync(Alias);

        var run = await _cli.RunAsync("rotate", Alias, "--yes", "--output", "text");

        Assert.Equal(0, run.ExitCode);
        Assert.Single(Lines(run.Stdout));
        Assert.Equal(["Not shown: 1 notification text; add --verbose to see it."], Lines(run.Stderr));
    }

    [Fact]
    public async Task Rotate_OutputJson_KeepsTheNotifications()
    {
        await _cli.CreateAliasAsync(Alias);

        var run = await _cli.RunAsync("rotate", Alias, "--yes", "--output", "json");

        Assert.Equal(1, run.Json().GetProperty("notifications").GetArrayLength());
        Assert.Equal(string.Empty, run.Stderr);
    }

    [Fact]
    public async Task Rollback_Default_EndsWithTheResultTableAndHowToSeeTheNotification()
    {
        var first = await _cli.CreateAliasAsync(Alias);
        var second = await _cli.RotateAsync(Alias);

        var run = await _cli.RunAsync("rollback", Alias, "--yes");

        Assert.Equal(0, run.ExitCode);
        var lines = Lines(run.Stdout);
        Assert.Equal(4, lines.Length);
        Assert.Matches("^Alias +Outcome +From key +To key +Reason$", lines[0]);
        Assert.StartsWith($"{Alias}  RolledBack  {second}  {first}  ", lines[1], StringComparison.Ordinal);
        Assert.Matches("^Rollback rollback-[0-9TZ]+-[0-9a-f]{8}: 1 rolled back\\.$", lines[2]);
        Assert.Equal("Not shown: 1 notification text; add --verbose to see it.", lines[3]);
    }

    [Fact]
    public async Task Rollback_Verbose_NotificationFirstThenTheResult()
    {
        await _cli.CreateAliasAsync(Alias);
        await _cli.RotateAsync(Alias);

        var run = await _cli.RunAsync("rollback", Alias, "--yes", "--verbose");

        Assert.Equal(0, run.ExitCode);
        Assert.StartsWith("Notification (printed here; NOTIFICATION_TOPIC_ARN is not set)", Lines(run.Stdout)[0], StringComparison.Ordinal);
        Assert.Matches("^Rollback rollback-[0-9TZ]+-[0-9a-f]{8}: 1 rolled back\\.$", Lines(run.Stdout)[^1]);
    }

    [Fact]
    public async Task Status_MaterialRotations_OneRowWithCountAndDatesUnlessAll()
    {
        var host = new CliHost { Time = _cli.Time };
        var json = (await _cli.RunAsync(host, "status", Sandbox.Auto, "--sandbox", "--output", "json")).Json().GetProperty("aliases")[0].GetProperty("current");
        var dates = json.GetProperty("materialRotations").EnumerateArray().Select(m => m.GetProperty("rotatedAt").GetString()).Order(StringComparer.Ordinal).ToList();

        var collapsed = await _cli.RunAsync(host, "status", Sandbox.Auto, "--sandbox");
        var all = await _cli.RunAsync(host, "status", Sandbox.Auto, "--sandbox", "--all");

        Assert.Equal(Sandbox.AutoSeedRotations, dates.Count);
        var row = Assert.Single(Lines(collapsed.Stdout), l => l.StartsWith("new material", StringComparison.Ordinal));
        Assert.Contains($"{Sandbox.AutoSeedRotations} materials (--all lists them)", row, StringComparison.Ordinal);
        Assert.Contains($"{dates[0]} to {dates[^1]}", row, StringComparison.Ordinal);
        Assert.Equal(Sandbox.AutoSeedRotations, Lines(all.Stdout).Count(l => l.StartsWith("new material (on demand)", StringComparison.Ordinal) && l.Contains(" material ", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task RetentionPlan_RolledBackGeneration_ListedWithWhyItIsLeftAlone()
    {
        var first = await _cli.CreateAliasAsync(Alias);
        await _cli.RotateAsync(Alias);
        var second = await _cli.RotateAsync(Alias);
        var third = await _cli.RotateAsync(Alias);
        Assert.Equal(0, (await _cli.RunAsync("rollback", Alias, "--yes")).ExitCode);

        var run = await _cli.RunAsync("retention", "plan", Alias, "--mode", "disable", "--output", "json");

        Assert.Equal(0, run.ExitCode);
        var steps = run.Json().GetProperty("aliases")[0].GetProperty("steps").EnumerateArray().ToDictionary(s => s.GetProperty("keyId").GetString()!, s => (Action: s.GetProperty("action").GetString(), Reason: s.GetProperty("reason").GetString()!), StringComparer.Ordinal);
        Assert.Equal(("Keep", "the alias's current key"), steps[second]);
        Assert.Equal("Keep", steps[first].Action);
        Assert.StartsWith("the alias's first key", steps[first].Reason, StringComparison.Ordinal);
        Assert.Equal("Keep", steps[third].Action);
        Assert.Matches("^rolled back at [0-9-]+T[0-9:]+Z: off the alias's chain from the current key, so retention never touches it$", steps[third].Reason);
        var table = await _cli.RunAsync("retention", "plan", Alias, "--mode", "disable");
        Assert.Contains(table.Stdout.ReplaceLineEndings("\n").Split('\n'), l => l.Contains(third, StringComparison.Ordinal) && l.Contains("rolled back at", StringComparison.Ordinal));
    }
}
