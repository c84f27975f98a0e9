using System.Text.Json;
using Amazon.KeyManagementService.Model;
using KeyRotation.LocalConsumers;
using KeyRotation.LocalConsumers.S3;
using KeyRotation.LocalKms;

namespace KeyRotation.IntegrationTests.Cli.Accounts;

/// <summary>
/// <c>consumers</c> and <c>migrate</c> with <c>--accounts FILE</c> across the two simulated accounts: each account has
/// a DynamoDB endpoint of its own, reached through a router that sends each request to the account whose credentials
/// signed it (as AWS does); SSM, EC2 and S3 are one empty endpoint each, answering both. Every target is scanned with
/// its own role and its own alias's generations, and a target whose role cannot be assumed is reported as that
/// target's error while the other completes.
/// </summary>
public sealed class AccountsConsumersTests : IAsyncLifetime, IDisposable
{
    private const string Alias = "alias/app-data";
    private readonly AccountsHarness _accounts = new();
    private readonly LocalDynamoDb _dynamoDbA = new(AccountsHarness.RegionA, AccountsHarness.AccountA);
    private readonly LocalDynamoDb _dynamoDbB = new(AccountsHarness.RegionB, AccountsHarness.AccountB);
    private readonly AccountRouter _dynamoDb = new();
    private readonly LocalSsm _ssm = new();
    private readonly LocalEc2 _ec2 = new();
    private readonly LocalS3Server _s3 = new();

    public AccountsConsumersTests()
    {
        _dynamoDb.Route("ASIAACCOUNTA00000001", _dynamoDbA.Url);
        _dynamoDb.Route("ASIAACCOUNTB00000001", _dynamoDbB.Url);
        _accounts.Environment["AWS_ENDPOINT_URL_DYNAMODB"] = _dynamoDb.Url.ToString();
        _accounts.Environment["AWS_ENDPOINT_URL_SSM"] = _ssm.Url.ToString();
        _accounts.Environment["AWS_ENDPOINT_URL_EC2"] = _ec2.Url.ToString();
        _accounts.Environment["AWS_ENDPOINT_URL_S3"] = _s3.Url.ToString();
    }

    /// <summary>Account A's line lacks the external id its role requires: STS refuses it, and B still runs.</summary>
    private static string WithoutExternalIdA =>
        $"""
        {AccountsHarness.AccountA}  {AccountsHarness.RegionA}  {AccountsHarness.RoleA}
        {AccountsHarness.AccountB}  {AccountsHarness.RegionB}  {AccountsHarness.RoleB}
        """;

    /// <summary>The key ARNs of the alias's two generations in each account: [0] the first, [1] the current one.</summary>
    private IReadOnlyList<string> GenerationsA { get; set; } = [];

    private IReadOnlyList<string> GenerationsB { get; set; } = [];

    public async Task InitializeAsync()
    {
        await _accounts.InitializeAsync();
        var firstA = await ArnOfAsync(_accounts.A, await _accounts.CreateAliasAsync(_accounts.A, Alias));
        var firstB = await ArnOfAsync(_accounts.B, await _accounts.CreateAliasAsync(_accounts.B, Alias));
        Assert.Equal(0, (await _accounts.RunAsync("rotate", Alias, "--accounts", _accounts.WriteAccountsFile(AccountsHarness.BothAccounts), "--yes", "--output", "json")).ExitCode);
        GenerationsA = [firstA, await ArnOfAsync(_accounts.A, Alias)];
        GenerationsB = [firstB, await ArnOfAsync(_accounts.B, Alias)];
        _accounts.Router.SignedBy.Clear();

        // Each account's tables: one on its first generation, one on its current key; B also holds a table under A's key,
        // which is not a generation of B's alias.
        _dynamoDbA.AddTable("orders", GenerationsA[0]);
        _dynamoDbA.AddTable("invoices", GenerationsA[1]);
        _dynamoDbB.AddTable("orders", GenerationsB[0]);
        _dynamoDbB.AddTable("invoices", GenerationsB[1]);
        _dynamoDbB.AddTable("foreign", GenerationsA[0]);
    }

    public Task DisposeAsync() => _accounts.DisposeAsync();

    /// <summary>xunit disposes the test class after <see cref="DisposeAsync"/>: the consumer endpoints stop then.</summary>
    public void Dispose()
    {
        foreach (var endpoint in new IAsyncDisposable[] { _dynamoDb, _dynamoDbA, _dynamoDbB, _ssm, _ec2, _s3 })
        {
            endpoint.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }

    private static async Task<string> ArnOfAsync(LocalKmsService account, string keyIdOrAlias)
    {
        using var kms = account.CreateClient();
        return (await kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = keyIdOrAlias })).KeyMetadata.Arn;
    }

    private static List<string> Resources(JsonElement generation) =>
        [.. generation.GetProperty("resources").EnumerateArray().Select(r => r.GetProperty("id").GetString()!)];

    private static string[] Lines(string text) => text.ReplaceLineEndings("\n").Split('\n', StringSplitOptions.RemoveEmptyEntries);

    [Fact]
    public async Task Consumers_AcrossAccounts_GroupsEachTargetsResourcesUnderItsOwnAliasGenerations()
    {
        var run = await _accounts.RunAsync("consumers", Alias, "--accounts", _accounts.WriteAccountsFile(AccountsHarness.BothAccounts), "--output", "json");

        Assert.Equal(0, run.ExitCode);
        var targets = run.Json().GetProperty("targets").EnumerateArray().ToList();
        Assert.Equal(
            [(AccountsHarness.AccountA, AccountsHarness.RegionA), (AccountsHarness.AccountB, AccountsHarness.RegionB)],
            targets.Select(t => (t.GetProperty("account").GetString()!, t.GetProperty("region").GetString()!)));
        Assert.All(targets, t => Assert.Equal(JsonValueKind.Null, t.GetProperty("error").ValueKind));
        foreach (var (target, generations, tables) in new[] { (targets[0], GenerationsA, _dynamoDbA), (targets[1], GenerationsB, _dynamoDbB) })
        {
            var byGeneration = target.GetProperty("generations").EnumerateArray().ToList();
            Assert.Equal([generations[1], generations[0]], byGeneration.Select(g => g.GetProperty("keyArn").GetString()));
            Assert.Equal([tables.ArnOf("invoices")], Resources(byGeneration[0]));
            Assert.Equal([tables.ArnOf("orders")], Resources(byGeneration[1]));
        }

        // Each account's DynamoDB was asked once for its tables, with that account's role only.
        Assert.Single(_dynamoDbA.Of("ListTables"));
        Assert.Single(_dynamoDbB.Of("ListTables"));
        Assert.Equal(["ASIAACCOUNTA00000001", "ASIAACCOUNTB00000001"], _dynamoDb.SignedBy.Distinct());
    }

    [Fact]
    public async Task Consumers_AcrossAccountsText_EveryRowNamesItsAccountAndRegion()
    {
        var run = await _accounts.RunAsync("consumers", Alias, "--accounts", _accounts.WriteAccountsFile(AccountsHarness.BothAccounts), "--output", "text");

        Assert.Equal(0, run.ExitCode);
        var rows = Lines(run.Stdout);
        Assert.Equal(4, rows.Length);
        Assert.All(rows[..2], r => Assert.StartsWith($"{AccountsHarness.AccountA}\t{AccountsHarness.RegionA}\t{Alias}\t", r, StringComparison.Ordinal));
        Assert.All(rows[2..], r => Assert.StartsWith($"{AccountsHarness.AccountB}\t{AccountsHarness.RegionB}\t{Alias}\t", r, StringComparison.Ordinal));
        Assert.Contains(rows, r => r.StartsWith($"{AccountsHarness.AccountB}\t{AccountsHarness.RegionB}\t{Alias}\t1\tearlier\t", StringComparison.Ordinal) && r.Contains(_dynamoDbB.ArnOf("orders"), StringComparison.Ordinal));
    }

    [Fact]
    public async Task Consumers_OneTargetsRoleRefused_IsThatTargetsErrorTheOtherIsScannedAndExitIsOne()
    {
        var run = await _accounts.RunAsync("consumers", Alias, "--accounts", _accounts.WriteAccountsFile(WithoutExternalIdA), "--output", "json");

        Assert.Equal(1, run.ExitCode);
        var targets = run.Json().GetProperty("targets").EnumerateArray().ToList();
        Assert.Equal(2, targets.Count);
        Assert.Contains($"Cannot assume {AccountsHarness.RoleA}", targets[0].GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.False(targets[0].TryGetProperty("generations", out _));
        Assert.Equal(JsonValueKind.Null, targets[1].GetProperty("error").ValueKind);
        Assert.Equal([_dynamoDbB.ArnOf("orders")], Resources(targets[1].GetProperty("generations")[1]));
        Assert.Empty(_dynamoDbA.Requests);
        Assert.Equal($"keyrotation consumers: {Alias}: 1 target(s) failed (listed with the reason); the inventory is incomplete.", Lines(run.Stderr)[^1]);
    }

    [Fact]
    public async Task Migrate_AcrossAccounts_MovesEachTargetsTablesToThatTargetsCurrentKey()
    {
        var run = await _accounts.RunAsync("migrate", Alias, "--accounts", _accounts.WriteAccountsFile(AccountsHarness.BothAccounts), "--yes", "--output", "json");

        Assert.Equal(0, run.ExitCode);
        Assert.Equal((GenerationsA[1], GenerationsB[1]), (_dynamoDbA.KeyOf("orders"), _dynamoDbB.KeyOf("orders")));
        Assert.Equal(GenerationsA[0], _dynamoDbB.KeyOf("foreign"));
        Assert.Equal(["orders"], _dynamoDbA.Of("UpdateTable").Select(r => (string?)r.Json["TableName"]));
        Assert.Equal(["orders"], _dynamoDbB.Of("UpdateTable").Select(r => (string?)r.Json["TableName"]));
        var targets = run.Json().GetProperty("targets").EnumerateArray().ToList();
        Assert.Equal([GenerationsA[1], GenerationsB[1]], targets.Select(t => t.GetProperty("targetKeyArn").GetString()));
        Assert.All(targets, t => Assert.Equal((1, 1), (t.GetProperty("summary").GetProperty("moved").GetInt32(), t.GetProperty("summary").GetProperty("skipped").GetInt32())));
    }

    [Fact]
    public async Task Migrate_OneTargetsRoleRefused_MovesTheOtherReportsItPerTargetAndExitsOne()
    {
        var run = await _accounts.RunAsync("migrate", Alias, "--accounts", _accounts.WriteAccountsFile(WithoutExternalIdA), "--yes", "--output", "text");

        Assert.Equal(1, run.ExitCode);
        Assert.Equal(GenerationsA[0], _dynamoDbA.KeyOf("orders"));
        Assert.Equal(GenerationsB[1], _dynamoDbB.KeyOf("orders"));
        var rows = Lines(run.Stdout);
        Assert.StartsWith($"{AccountsHarness.AccountA}\t{AccountsHarness.RegionA}\t-\t-\t-\t-\tFailed\tCannot assume {AccountsHarness.RoleA}", rows[0], StringComparison.Ordinal);
        Assert.Contains(rows, r => r.StartsWith($"{AccountsHarness.AccountB}\t{AccountsHarness.RegionB}\tdynamodb\ttable\t{_dynamoDbB.ArnOf("orders")}\tgeneration 1 (key ARN)\tMoved\t", StringComparison.Ordinal));
        Assert.Equal($"keyrotation migrate: {Alias}: 1 target(s) failed (listed with the reason); run again to retry.", Lines(run.Stderr)[^1]);
    }
}
