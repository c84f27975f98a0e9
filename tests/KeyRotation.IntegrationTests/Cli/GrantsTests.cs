using KeyRotation.Cli;

namespace KeyRotation.IntegrationTests.Cli;

/// <summary>plan and rotate show the grants a rotation leaves behind on the old key.</summary>
public sealed class GrantsTests
{
    private const string Alias = "alias/orders";
    private readonly CliHarness _cli = new();

    [Fact]
    public async Task Plan_CurrentKeyHasGrants_JsonListsThem()
    {
        var key = await _cli.CreateAliasAsync(Alias);
        var grantId = _cli.Service.AddGrant(key, "arn:aws:iam::111122223333:role/orders-worker", ["Decrypt"], encryptionContextSubset: new Dictionary<string, string> { ["app"] = "orders" });

        var run = await _cli.RunAsync("plan", Alias, "--output", "json");

        var grant = Assert.Single(run.Json().GetProperty("results")[0].GetProperty("grants").EnumerateArray());
        Assert.Equal(grantId, grant.GetProperty("grantId").GetString());
        Assert.Equal("arn:aws:iam::111122223333:role/orders-worker", grant.GetProperty("granteePrincipal").GetString());
        Assert.Equal("encryption context includes {app=orders}", grant.GetProperty("constraints").GetString());
    }

    [Fact]
    public async Task Plan_CurrentKeyHasGrants_TableNamesThemAfterTheSummary()
    {
        var key = await _cli.CreateAliasAsync(Alias);
        var grantId = _cli.Service.AddGrant(key, "arn:aws:iam::111122223333:role/orders-worker", ["Decrypt"]);

        var run = await _cli.RunAsync("plan", Alias);

        Assert.Contains("Grants on the current keys. A rotation does not carry them over", run.Stdout, StringComparison.Ordinal);
        Assert.Contains(run.Stdout.Split('\n'), l => l.StartsWith(Alias, StringComparison.Ordinal) && l.Contains(grantId, StringComparison.Ordinal) && l.Contains("Decrypt", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Plan_NoGrants_SaysSo()
    {
        await _cli.CreateAliasAsync(Alias);

        var run = await _cli.RunAsync("plan", Alias);

        Assert.Contains("Grants: none on the current keys (a rotation never carries grants over).", run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rotate_OldKeyHasGrants_PrintedNotificationListsThem()
    {
        var key = await _cli.CreateAliasAsync(Alias);
        var grantId = _cli.Service.AddGrant(key, "arn:aws:iam::111122223333:role/orders-worker", ["Decrypt"]);

        var run = await _cli.RunAsync("rotate", Alias, "--yes", "--output", "json");

        var body = Assert.Single(run.Json().GetProperty("notifications").EnumerateArray()).GetProperty("body").GetString();
        Assert.Contains($"- {grantId}: arn:aws:iam::111122223333:role/orders-worker may Decrypt", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Plan_Sandbox_ShowsTheSeededConsumerGrant()
    {
        var run = await _cli.RunAsync(new CliHost { Time = _cli.Time }, "plan", "alias/demo/app-data", "--sandbox", "--output", "json");

        var grant = Assert.Single(run.Json().GetProperty("results")[0].GetProperty("grants").EnumerateArray());
        Assert.Equal("arn:aws:iam::111122223333:role/demo-payments-worker", grant.GetProperty("granteePrincipal").GetString());
    }
}
