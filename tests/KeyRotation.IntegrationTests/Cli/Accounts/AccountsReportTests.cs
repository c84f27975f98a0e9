namespace KeyRotation.IntegrationTests.Cli.Accounts;

/// <summary><c>report --accounts FILE</c> across two simulated accounts: one report, each alias naming its account and Region.</summary>
public sealed class AccountsReportTests : IAsyncLifetime
{
    private const string Alias = "alias/orders";
    private readonly AccountsHarness _accounts = new();

    public Task InitializeAsync() => _accounts.InitializeAsync();

    public Task DisposeAsync() => _accounts.DisposeAsync();

    [Fact]
    public async Task Report_TwoAccounts_OneDocumentNamingEachAliasesAccountAndRegion()
    {
        var keyA = await _accounts.CreateAliasAsync(_accounts.A, Alias);
        var keyB = await _accounts.CreateAliasAsync(_accounts.B, Alias);
        var file = _accounts.WriteAccountsFile(AccountsHarness.BothAccounts);

        var run = await _accounts.RunAsync("report", Alias, "--accounts", file, "--output", "json", "--skip-last-use");

        Assert.Equal(0, run.ExitCode);
        var json = run.Json();
        Assert.Empty(ReportSchema.Violations(json));
        Assert.Equal(
            [(AccountsHarness.AccountA, AccountsHarness.RegionA, keyA), (AccountsHarness.AccountB, AccountsHarness.RegionB, keyB)],
            json.GetProperty("aliases").EnumerateArray().Select(a => (a.GetProperty("account").GetString(), a.GetProperty("region").GetString(), a.GetProperty("currentKeyId").GetString())));
        Assert.Equal(2, json.GetProperty("summary").GetProperty("aliases").GetInt32());
    }

    [Fact]
    public async Task Report_OneTargetRefusedBySts_IsThatTargetsAliasErrorAndExitsOne()
    {
        await _accounts.CreateAliasAsync(_accounts.A, Alias);
        await _accounts.CreateAliasAsync(_accounts.B, Alias);
        var file = _accounts.WriteAccountsFile($"{AccountsHarness.AccountA} {AccountsHarness.RegionA} {AccountsHarness.RoleA}\n{AccountsHarness.AccountB} {AccountsHarness.RegionB} {AccountsHarness.RoleB}\n");

        var run = await _accounts.RunAsync("report", Alias, "--accounts", file, "--output", "json", "--skip-last-use");

        Assert.Equal(1, run.ExitCode);
        var aliases = run.Json().GetProperty("aliases").EnumerateArray().ToList();
        Assert.Contains("Cannot assume", aliases[0].GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal("compliant", aliases[1].GetProperty("standing").GetString());
        Assert.StartsWith($"keyrotation report: {AccountsHarness.AccountA} {AccountsHarness.RegionA} alias/orders: Cannot assume", run.Stderr, StringComparison.Ordinal);
    }
}
