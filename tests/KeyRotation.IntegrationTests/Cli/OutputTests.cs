using KeyRotation.Cli;

namespace KeyRotation.IntegrationTests.Cli;

/// <summary>--output table|text|json, on a terminal (wide and narrow) and redirected.</summary>
public sealed class OutputTests
{
    private const string Alias = "alias/orders";
    private const string Other = "alias/payments-archive-with-a-long-name";
    private readonly CliHarness _cli = new();

    private CliHost Terminal(int width) => new() { Time = _cli.Time, KmsClient = () => _cli.Kms, StdoutIsTerminal = true, TerminalWidth = width };

    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    [Fact]
    public async Task Plan_Redirected_PlainAlignedColumnsWithoutSeparators()
    {
        var first = await _cli.CreateAliasAsync(Alias);
        var second = await _cli.CreateAliasAsync(Other);

        var run = await _cli.RunAsync("plan", Alias, Other);

        var lines = Lines(run.Stdout);
        Assert.Matches("^Alias +Outcome +Previous key +New key +Reason$", lines[0]);
        Assert.StartsWith($"{Alias}{new string(' ', Other.Length - Alias.Length + 2)}Planned  {first}  -", lines[1], StringComparison.Ordinal);
        Assert.StartsWith($"{Other}  Planned  {second}  -", lines[2], StringComparison.Ordinal);
        Assert.DoesNotContain(lines, l => l.Trim().Length > 0 && l.Trim().All(c => c is '-' or '─' or '═' or ' '));
        Assert.True(lines[0].Length < 160, lines[0]);
    }

    [Fact]
    public async Task Plan_OutputText_OneTabSeparatedLinePerAlias()
    {
        var first = await _cli.CreateAliasAsync(Alias);

        var run = await _cli.RunAsync("plan", Alias, "--output", "text");

        var fields = Assert.Single(Lines(run.Stdout)).Split('\t');
        Assert.Equal([Alias, "Planned", first, "-"], fields[..4]);
    }

    [Fact]
    public async Task Rotate_WideTerminal_BorderedTableWithWholeIdsAndReasonWithoutThem()
    {
        var old = await _cli.CreateAliasAsync(Alias);

        var run = await _cli.RunAsync(Terminal(200) with { StdinIsTerminal = true }, "rotate", Alias, "--yes");

        var newKey = await _cli.KeyOfAsync(Alias);
        var row = Assert.Single(Lines(run.Stdout), l => l.Contains(old, StringComparison.Ordinal) && l.Contains('│'));
        Assert.Contains(newKey, row, StringComparison.Ordinal);
        Assert.Contains("│", row, StringComparison.Ordinal);
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(row, System.Text.RegularExpressions.Regex.Escape(old)));
        Assert.Contains("the new key", row, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rotate_NarrowTerminal_StackedLayoutKeepsIdsWhole()
    {
        var old = await _cli.CreateAliasAsync(Alias);

        var run = await _cli.RunAsync(Terminal(80) with { StdinIsTerminal = true }, "rotate", Alias, "--yes");

        var newKey = await _cli.KeyOfAsync(Alias);
        var lines = Lines(run.Stdout).Select(l => System.Text.RegularExpressions.Regex.Replace(l, "\u001b\\[[0-9;]*m", string.Empty)).ToList();
        Assert.Contains(Alias, lines);
        Assert.Contains(lines, l => l.StartsWith("  Previous key:", StringComparison.Ordinal) && l.EndsWith(old, StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("  New key:", StringComparison.Ordinal) && l.EndsWith(newKey, StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.Contains('│'));
    }

    [Fact]
    public async Task Status_Table_ColumnsHaveDistinctNames()
    {
        await _cli.CreateAliasAsync(Alias);
        await _cli.RotateAsync(Alias);

        var run = await _cli.RunAsync("status", Alias);

        var header = Assert.Single(Lines(run.Stdout), l => l.StartsWith("Role", StringComparison.Ordinal));
        Assert.Matches("^Role +Generation +Key id +Generation state +KMS key state +Created +Retired$", header);
    }

    [Fact]
    public async Task Rotate_FailedInJson_QuotesAreNotEscapedAndAdviceIsTheOperators()
    {
        await _cli.CreateAliasAsync(Alias);
        _cli.Service.Faults.FailEvery("CreateKey", "KMSInternalException", "Injected");

        var run = await _cli.RunAsync("rotate", Alias, "--yes", "--output", "json");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("'keyrotation status alias/orders' shows where the alias stands.", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("your AWS identity", run.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("\\u0027", run.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("function's", run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rotate_Table_ReasonStartsWithACapitalAfterIdsAreNamed()
    {
        await _cli.CreateAliasAsync(Alias);
        await _cli.RotateAsync(Alias);

        var run = await _cli.RunAsync("plan", Alias);

        Assert.Contains("The previous key is 0 hours old", run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Plan_YoungKey_SkipReasonNamesTheForceFlag()
    {
        await _cli.CreateAliasAsync(Alias);
        await _cli.RotateAsync(Alias);

        var run = await _cli.RunAsync("plan", Alias, "--output", "json");

        Assert.EndsWith("use --force to rotate anyway.", run.Json().GetProperty("results")[0].GetProperty("reason").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Help_Plan_ShowsTheAliasAsOptional()
    {
        var run = await _cli.RunAsync("plan", "--help");

        Assert.Contains("plan [<ALIAS>...] [options]", run.Stdout, StringComparison.Ordinal);
    }
}
