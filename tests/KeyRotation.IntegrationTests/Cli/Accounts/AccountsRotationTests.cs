namespace KeyRotation.IntegrationTests.Cli.Accounts;

/// <summary><c>plan</c>, <c>rotate</c> and <c>rollback</c> with <c>--accounts FILE</c> across two simulated accounts.</summary>
public sealed class AccountsRotationTests : IAsyncLifetime
{
    private const string Alias = "alias/orders";
    private readonly AccountsHarness _accounts = new();

    public Task InitializeAsync() => _accounts.InitializeAsync();

    public Task DisposeAsync() => _accounts.DisposeAsync();

    private static string[] Lines(string text) => text.ReplaceLineEndings("\n").Split('\n', StringSplitOptions.RemoveEmptyEntries);

    [Fact]
    public async Task Rotate_AcrossAccountsWithYes_RotatesBothAndNamesAccountAndRegionOnEveryLine()
    {
        var oldA = await _accounts.CreateAliasAsync(_accounts.A, Alias);
        var oldB = await _accounts.CreateAliasAsync(_accounts.B, Alias);
        var file = _accounts.WriteAccountsFile(AccountsHarness.BothAccounts);

        var run = await _accounts.RunAsync("rotate", Alias, "--accounts", file, "--yes", "--output", "text");

        Assert.Equal(0, run.ExitCode);
        var newA = await AccountsHarness.KeyOfAsync(_accounts.A, Alias);
        var newB = await AccountsHarness.KeyOfAsync(_accounts.B, Alias);
        Assert.NotEqual(oldA, newA);
        Assert.NotEqual(oldB, newB);
        var lines = Lines(run.Stdout);
        Assert.Equal(2, lines.Length);
        Assert.StartsWith($"{AccountsHarness.AccountA}\t{AccountsHarness.RegionA}\t{Alias}\tRotated\t{oldA}\t{newA}\t", lines[0], StringComparison.Ordinal);
        Assert.StartsWith($"{AccountsHarness.AccountB}\t{AccountsHarness.RegionB}\t{Alias}\tRotated\t{oldB}\t{newB}\t", lines[1], StringComparison.Ordinal);

        // Text output keeps stdout for data; the printed notifications (on stderr) name their account and Region too.
        Assert.Contains($"Notification ({AccountsHarness.AccountA} {AccountsHarness.RegionA}):", run.Stderr, StringComparison.Ordinal);
        Assert.Contains($"Notification ({AccountsHarness.AccountB} {AccountsHarness.RegionB}):", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rotate_AcrossAccountsJson_EveryResultNamesItsAccountAndRegion()
    {
        await _accounts.CreateAliasAsync(_accounts.A, Alias);
        await _accounts.CreateAliasAsync(_accounts.B, Alias);
        var file = _accounts.WriteAccountsFile(AccountsHarness.BothAccounts);

        var run = await _accounts.RunAsync("rotate", Alias, "--accounts", file, "--yes", "--output", "json");

        Assert.Equal(0, run.ExitCode);
        var json = run.Json();
        var results = json.GetProperty("results").EnumerateArray().ToList();
        Assert.Equal([(AccountsHarness.AccountA, AccountsHarness.RegionA), (AccountsHarness.AccountB, AccountsHarness.RegionB)], results.Select(r => (r.GetProperty("account").GetString()!, r.GetProperty("region").GetString()!)));
        Assert.All(results, r => Assert.Equal("Rotated", r.GetProperty("outcome").GetString()));
        Assert.Equal([AccountsHarness.AccountA, AccountsHarness.AccountB], json.GetProperty("notifications").EnumerateArray().Select(n => n.GetProperty("account").GetString()));
    }

    [Fact]
    public async Task Rotate_AcrossAccountsWithTopic_PublishesEachTargetsNoticeWithThatTargetsRole()
    {
        await _accounts.CreateAliasAsync(_accounts.A, Alias);
        await _accounts.CreateAliasAsync(_accounts.B, Alias);
        var file = _accounts.WriteAccountsFile(AccountsHarness.BothAccounts);
        var sns = new FakeSns();
        await using var server = new FakeSnsServer(sns);
        _accounts.Environment["AWS_ENDPOINT_URL_SNS"] = server.Url.ToString();

        var run = await _accounts.RunAsync("rotate", Alias, "--accounts", file, "--yes", "--notification-topic-arn", "arn:aws:sns:eu-west-1:999999999999:key-rotation-hub", "--output", "json");

        Assert.Equal(0, run.ExitCode);
        Assert.Equal(2, sns.Snapshot().Count);
        Assert.Empty(run.Json().GetProperty("notifications").EnumerateArray());
        Assert.Equal(
            ["Credential=ASIAACCOUNTA00000001/", "Credential=ASIAACCOUNTB00000001/"],
            sns.Authorizations.Select(a => a[a.IndexOf("Credential=", StringComparison.Ordinal)..(a.IndexOf('/', StringComparison.Ordinal) + 1)]));
    }

    [Fact]
    public async Task Rotate_AcrossAccountsWithoutYes_RefusesAndChangesNothingAnywhere()
    {
        await _accounts.CreateAliasAsync(_accounts.A, Alias);
        await _accounts.CreateAliasAsync(_accounts.B, Alias);
        var (beforeA, beforeB) = (AccountsHarness.Fingerprint(_accounts.A), AccountsHarness.Fingerprint(_accounts.B));
        var file = _accounts.WriteAccountsFile(AccountsHarness.BothAccounts);

        var run = await _accounts.RunAsync("rotate", Alias, "--accounts", file);

        Assert.Equal(2, run.ExitCode);
        Assert.Equal("keyrotation rotate: This command changes keys and aliases: pass --yes to confirm when stdin is not a terminal (or with --output json).", Lines(run.Stderr).Single());
        Assert.Equal(beforeA, AccountsHarness.Fingerprint(_accounts.A));
        Assert.Equal(beforeB, AccountsHarness.Fingerprint(_accounts.B));
        Assert.Empty(_accounts.Sts.Requests);
        Assert.Empty(_accounts.Router.SignedBy);
    }

    [Fact]
    public async Task Rotate_OneTargetRefusedBySts_RotatesTheOtherAndExitsOne()
    {
        var oldA = await _accounts.CreateAliasAsync(_accounts.A, Alias);
        var oldB = await _accounts.CreateAliasAsync(_accounts.B, Alias);
        var file = _accounts.WriteAccountsFile($"{AccountsHarness.AccountA} {AccountsHarness.RegionA} {AccountsHarness.RoleA}\n{AccountsHarness.AccountB} {AccountsHarness.RegionB} {AccountsHarness.RoleB}\n");

        var run = await _accounts.RunAsync("rotate", Alias, "--accounts", file, "--yes", "--output", "text");

        Assert.Equal(1, run.ExitCode);
        Assert.Equal(oldA, await AccountsHarness.KeyOfAsync(_accounts.A, Alias));
        Assert.NotEqual(oldB, await AccountsHarness.KeyOfAsync(_accounts.B, Alias));
        var lines = Lines(run.Stdout);
        Assert.StartsWith($"{AccountsHarness.AccountA}\t{AccountsHarness.RegionA}\t-\tFailed\t-\t-\tCannot assume {AccountsHarness.RoleA} (AccessDenied: ", lines[0], StringComparison.Ordinal);
        Assert.Contains("whether the role's trust policy requires an external id", lines[0], StringComparison.Ordinal);
        Assert.StartsWith($"{AccountsHarness.AccountB}\t{AccountsHarness.RegionB}\t{Alias}\tRotated\t", lines[1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Plan_AcrossAccounts_PlansEachTargetAndChangesNothing()
    {
        await _accounts.CreateAliasAsync(_accounts.A, Alias);
        await _accounts.CreateAliasAsync(_accounts.B, Alias);
        var (beforeA, beforeB) = (AccountsHarness.Fingerprint(_accounts.A), AccountsHarness.Fingerprint(_accounts.B));
        var file = _accounts.WriteAccountsFile(AccountsHarness.BothAccounts);

        var run = await _accounts.RunAsync("plan", Alias, "--accounts", file, "--output", "text");

        Assert.Equal(0, run.ExitCode);
        var lines = Lines(run.Stdout);
        Assert.Equal(2, lines.Length);
        Assert.StartsWith($"{AccountsHarness.AccountA}\t{AccountsHarness.RegionA}\t{Alias}\tPlanned\t", lines[0], StringComparison.Ordinal);
        Assert.StartsWith($"{AccountsHarness.AccountB}\t{AccountsHarness.RegionB}\t{Alias}\tPlanned\t", lines[1], StringComparison.Ordinal);
        Assert.Equal(beforeA, AccountsHarness.Fingerprint(_accounts.A));
        Assert.Equal(beforeB, AccountsHarness.Fingerprint(_accounts.B));
    }

    [Fact]
    public async Task Rollback_AcrossAccountsWithYes_RestoresThePreviousKeyInEach()
    {
        var oldA = await _accounts.CreateAliasAsync(_accounts.A, Alias);
        var oldB = await _accounts.CreateAliasAsync(_accounts.B, Alias);
        var file = _accounts.WriteAccountsFile(AccountsHarness.BothAccounts);
        Assert.Equal(0, (await _accounts.RunAsync("rotate", Alias, "--accounts", file, "--yes", "--output", "json")).ExitCode);
        var (newA, newB) = (await AccountsHarness.KeyOfAsync(_accounts.A, Alias), await AccountsHarness.KeyOfAsync(_accounts.B, Alias));

        var run = await _accounts.RunAsync("rollback", Alias, "--accounts", file, "--yes", "--output", "text");

        Assert.Equal(0, run.ExitCode);
        Assert.Equal(oldA, await AccountsHarness.KeyOfAsync(_accounts.A, Alias));
        Assert.Equal(oldB, await AccountsHarness.KeyOfAsync(_accounts.B, Alias));
        var lines = Lines(run.Stdout);
        Assert.StartsWith($"{AccountsHarness.AccountA}\t{AccountsHarness.RegionA}\t{Alias}\tRolledBack\t{newA}\t{oldA}\t", lines[0], StringComparison.Ordinal);
        Assert.StartsWith($"{AccountsHarness.AccountB}\t{AccountsHarness.RegionB}\t{Alias}\tRolledBack\t{newB}\t{oldB}\t", lines[1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rollback_AcrossAccountsWithTo_IsRefusedBeforeAnythingIsCalled()
    {
        var file = _accounts.WriteAccountsFile(AccountsHarness.BothAccounts);

        var run = await _accounts.RunAsync("rollback", Alias, "--to", "1234abcd-12ab-34cd-56ef-1234567890ab", "--accounts", file, "--yes");

        Assert.Equal(2, run.ExitCode);
        Assert.StartsWith("keyrotation rollback: --to names a key of one account and Region, but the accounts file lists 2 targets", run.Stderr, StringComparison.Ordinal);
        Assert.Empty(_accounts.Sts.Requests);
    }

    [Theory]
    [InlineData("unlock alias/orders --yes", "unlock")]
    [InlineData("retention plan alias/orders", "retention plan")]
    public async Task Command_WithoutAccountsSupport_RefusesTheAccountsFile(string commandLine, string command)
    {
        var file = _accounts.WriteAccountsFile(AccountsHarness.BothAccounts);

        var run = await _accounts.RunAsync([.. commandLine.Split(' '), "--accounts", file]);

        Assert.Equal(2, run.ExitCode);
        Assert.Equal($"keyrotation {command}: --accounts works with status, plan, rotate and rollback; for this command, reach one account with --role-arn.", Lines(run.Stderr).Single());
        Assert.Empty(_accounts.Router.SignedBy);
    }
}
