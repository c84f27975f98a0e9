namespace KeyRotation.IntegrationTests.Cli.Accounts;

/// <summary><c>--role-arn</c> (one other account) and the checks on the target options, before anything is called.</summary>
public sealed class RoleArnTests : IAsyncLifetime
{
    private const string Alias = "alias/orders";
    private readonly AccountsHarness _accounts = new();

    public Task InitializeAsync() => _accounts.InitializeAsync();

    public Task DisposeAsync() => _accounts.DisposeAsync();

    private static string[] Lines(string text) => text.ReplaceLineEndings("\n").Split('\n', StringSplitOptions.RemoveEmptyEntries);

    [Fact]
    public async Task Status_WithRoleArn_ReadsTheOtherAccountWithTheAssumedRolesCredentials()
    {
        var key = await _accounts.CreateAliasAsync(_accounts.B, Alias);

        var run = await _accounts.RunAsync("status", Alias, "--role-arn", AccountsHarness.RoleB, "--region", AccountsHarness.RegionB, "--output", "json");

        Assert.Equal(0, run.ExitCode);
        Assert.Equal(key, run.Json().GetProperty("aliases")[0].GetProperty("current").GetProperty("keyId").GetString());
        var request = Assert.Single(_accounts.Sts.Requests);
        Assert.Equal(AccountsHarness.RoleB, request.Form["RoleArn"]);
        Assert.Equal(AccountsHarness.OperatorKey, request.SignedBy);
        Assert.StartsWith("keyrotation-cli-", request.Form["RoleSessionName"], StringComparison.Ordinal);
        Assert.All(_accounts.Router.SignedBy, k => Assert.Equal("ASIAACCOUNTB00000001", k));
    }

    [Fact]
    public async Task Rotate_WithRoleArnAndExternalId_RotatesInThatAccount()
    {
        var old = await _accounts.CreateAliasAsync(_accounts.A, Alias);

        var run = await _accounts.RunAsync("rotate", Alias, "--yes", "--role-arn", AccountsHarness.RoleA, "--external-id", AccountsHarness.ExternalIdA, "--region", AccountsHarness.RegionA, "--output", "json");

        Assert.Equal(0, run.ExitCode);
        Assert.NotEqual(old, await AccountsHarness.KeyOfAsync(_accounts.A, Alias));
        Assert.Equal(AccountsHarness.ExternalIdA, Assert.Single(_accounts.Sts.Requests).Form["ExternalId"]);
    }

    [Fact]
    public async Task Status_WithRoleArnAndWrongExternalId_ExitsTwoWithStsRefusal()
    {
        await _accounts.CreateAliasAsync(_accounts.A, Alias);

        var run = await _accounts.RunAsync("status", Alias, "--role-arn", AccountsHarness.RoleA, "--external-id", "not-the-one", "--region", AccountsHarness.RegionA);

        Assert.Equal(2, run.ExitCode);
        Assert.Equal(
            $"keyrotation status: Cannot assume {AccountsHarness.RoleA} (AccessDenied: User: arn:aws:iam::999999999999:user/operator is not authorized to perform: sts:AssumeRole on resource: {AccountsHarness.RoleA}). Check the role ARN, the external id, and that the role trusts your identity.",
            Lines(run.Stderr).Single());
        Assert.Empty(_accounts.Router.SignedBy);
    }

    [Theory]
    [InlineData("not-an-arn", "--role-arn: 'not-an-arn' is not an IAM role ARN (arn:aws:iam::ACCOUNT_ID:role/NAME).")]
    [InlineData("arn:aws:s3:::my-bucket", "--role-arn: 'arn:aws:s3:::my-bucket' is not an IAM role ARN (arn:aws:iam::ACCOUNT_ID:role/NAME).")]
    [InlineData("arn:aws:iam::111111111111:user/alice", "--role-arn: 'arn:aws:iam::111111111111:user/alice' is not an IAM role ARN (arn:aws:iam::ACCOUNT_ID:role/NAME).")]
    [InlineData("arn:aws:iam::1234:role/audit", "--role-arn: 'arn:aws:iam::1234:role/audit' does not name a 12-digit account id.")]
    public async Task Status_MalformedRoleArn_IsAParseErrorAndCallsNothing(string roleArn, string expected)
    {
        var run = await _accounts.RunAsync("status", Alias, "--role-arn", roleArn, "--region", AccountsHarness.RegionA);

        Assert.Equal(2, run.ExitCode);
        Assert.Equal(["keyrotation status: " + expected, "Usage: keyrotation status [ALIAS...] [options]"], Lines(run.Stderr));
        Assert.Empty(_accounts.Sts.Requests);
        Assert.Empty(_accounts.Router.SignedBy);
    }

    [Theory]
    [InlineData("--role-arn arn:aws:iam::111111111111:role/r --external-id x", "--external-id: 'x' is not a valid external id (2 to 1224 letters, digits and +=,.@:/-_).")]
    [InlineData("--role-arn arn:aws:iam::111111111111:role/r --role-session-name a*b", "--role-session-name: 'a*b' is not a valid role session name (2 to 64 letters, digits and +=,.@-_).")]
    public async Task Status_MalformedExternalIdOrSessionName_IsAParseError(string options, string expected)
    {
        var run = await _accounts.RunAsync(["status", Alias, "--region", AccountsHarness.RegionA, .. options.Split(' ')]);

        Assert.Equal(2, run.ExitCode);
        Assert.Equal(["keyrotation status: " + expected, "Usage: keyrotation status [ALIAS...] [options]"], Lines(run.Stderr));
        Assert.Empty(_accounts.Sts.Requests);
    }

    [Theory]
    [InlineData("--external-id audit-7f3a", "--external-id needs --role-arn (the role whose trust policy asks for it).")]
    [InlineData("--role-arn arn:aws:iam::111111111111:role/r --accounts accounts.txt", "--accounts names a role (and external id) on each line: it cannot be combined with --role-arn or --external-id.")]
    [InlineData("--role-arn arn:aws:iam::111111111111:role/r --sandbox", "--sandbox runs against an in-process KMS: it cannot be combined with --endpoint-url, --profile, --role-arn or --accounts.")]
    public async Task Status_TargetOptionsThatDoNotFit_ExitTwoNamingTheOption(string options, string expected)
    {
        var run = await _accounts.RunAsync(["status", Alias, "--region", AccountsHarness.RegionA, .. options.Split(' ')]);

        Assert.Equal(2, run.ExitCode);
        Assert.Equal("keyrotation status: " + expected, Lines(run.Stderr).Single());
        Assert.Empty(_accounts.Sts.Requests);
        Assert.Empty(_accounts.Router.SignedBy);
    }
}
