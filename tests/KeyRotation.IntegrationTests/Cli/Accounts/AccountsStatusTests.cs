namespace KeyRotation.IntegrationTests.Cli.Accounts;

/// <summary><c>status --accounts FILE</c> across two simulated accounts, through the SDK's STS and KMS clients over HTTP.</summary>
public sealed class AccountsStatusTests : IAsyncLifetime
{
    private const string Alias = "alias/orders";
    private readonly AccountsHarness _accounts = new();

    public Task InitializeAsync() => _accounts.InitializeAsync();

    public Task DisposeAsync() => _accounts.DisposeAsync();

    private static string[] Lines(string text) => text.ReplaceLineEndings("\n").Split('\n', StringSplitOptions.RemoveEmptyEntries);

    [Fact]
    public async Task Status_TwoAccounts_PrintsOneTableNamingAccountAndRegionOnEveryRow()
    {
        var keyA = await _accounts.CreateAliasAsync(_accounts.A, Alias);
        var keyB = await _accounts.CreateAliasAsync(_accounts.B, Alias);
        var file = _accounts.WriteAccountsFile(AccountsHarness.BothAccounts);

        var run = await _accounts.RunAsync("status", Alias, "--accounts", file, "--output", "text");

        Assert.Equal(0, run.ExitCode);
        Assert.Equal(
            [
                $"{AccountsHarness.AccountA}\t{AccountsHarness.RegionA}\t{Alias}\t1\t{keyA}\tnever\t-",
                $"{AccountsHarness.AccountB}\t{AccountsHarness.RegionB}\t{Alias}\t1\t{keyB}\tnever\t-",
            ],
            Lines(run.Stdout));
    }

    [Fact]
    public async Task Status_TwoAccountsAsTable_AlignedColumnsWithAccountAndRegionFirstAndASummary()
    {
        var keyA = await _accounts.CreateAliasAsync(_accounts.A, Alias);
        var keyB = await _accounts.CreateAliasAsync(_accounts.B, Alias);
        var file = _accounts.WriteAccountsFile(AccountsHarness.BothAccounts);

        var run = await _accounts.RunAsync("status", Alias, "--accounts", file);

        Assert.Equal(0, run.ExitCode);
        var lines = Lines(run.Stdout);
        Assert.Equal(
            [
                "Account       Region     Alias         Generation  Key id                                Last rotation  Attention",
                $"{AccountsHarness.AccountA}  {AccountsHarness.RegionA}  {Alias}  1           {keyA}  never          -",
                $"{AccountsHarness.AccountB}  {AccountsHarness.RegionB}  {Alias}  1           {keyB}  never          -",
                "2 account/Region target(s), 2 alias(es) read; 0 need attention.",
            ],
            lines);
    }

    [Fact]
    public async Task Status_TwoAccounts_AssumesEachRoleWithTheOperatorsCredentialsAndItsExternalId()
    {
        await _accounts.CreateAliasAsync(_accounts.A, Alias);
        await _accounts.CreateAliasAsync(_accounts.B, Alias);
        var file = _accounts.WriteAccountsFile(AccountsHarness.BothAccounts);

        var run = await _accounts.RunAsync("status", Alias, "--accounts", file, "--role-session-name", "audit-june");

        Assert.Equal(0, run.ExitCode);
        var requests = _accounts.Sts.Requests.ToList();
        Assert.Equal(2, requests.Count);
        Assert.All(requests, r => Assert.Equal(AccountsHarness.OperatorKey, r.SignedBy));
        Assert.All(requests, r => Assert.Equal("audit-june", r.Form["RoleSessionName"]));
        Assert.Equal([AccountsHarness.RoleA, AccountsHarness.RoleB], requests.Select(r => r.Form["RoleArn"]));
        Assert.Equal(AccountsHarness.ExternalIdA, requests[0].Form["ExternalId"]);
        Assert.False(requests[1].Form.ContainsKey("ExternalId"));

        // KMS was only ever called with the assumed roles' credentials, never the operator's own.
        Assert.DoesNotContain(AccountsHarness.OperatorKey, _accounts.Router.SignedBy);
        Assert.Contains("ASIAACCOUNTA00000001", _accounts.Router.SignedBy);
        Assert.Contains("ASIAACCOUNTB00000001", _accounts.Router.SignedBy);
    }

    [Fact]
    public async Task Status_AfterARotationInOneAccount_ShowsItsGenerationAndLastRotation()
    {
        await _accounts.CreateAliasAsync(_accounts.A, Alias);
        await _accounts.CreateAliasAsync(_accounts.B, Alias);
        var file = _accounts.WriteAccountsFile($"{AccountsHarness.AccountB} {AccountsHarness.RegionB} {AccountsHarness.RoleB}\n");
        Assert.Equal(0, (await _accounts.RunAsync("rotate", Alias, "--accounts", file, "--yes", "--output", "json")).ExitCode);
        var both = _accounts.WriteAccountsFile(AccountsHarness.BothAccounts);

        var run = await _accounts.RunAsync("status", Alias, "--accounts", both, "--output", "json");

        Assert.Equal(0, run.ExitCode);
        var rows = run.Json().GetProperty("aliases").EnumerateArray().ToList();
        Assert.Equal([AccountsHarness.AccountA, AccountsHarness.AccountB], rows.Select(r => r.GetProperty("account").GetString()));
        Assert.Equal([AccountsHarness.RegionA, AccountsHarness.RegionB], rows.Select(r => r.GetProperty("region").GetString()));
        Assert.Equal([1L, 2L], rows.Select(r => r.GetProperty("generation").GetInt64()));
        Assert.Equal("never", rows[0].GetProperty("lastRotation").GetString());
        Assert.Equal(Core.RecordedTime.Format(_accounts.Time.GetUtcNow()), rows[1].GetProperty("lastRotation").GetString());
        Assert.Equal(await AccountsHarness.KeyOfAsync(_accounts.B, Alias), rows[1].GetProperty("keyId").GetString());
    }

    [Fact]
    public async Task Status_OneTargetUnreachable_IsARowWithItsErrorAndTheOthersAreStillShown()
    {
        await _accounts.CreateAliasAsync(_accounts.A, Alias);
        await _accounts.CreateAliasAsync(_accounts.B, Alias);
        const string AccountC = "333333333333";
        var roleC = $"arn:aws:iam::{AccountC}:role/keyrotation-status-us-east-1";
        _accounts.Sts.AddRole(roleC, "ASIAACCOUNTC00000001");
        _accounts.Router.Route("ASIAACCOUNTC00000001", null);
        var file = _accounts.WriteAccountsFile($"{AccountsHarness.AccountA} {AccountsHarness.RegionA} {AccountsHarness.RoleA} {AccountsHarness.ExternalIdA}\n{AccountC} us-east-1 {roleC}\n{AccountsHarness.AccountB} {AccountsHarness.RegionB} {AccountsHarness.RoleB}\n");

        var run = await _accounts.RunAsync("status", Alias, "--accounts", file, "--output", "text");

        Assert.Equal(1, run.ExitCode);
        var lines = Lines(run.Stdout);
        Assert.Equal(3, lines.Length);
        Assert.StartsWith($"{AccountsHarness.AccountA}\t{AccountsHarness.RegionA}\t{Alias}\t1\t", lines[0], StringComparison.Ordinal);
        Assert.StartsWith($"{AccountC}\tus-east-1\t-\t-\t-\t-\tCannot connect to KMS at {_accounts.Router.Url}", lines[1], StringComparison.Ordinal);
        Assert.StartsWith($"{AccountsHarness.AccountB}\t{AccountsHarness.RegionB}\t{Alias}\t1\t", lines[2], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Status_WrongExternalId_IsRefusedByStsAndReportedForThatTargetOnly()
    {
        await _accounts.CreateAliasAsync(_accounts.A, Alias);
        await _accounts.CreateAliasAsync(_accounts.B, Alias);
        var file = _accounts.WriteAccountsFile($"{AccountsHarness.AccountA} {AccountsHarness.RegionA} {AccountsHarness.RoleA} wrong-id\n{AccountsHarness.AccountB} {AccountsHarness.RegionB} {AccountsHarness.RoleB}\n");

        var run = await _accounts.RunAsync("status", Alias, "--accounts", file, "--output", "json");

        Assert.Equal(1, run.ExitCode);
        var rows = run.Json().GetProperty("aliases").EnumerateArray().ToList();
        Assert.Equal(2, rows.Count);
        Assert.Equal(AccountsHarness.AccountA, rows[0].GetProperty("account").GetString());
        Assert.Equal(
            $"Cannot assume {AccountsHarness.RoleA} (AccessDenied: User: arn:aws:iam::999999999999:user/operator is not authorized to perform: sts:AssumeRole on resource: {AccountsHarness.RoleA}). Check the role ARN, the external id, and that the role trusts your identity.",
            rows[0].GetProperty("error").GetString());
        Assert.Equal(1, rows[1].GetProperty("generation").GetInt64());
        Assert.DoesNotContain("ASIAACCOUNTA00000001", _accounts.Router.SignedBy);
    }

    [Theory]
    [InlineData("11111111111 us-east-1 arn:aws:iam::11111111111:role/r", "line 2, account id: '11111111111' is not a 12-digit AWS account id")]
    [InlineData("111111111111 us-east-1,Mars arn:aws:iam::111111111111:role/r", "line 2, Region: 'Mars' is not a Region name such as us-east-1")]
    [InlineData("111111111111 us-east-1 arn:aws:iam::222222222222:role/r", "line 2, role ARN: 'arn:aws:iam::222222222222:role/r' is a role of account 222222222222, not of 111111111111")]
    [InlineData("111111111111 us-east-1 arn:aws:s3:::bucket", "line 2, role ARN: 'arn:aws:s3:::bucket' is not an IAM role ARN")]
    [InlineData("111111111111 us-east-1", "line 2, fields: expected 3 or 4 fields separated by tabs or spaces, found 2")]
    [InlineData("111111111111 us-east-1 arn:aws:iam::111111111111:role/r x", "line 2, external id: 'x' is not a valid external id")]
    public async Task Status_BadAccountsFileLine_NamesTheLineAndFieldAndCallsNothing(string line, string expected)
    {
        var file = _accounts.WriteAccountsFile($"{AccountsHarness.AccountB} {AccountsHarness.RegionB} {AccountsHarness.RoleB}\n{line}\n");

        var run = await _accounts.RunAsync("status", Alias, "--accounts", file);

        Assert.Equal(2, run.ExitCode);
        Assert.StartsWith($"keyrotation status: {file} {expected}", run.Stderr, StringComparison.Ordinal);
        Assert.Contains(AccountTargetsFormat, run.Stderr, StringComparison.Ordinal);
        Assert.Empty(run.Stdout);
        Assert.Empty(_accounts.Sts.Requests);
        Assert.Empty(_accounts.Router.SignedBy);
    }

    [Fact]
    public async Task Status_AccountsWithRegionFlag_ExitsTwoSayingTheFileNamesTheRegions()
    {
        var file = _accounts.WriteAccountsFile(AccountsHarness.BothAccounts);

        var run = await _accounts.RunAsync("status", Alias, "--accounts", file, "--region", AccountsHarness.RegionA);

        Assert.Equal(2, run.ExitCode);
        Assert.Equal("keyrotation status: --region does not apply with --accounts: each line of the file names its Regions.", Lines(run.Stderr).Single());
        Assert.Empty(_accounts.Sts.Requests);
    }

    [Fact]
    public async Task Status_AccountsFileMissing_ExitsTwoNamingTheFile()
    {
        var missing = Path.Combine(Path.GetTempPath(), $"no-such-accounts-{Guid.NewGuid():N}.txt");

        var run = await _accounts.RunAsync("status", Alias, "--accounts", missing);

        Assert.Equal(2, run.ExitCode);
        Assert.StartsWith($"keyrotation status: --accounts: cannot read '{missing}'", run.Stderr, StringComparison.Ordinal);
        Assert.Empty(_accounts.Sts.Requests);
    }

    [Theory]
    [InlineData("status")]
    [InlineData("plan")]
    public async Task ReadOnlyCommand_AcrossAccounts_CallsOnlyWhatTheReadOnlyStatusRoleAllows(string command)
    {
        await _accounts.CreateAliasAsync(_accounts.A, Alias);
        await _accounts.CreateAliasAsync(_accounts.B, Alias);
        var file = _accounts.WriteAccountsFile(AccountsHarness.BothAccounts);
        Assert.Equal(0, (await _accounts.RunAsync("rotate", Alias, "--accounts", file, "--yes", "--output", "json")).ExitCode);
        _accounts.A.ClearRecordedRequests();

        Assert.Equal(0, (await _accounts.RunAsync([command, Alias, "--accounts", file, .. command == "plan" ? ["--force"] : Array.Empty<string>()])).ExitCode);

        var called = _accounts.A.RecordedRequests.Select(r => "kms:" + r.Operation).Distinct(StringComparer.Ordinal).ToList();
        Assert.NotEmpty(called);
        Assert.All(called, action => Assert.Contains(Core.KmsPermissions.StatusRead, granted => Grants(granted, action)));
    }

    /// <summary>An IAM action pattern (a trailing * matches any suffix) granting <paramref name="action"/>.</summary>
    private static bool Grants(string pattern, string action) =>
        pattern.EndsWith('*') ? action.StartsWith(pattern[..^1], StringComparison.Ordinal) : pattern == action;

    private static string AccountTargetsFormat => KeyRotation.Cli.Targets.AccountTargets.Format;
}
