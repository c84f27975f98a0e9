using KeyRotation.Cli;

namespace KeyRotation.IntegrationTests.Cli;

/// <summary>
/// Issue 25's errors, through the real parser: each on stderr in one line naming what was wrong (a parse error adds the
/// command's usage line), stdout empty, exit 2 for bad usage and bad input; nothing changed, published or saved.
/// </summary>
public sealed class FirstHourErrorTests
{
    private const string Alias = "alias/orders";
    private const string Typo = "alias/ordres";
    private readonly CliHarness _cli = new();

    public static TheoryData<string[]> CommandsTakingAnAlias => new()
    {
        new[] { "status" },
        new[] { "plan" },
        new[] { "rotate", "--yes" },
        new[] { "rollback", "--yes" },
        new[] { "unlock", "--yes" },
        new[] { "retention", "plan" },
        new[] { "retention", "run", "--yes" },
    };

    private static void AssertUsageError(CliRun run, params string[] stderrLines)
    {
        Assert.Equal(2, run.ExitCode);
        Assert.Equal(string.Empty, run.Stdout);
        Assert.Equal(string.Join('\n', stderrLines) + "\n", run.Stderr.ReplaceLineEndings("\n"));
    }

    [Theory]
    [MemberData(nameof(CommandsTakingAnAlias))]
    public async Task Command_MistypedAlias_RefusedBeforeAnythingRunsWithTheClosestName(string[] command)
    {
        await _cli.CreateAliasAsync(Alias);
        await _cli.CreateAliasAsync("alias/payments");
        var before = _cli.StateFingerprint();
        _cli.Service.ClearRecordedRequests();
        string[] words = command[0] == "retention" ? command[..2] : command[..1];
        string[] flags = command[0] == "retention" ? [.. command[2..], "--mode", "disable"] : command[1..];

        var run = await _cli.RunAsync([.. words, Typo, .. flags]);

        AssertUsageError(run, $"keyrotation {string.Join(' ', words)}: {Typo} does not exist in this account and Region (did you mean {Alias}?)");
        Assert.Equal(before, _cli.StateFingerprint());
        Assert.All(_cli.Service.RecordedRequests, r => Assert.Equal("ListAliases", r.Operation));
    }

    [Fact]
    public async Task Status_AliasWithNothingClose_SaysItDoesNotExist()
    {
        await _cli.CreateAliasAsync(Alias);

        var run = await _cli.RunAsync("status", "alias/zzz", "--output", "json");

        AssertUsageError(run, "keyrotation status: alias/zzz does not exist in this account and Region");
    }

    [Fact]
    public async Task Rotate_TwoAliasesEquallyClose_OffersBoth()
    {
        await _cli.CreateAliasAsync("alias/app-a");
        await _cli.CreateAliasAsync("alias/app-b");

        var run = await _cli.RunAsync("rotate", "alias/app-a", "alias/app-c", "--yes");

        AssertUsageError(run, "keyrotation rotate: alias/app-c does not exist in this account and Region (did you mean one of alias/app-a, alias/app-b?)");
    }

    [Fact]
    public async Task Rotate_MistypedAliasWithTopic_PublishesNothing()
    {
        await _cli.CreateAliasAsync(Alias);
        var sns = new FakeSns();
        await using var server = new FakeSnsServer(sns);
        _cli.Environment["AWS_ACCESS_KEY_ID"] = "test";
        _cli.Environment["AWS_SECRET_ACCESS_KEY"] = "test";
        _cli.Environment["AWS_ENDPOINT_URL_SNS"] = server.Url.ToString();
        var before = _cli.StateFingerprint();

        var run = await _cli.RunAsync("rotate", Typo, "--yes", "--notification-topic-arn", "arn:aws:sns:us-east-1:111122223333:key-rotation");

        AssertUsageError(run, $"keyrotation rotate: {Typo} does not exist in this account and Region (did you mean {Alias}?)");
        Assert.Empty(sns.Snapshot());
        Assert.Equal(before, _cli.StateFingerprint());
    }

    [Theory]
    [InlineData("status")]
    [InlineData("rotate")]
    [InlineData("rollback")]
    public async Task Sandbox_MistypedAlias_LeavesTheStateFileAsItWas(string command)
    {
        var directory = Directory.CreateTempSubdirectory("keyrotation-cli-");
        try
        {
            var state = Path.Combine(directory.FullName, "sandbox.json");
            var host = new CliHost { Time = _cli.Time };
            Assert.Equal(0, (await _cli.RunAsync(host, "status", "--sandbox", "--sandbox-state", state)).ExitCode);
            var saved = await File.ReadAllBytesAsync(state);
            var written = File.GetLastWriteTimeUtc(state);

            string[] confirm = command == "status" ? [] : ["--yes"];
            var run = await _cli.RunAsync(host, [command, "alias/demo/app-dta", .. confirm, "--sandbox", "--sandbox-state", state]);

            AssertUsageError(
                run,
                $"Sandbox state: {state} (continued from the last command; --sandbox-reset starts again).",
                $"keyrotation {command}: alias/demo/app-dta does not exist in this account and Region (did you mean alias/demo/app-data?)");
            Assert.Equal(saved, await File.ReadAllBytesAsync(state));
            Assert.Equal(written, File.GetLastWriteTimeUtc(state));
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Theory]
    [InlineData("rollback")]
    [InlineData("unlock")]
    public async Task Command_AliasMissing_NamesTheArgumentAndShowsTheUsageLine(string command)
    {
        var run = await _cli.RunAsync(command, "--yes");

        AssertUsageError(run, $"keyrotation {command}: missing argument ALIAS", $"Usage: keyrotation {command} ALIAS [options]");
    }

    [Fact]
    public async Task RetentionPlan_ModeNotKnown_NamesTheOptionAndTheAllowedValues()
    {
        var run = await _cli.RunAsync("retention", "plan", Alias, "--mode", "foo");

        AssertUsageError(run, "keyrotation retention plan: --mode: 'foo' is not one of disable, disable-then-delete, off", "Usage: keyrotation retention plan [ALIAS...] [options]");
    }

    [Fact]
    public async Task RetentionPlan_ModeFromTheEnvironmentNotKnown_NamesTheVariable()
    {
        await _cli.CreateAliasAsync(Alias);
        _cli.Environment["RETENTION_MODE"] = "foo";

        var run = await _cli.RunAsync("retention", "plan", Alias);

        AssertUsageError(run, "keyrotation retention plan: The configuration is invalid: RETENTION_MODE: 'foo' is not a retention mode; use off, disable or disable-then-delete.");
    }

    [Fact]
    public async Task RetentionPlan_ModeFlagOverBadVariable_TheFlagCounts()
    {
        await _cli.CreateAliasAsync(Alias);
        _cli.Environment["RETENTION_MODE"] = "foo";

        var run = await _cli.RunAsync("retention", "plan", Alias, "--mode", "disable");

        Assert.Equal(0, run.ExitCode);
        Assert.DoesNotContain("RETENTION_MODE", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RetentionPlan_ModeWithoutValue_NamesTheOption()
    {
        var run = await _cli.RunAsync("retention", "plan", Alias, "--mode");

        AssertUsageError(run, "keyrotation retention plan: --mode needs a value (MODE)", "Usage: keyrotation retention plan [ALIAS...] [options]");
    }

    [Fact]
    public async Task Retention_SubcommandMissing_NamesTheChoices()
    {
        var run = await _cli.RunAsync("retention");

        AssertUsageError(run, "keyrotation retention: missing command (plan or run)", "Usage: keyrotation retention <plan|run> [options]");
    }

    [Fact]
    public async Task Rollback_SecondAlias_NamesTheExtraArgument()
    {
        var run = await _cli.RunAsync("rollback", Alias, "alias/other", "--yes");

        AssertUsageError(run, "keyrotation rollback: unexpected argument 'alias/other'", "Usage: keyrotation rollback ALIAS [options]");
    }

    [Theory]
    [InlineData(true, "--expiration-days: 'soon' is not a whole number from 0 to 365.")]
    [InlineData(false, "KEY_MATERIAL_EXPIRATION_DAYS: 'soon' is not a whole number from 0 to 365.")]
    public async Task Reimport_ExpirationNotANumber_NamesWhereTheValueCameFrom(bool fromFlag, string expected)
    {
        if (!fromFlag)
        {
            _cli.Environment["KEY_MATERIAL_EXPIRATION_DAYS"] = "soon";
        }

        string[] flag = fromFlag ? ["--expiration-days", "soon"] : [];
        var run = await _cli.RunAsync(["reimport", "1234abcd-12ab-34cd-56ef-1234567890ab", "--yes", .. flag]);

        AssertUsageError(run, "keyrotation reimport: " + expected);
    }

    [Fact]
    public async Task Status_AliasThatCannotBeRead_ErrorOnStderrExitOne()
    {
        await _cli.CreateAliasAsync(Alias);
        _cli.Service.Faults.FailEvery("DescribeKey", "AccessDeniedException", "Not allowed to describe the key.");

        var run = await _cli.RunAsync("status", Alias);

        Assert.Equal(1, run.ExitCode);
        Assert.Equal(string.Empty, run.Stdout);
        Assert.Contains("Not allowed to describe the key.", Assert.Single(run.Stderr.ReplaceLineEndings("\n").Split('\n', StringSplitOptions.RemoveEmptyEntries)), StringComparison.Ordinal);
    }
}
