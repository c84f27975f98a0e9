namespace KeyRotation.IntegrationTests.Cli;

/// <summary>
/// The errors a newcomer review found misleading, through the real parser: a mistyped command is named as the mistake
/// (not the options or aliases that follow it), an option whose value was left out does not swallow the next option,
/// and errors found after parsing name the command as parse errors do.
/// </summary>
public sealed class NewcomerReviewErrorTests
{
    private const string Alias = "alias/orders";
    private const string RootUsage = "Usage: keyrotation <command> [options]";
    private const string StatusUsage = "Usage: keyrotation status [ALIAS...] [options]";
    private readonly CliHarness _cli = new();

    private static void AssertUsageError(CliRun run, params string[] stderrLines)
    {
        Assert.Equal(2, run.ExitCode);
        Assert.Equal(string.Empty, run.Stdout);
        Assert.Equal(string.Join('\n', stderrLines) + "\n", run.Stderr.ReplaceLineEndings("\n"));
    }

    [Fact]
    public async Task Root_MistypedCommandWithTheIntendedCommandsOptions_NamesOnlyTheCommand()
    {
        var run = await _cli.RunAsync("rotat", "--sandbox", "--yes");

        AssertUsageError(run, "keyrotation: unknown command 'rotat' (did you mean rotate?)", RootUsage);
    }

    [Fact]
    public async Task Root_MistypedCommandWithAnAlias_NamesOnlyTheCommand()
    {
        var run = await _cli.RunAsync("rotat", "alias/demo/app-data", "--sandbox");

        AssertUsageError(run, "keyrotation: unknown command 'rotat' (did you mean rotate?)", RootUsage);
    }

    [Fact]
    public async Task Root_UnknownOptionWithItsValue_StillNamesTheOption()
    {
        var run = await _cli.RunAsync("--max-concurency", "3");

        AssertUsageError(run, "keyrotation: unrecognized option '--max-concurency'", RootUsage);
    }

    [Fact]
    public async Task Retention_MistypedSubcommandWithOptions_NamesOnlyTheSubcommand()
    {
        var run = await _cli.RunAsync("retention", "pln", "--mode", "disable");

        AssertUsageError(run, "keyrotation retention: unknown command 'pln' (did you mean plan?)", "Usage: keyrotation retention <plan|run> [options]");
    }

    [Fact]
    public async Task Status_OutputFollowedByOwnOption_SaysOutputNeedsAValue()
    {
        await _cli.CreateAliasAsync(Alias);

        var run = await _cli.RunAsync("status", Alias, "--output", "--all");

        AssertUsageError(run, "keyrotation status: --output needs a value (json, table, text)", StatusUsage);
    }

    [Fact]
    public async Task Status_OutputFollowedByGlobalOption_SaysOutputNeedsAValue()
    {
        var run = await _cli.RunAsync("status", "--output", "--sandbox");

        AssertUsageError(run, "keyrotation status: --output needs a value (json, table, text)", StatusUsage);
    }

    [Fact]
    public async Task RetentionPlan_ModeFollowedByOption_SaysModeNeedsAValue()
    {
        var run = await _cli.RunAsync("retention", "plan", "--mode", "--sandbox");

        AssertUsageError(run, "keyrotation retention plan: --mode needs a value (MODE)", "Usage: keyrotation retention plan [ALIAS...] [options]");
    }

    [Theory]
    [InlineData("--region", "--all", "--region needs a value")]
    [InlineData("--profile", "--sandbox", "--profile needs a value")]
    [InlineData("--role-arn", "--output", "--role-arn needs a value (ARN)")]
    [InlineData("--region", "--not-an-option", "--region needs a value")]
    public async Task Status_AnyValueOptionFollowedByAnOption_SaysItNeedsAValue(string option, string next, string expected)
    {
        var run = await _cli.RunAsync("status", Alias, option, next, "json");

        AssertUsageError(run, "keyrotation status: " + expected, StatusUsage);
    }

    [Fact]
    public async Task Status_OutputWithItsValue_Runs()
    {
        await _cli.CreateAliasAsync(Alias);

        var run = await _cli.RunAsync("status", Alias, "--output", "json");

        Assert.Equal(0, run.ExitCode);
    }

    [Fact]
    public async Task Status_NoAliasAnywhere_NamesTheCommand()
    {
        var run = await _cli.RunAsync("status");

        AssertUsageError(run, "keyrotation status: No alias to show: name aliases (for example alias/app-data) or set ROTATION_ALIASES.");
    }

    [Fact]
    public async Task Rotate_WithoutYesOffATerminal_NamesTheCommand()
    {
        await _cli.CreateAliasAsync(Alias);

        var run = await _cli.RunAsync("rotate", Alias);

        AssertUsageError(run, "keyrotation rotate: This command changes keys and aliases: pass --yes to confirm when stdin is not a terminal (or with --output json).");
    }

    [Fact]
    public async Task Plan_SandboxStateWithoutSandbox_NamesTheCommand()
    {
        var run = await _cli.RunAsync("plan", Alias, "--sandbox-reset");

        AssertUsageError(run, "keyrotation plan: --sandbox-state and --sandbox-reset apply to the sandbox only: add --sandbox.");
    }
}
