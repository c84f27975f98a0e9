using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using KeyRotation.Cli;
using KeyRotation.LocalKms;
using Microsoft.Extensions.Time.Testing;

namespace KeyRotation.IntegrationTests.Cli.Accounts;

/// <summary>
/// Two simulated AWS accounts, each its own LocalKms server on 127.0.0.1, reached by the CLI in process through the
/// real SDK clients only: STS (<see cref="FakeSts"/>) hands out each account's credentials for its status role, and
/// the one KMS endpoint (<see cref="AccountRouter"/>) sends each call to the account whose credentials signed it.
/// Account A (us-east-1) requires an external id, account B (eu-west-1) does not. Everything stops on dispose.
/// </summary>
internal sealed class AccountsHarness : IAsyncLifetime
{
    public const string AccountA = "111111111111";
    public const string AccountB = "222222222222";
    public const string RegionA = "us-east-1";
    public const string RegionB = "eu-west-1";
    public const string ExternalIdA = "audit-7f3a";
    public const string OperatorKey = "AKIAOPERATOR00000001";
    public static readonly string RoleA = $"arn:aws:iam::{AccountA}:role/keyrotation-status-{RegionA}";
    public static readonly string RoleB = $"arn:aws:iam::{AccountB}:role/keyrotation-status-{RegionB}";

    private readonly List<string> _files = [];

    public AccountsHarness()
    {
        A = new LocalKmsService(new LocalKmsOptions { AccountId = AccountA, Region = RegionA }, Time);
        B = new LocalKmsService(new LocalKmsOptions { AccountId = AccountB, Region = RegionB }, Time);
        Environment["AWS_ACCESS_KEY_ID"] = OperatorKey;
        Environment["AWS_SECRET_ACCESS_KEY"] = "operator-secret";
        Environment["AWS_ENDPOINT_URL_STS"] = Sts.Url.ToString();
        Sts.AddRole(RoleA, "ASIAACCOUNTA00000001", ExternalIdA);
        Sts.AddRole(RoleB, "ASIAACCOUNTB00000001");
    }

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2025, 6, 1, 9, 0, 0, TimeSpan.Zero));

    public LocalKmsService A { get; }

    public LocalKmsService B { get; }

    public LocalKmsServer ServerA { get; private set; } = null!;

    public LocalKmsServer ServerB { get; private set; } = null!;

    public FakeSts Sts { get; } = new();

    public AccountRouter Router { get; } = new();

    public Dictionary<string, string> Environment { get; } = new(StringComparer.Ordinal);

    /// <summary>The accounts file for both accounts, as an operator would write it.</summary>
    public static string BothAccounts =>
        $"""
        # account      Regions     role                                                   external id
        {AccountA}  {RegionA}  {RoleA}  {ExternalIdA}
        {AccountB}  {RegionB}  {RoleB}
        """;

    public Task InitializeAsync()
    {
        ServerA = LocalKmsServer.Start(A);
        ServerB = LocalKmsServer.Start(B);
        Router.Route("ASIAACCOUNTA00000001", ServerA.Url);
        Router.Route("ASIAACCOUNTB00000001", ServerB.Url);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await Router.DisposeAsync();
        await Sts.DisposeAsync();
        await ServerA.DisposeAsync();
        await ServerB.DisposeAsync();
        foreach (var file in _files)
        {
            File.Delete(file);
        }
    }

    public static IAmazonKeyManagementService Client(LocalKmsService account) => account.CreateClient();

    /// <summary>A key 40 days old (older than the default minimum age) behind the alias, in that account's Region.</summary>
    public async Task<string> CreateAliasAsync(LocalKmsService account, string alias)
    {
        using var kms = account.CreateClient();
        var key = await kms.CreateKeyAsync(new CreateKeyRequest { Description = "orders" });
        await kms.CreateAliasAsync(new CreateAliasRequest { AliasName = alias, TargetKeyId = key.KeyMetadata.KeyId });
        Time.Advance(TimeSpan.FromDays(40));
        return key.KeyMetadata.KeyId;
    }

    public static async Task<string> KeyOfAsync(LocalKmsService account, string alias)
    {
        using var kms = account.CreateClient();
        return (await kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = alias })).KeyMetadata.KeyId;
    }

    /// <summary>Every key's tags and aliases in the account: equal before and after means nothing changed.</summary>
    public static string Fingerprint(LocalKmsService account) => string.Join(
        "\n",
        account.ListKeySnapshots().Select(k => $"{k.KeyId} {k.KeyState} {string.Join(",", k.Aliases.Order(StringComparer.Ordinal))} {string.Join(",", k.Tags.OrderBy(t => t.Key, StringComparer.Ordinal).Select(t => t.Key + "=" + t.Value))}"));

    public string WriteAccountsFile(string content)
    {
        var path = Path.Combine(Path.GetTempPath(), $"keyrotation-accounts-{Guid.NewGuid():N}.txt");
        File.WriteAllText(path, content);
        _files.Add(path);
        return path;
    }

    /// <summary>Runs the CLI against the router (the only KMS endpoint it knows) with the operator's own access key.</summary>
    public async Task<CliRun> RunAsync(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var exit = await CliApp.RunAsync([.. args, "--endpoint-url", Router.Url.ToString()], stdout, stderr, Environment, new CliHost { Time = Time }, CancellationToken.None);
        return new CliRun(exit, stdout.ToString(), stderr.ToString());
    }
}
