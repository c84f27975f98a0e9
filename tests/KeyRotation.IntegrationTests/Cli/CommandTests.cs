using KeyRotation.Cli;
using KeyRotation.LocalKms;

namespace KeyRotation.IntegrationTests.Cli;

/// <summary>The commands end to end through the real parser against LocalKms: plan, rotate, help and the sandbox; status and rollback are in CommandTests.StatusAndRollback.cs.</summary>
public sealed partial class CommandTests
{
    private const string Alias = "alias/orders";
    private readonly CliHarness _cli = new();

    [Fact]
    public async Task Plan_DueAlias_ReportsPlannedAndChangesNothing()
    {
        await _cli.CreateAliasAsync(Alias);
        var before = _cli.StateFingerprint();

        var run = await _cli.RunAsync("plan", Alias, "--output", "json");

        Assert.Equal(0, run.ExitCode);
        var result = run.Json().GetProperty("results")[0];
        Assert.Equal("Planned", result.GetProperty("outcome").GetString());
        Assert.True(run.Json().GetProperty("dryRun").GetBoolean());
        Assert.Equal(before, _cli.StateFingerprint());
    }

    [Fact]
    public async Task Plan_YoungKey_ExplainsWhyItWouldBeSkipped()
    {
        await _cli.CreateAliasAsync(Alias);
        await _cli.RotateAsync(Alias);

        var run = await _cli.RunAsync("plan", Alias, "--output", "json");

        var result = run.Json().GetProperty("results")[0];
        Assert.Equal("Skipped", result.GetProperty("outcome").GetString());
        Assert.False(string.IsNullOrWhiteSpace(result.GetProperty("reason").GetString()));
    }

    [Fact]
    public async Task Rotate_DueAlias_MovesAliasToNewKeyAndExitsZero()
    {
        var old = await _cli.CreateAliasAsync(Alias);

        var run = await _cli.RunAsync("rotate", Alias, "--yes", "--output", "json");

        Assert.Equal(0, run.ExitCode);
        var result = run.Json().GetProperty("results")[0];
        Assert.Equal("Rotated", result.GetProperty("outcome").GetString());
        Assert.Equal(old, result.GetProperty("previousKeyId").GetString());
        Assert.Equal(result.GetProperty("newKeyId").GetString(), await _cli.KeyOfAsync(Alias));
    }

    [Fact]
    public async Task Rotate_WithoutTopic_PrintsNotificationInJson()
    {
        await _cli.CreateAliasAsync(Alias);

        var run = await _cli.RunAsync("rotate", Alias, "--yes", "--output", "json");

        var notice = Assert.Single(run.Json().GetProperty("notifications").EnumerateArray());
        Assert.Equal("KMS key rotation Rotated: alias/orders", notice.GetProperty("subject").GetString());
    }

    [Fact]
    public async Task Rotate_TextOutputRedirected_PrintsPlainSummaryWithoutAnsi()
    {
        await _cli.CreateAliasAsync(Alias);

        var run = await _cli.RunAsync("rotate", Alias, "--yes");

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("Rotated", run.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("\u001b[", run.Stdout, StringComparison.Ordinal);
        Assert.DoesNotMatch("(?m) +$", run.Stdout);
    }

    [Fact]
    public async Task Rotate_OneUnknownAliasInBatch_RefusedBeforeRotatingAny()
    {
        var old = await _cli.CreateAliasAsync(Alias);

        var run = await _cli.RunAsync("rotate", Alias, "alias/missing", "--yes", "--output", "json");

        Assert.Equal(2, run.ExitCode);
        Assert.Equal(string.Empty, run.Stdout);
        Assert.Equal("keyrotation rotate: alias/missing does not exist in this account and Region\n", run.Stderr.ReplaceLineEndings("\n"));
        Assert.Equal(old, await _cli.KeyOfAsync(Alias));
    }

    [Fact]
    public async Task Rotate_StdinNotTerminalWithoutYes_ExitsTwoAndChangesNothing()
    {
        await _cli.CreateAliasAsync(Alias);
        var before = _cli.StateFingerprint();

        var run = await _cli.RunAsync("rotate", Alias);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("--yes", run.Stderr, StringComparison.Ordinal);
        Assert.Equal(before, _cli.StateFingerprint());
    }

    [Fact]
    public async Task Rotate_TerminalAnswerNo_ChangesNothing()
    {
        await _cli.CreateAliasAsync(Alias);
        var before = _cli.StateFingerprint();
        using var stdin = new StringReader("n\n");

        var run = await _cli.RunAsync(new CliHost { Time = _cli.Time, KmsClient = () => _cli.Kms, StdinIsTerminal = true, StdoutIsTerminal = true, Stdin = stdin }, "rotate", Alias);

        Assert.Equal(1, run.ExitCode);
        Assert.Equal(before, _cli.StateFingerprint());
    }

    [Fact]
    public async Task Rollback_TerminalAnswerNo_QuestionNamesBothKeysAndNothingChanges()
    {
        var first = await _cli.CreateAliasAsync(Alias);
        var second = await _cli.RotateAsync(Alias);
        var before = _cli.StateFingerprint();
        using var stdin = new StringReader("n\n");

        var run = await _cli.RunAsync(new CliHost { Time = _cli.Time, KmsClient = () => _cli.Kms, StdinIsTerminal = true, StdoutIsTerminal = true, Stdin = stdin }, "rollback", Alias);

        Assert.Equal(1, run.ExitCode);
        var shown = System.Text.RegularExpressions.Regex.Replace(run.Stdout, @"\s+", " "); // the terminal wraps long lines
        Assert.Contains($"back from {second} (generation 2) to {first} (generation 1)", shown, StringComparison.Ordinal);
        Assert.Equal(before, _cli.StateFingerprint());
    }

    [Fact]
    public async Task Rotate_WithTopic_PublishesWithTheSameCredentialsAsKms()
    {
        await _cli.CreateAliasAsync(Alias);
        var sns = new KeyRotation.Testing.FakeSns();
        await using var server = new KeyRotation.Testing.FakeSnsServer(sns);
        _cli.Environment["AWS_ACCESS_KEY_ID"] = "AKIDFROMTHECLIENVIRONMENT";
        _cli.Environment["AWS_SECRET_ACCESS_KEY"] = "secret";
        _cli.Environment["AWS_ENDPOINT_URL_SNS"] = server.Url.ToString();

        var run = await _cli.RunAsync("rotate", Alias, "--yes", "--notification-topic-arn", "arn:aws:sns:us-east-1:111122223333:key-rotation");

        Assert.Equal(0, run.ExitCode);
        var published = Assert.Single(sns.Snapshot());
        Assert.Equal("KMS key rotation Rotated: alias/orders", published["Subject"]);
        Assert.Contains("Credential=AKIDFROMTHECLIENVIRONMENT/", sns.Authorizations.Single(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rotate_InvalidAliasName_ExitsTwo()
    {
        var run = await _cli.RunAsync("rotate", "orders", "--yes");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("alias names start with", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rotate_BadConfigurationValue_ExitsTwoNamingIt()
    {
        _cli.Environment["MIN_KEY_AGE_HOURS"] = "soon";

        var run = await _cli.RunAsync("rotate", Alias, "--yes");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("MIN_KEY_AGE_HOURS", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Plan_MinKeyAgeFlag_OverridesTheEnvironment()
    {
        await _cli.CreateAliasAsync(Alias);
        await _cli.RotateAsync(Alias);
        _cli.Environment["MIN_KEY_AGE_HOURS"] = "24";

        var run = await _cli.RunAsync("plan", Alias, "--min-key-age-hours", "0", "--output", "json");

        Assert.Equal("Planned", run.Json().GetProperty("results")[0].GetProperty("outcome").GetString());
    }

    [Fact]
    public async Task Rotate_BadMaxConcurrencyFlag_ExitsTwoNamingIt()
    {
        await _cli.CreateAliasAsync(Alias);
        var before = _cli.StateFingerprint();

        var run = await _cli.RunAsync("rotate", Alias, "--yes", "--max-concurrency", "0");

        Assert.Equal(2, run.ExitCode);
        Assert.Equal("keyrotation rotate: The configuration is invalid: --max-concurrency: '0' is not a whole number from 1 to 32 (aliases at once).", run.Stderr.Split('\n')[0]);
        Assert.Equal(before, _cli.StateFingerprint());
    }

    [Fact]
    public async Task Rotate_NoAliasAnywhere_ExitsTwo()
    {
        var run = await _cli.RunAsync("rotate", "--yes");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("ROTATION_ALIASES", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_UnknownOption_ExitsTwo()
    {
        var run = await _cli.RunAsync("status", "--colour");

        Assert.Equal(2, run.ExitCode);
    }

    [Fact]
    public async Task Run_OutputFormatNotTextOrJson_ExitsTwo()
    {
        var run = await _cli.RunAsync("status", Alias, "--output", "yaml");

        Assert.Equal(2, run.ExitCode);
    }

    [Theory]
    [InlineData("plan")]
    [InlineData("rotate")]
    [InlineData("status")]
    [InlineData("rollback")]
    public async Task Help_EachCommand_DescribesItAndExitsZero(string command)
    {
        var run = await _cli.RunAsync(command, "--help");

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("Usage:", run.Stdout, StringComparison.Ordinal);
        Assert.Contains($"keyrotation {command}", run.Stdout.Replace("testhost", "keyrotation", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.Contains("--sandbox", run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rotate_SandboxAsInReadme_RotatesDemoAliasAndShowsProof()
    {
        var run = await _cli.RunAsync(new CliHost { Time = _cli.Time }, "rotate", "--sandbox", "--yes", "--verbose");

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("alias/demo/app-data", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("Rotated", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("keyrotation:successor-key", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("still decrypts", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("Notification (printed here", run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rotate_ThroughEndpointUrlFlag_RotatesOnLoopbackServer()
    {
        var old = await _cli.CreateAliasAsync(Alias);
        await using var server = LocalKmsServer.Start(_cli.Service);
        _cli.Environment["AWS_ACCESS_KEY_ID"] = "test";
        _cli.Environment["AWS_SECRET_ACCESS_KEY"] = "test";

        var run = await _cli.RunAsync(new CliHost { Time = _cli.Time }, "rotate", Alias, "--yes", "--endpoint-url", server.Url.ToString(), "--region", "us-east-1", "--output", "json");

        Assert.Equal(0, run.ExitCode);
        Assert.NotEqual(old, await _cli.KeyOfAsync(Alias));
    }
}
