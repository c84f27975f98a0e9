using System.Text.Json;
using System.Text.Json.Nodes;

namespace KeyRotation.IntegrationTests.Consumers;

/// <summary>SSM SecureString parameters through <c>consumers</c> and <c>migrate</c>, against the local SSM endpoint.</summary>
public sealed class SsmConsumerTests
{
    private const string Expiration = """{"Type":"Expiration","Version":"1.0","Attributes":{"Timestamp":"2027-12-02T21:34:33.000Z"}}""";

    [Fact]
    public async Task Consumers_ParametersByKeyArnKeyIdAndAlias_AreMatchedWithHowTheyNameTheKey()
    {
        await using var harness = await ConsumerHarness.StartAsync();
        harness.Ssm.AddSecureString("/app/db", "s3cret", harness.Generations[0]);
        harness.Ssm.AddSecureString("/app/token", "t0ken", harness.Generations[1].Split('/')[^1]);
        harness.Ssm.AddSecureString("/app/api", "k3y", ConsumerHarness.Alias);
        harness.Ssm.AddSecureString("/app/default", "d3fault", "alias/aws/ssm");

        var run = await harness.RunAsync("consumers", ConsumerHarness.Alias, "--output", "json");

        Assert.Equal(0, run.ExitCode);
        var generations = run.Json().GetProperty("generations");
        Assert.Equal([("/app/api", "alias")], Uses(generations[0]));
        Assert.Equal([("/app/token", "key id")], Uses(generations[1]));
        Assert.Equal([("/app/db", "key ARN")], Uses(generations[2]));
        Assert.Equal(4, run.Json().GetProperty("seen").GetInt32());
    }

    [Fact]
    public async Task Consumers_DescribeParameters_PagesWithNextTokenAndAsksForSecureStringsOnly()
    {
        await using var harness = await ConsumerHarness.StartAsync();
        harness.Ssm.PageSize = 2;
        foreach (var name in new[] { "/a", "/b", "/c", "/d", "/e" })
        {
            harness.Ssm.AddSecureString(name, "v", harness.Generations[0]);
        }

        var run = await harness.RunAsync("consumers", ConsumerHarness.Alias, "--output", "json");

        Assert.Equal(0, run.ExitCode);
        var listings = harness.Ssm.Of("DescribeParameters");
        Assert.Equal([null, "2", "4"], listings.Select(r => (string?)r.Json["NextToken"]));
        Assert.All(listings, r => Assert.Equal("""[{"Key":"Type","Option":"Equals","Values":["SecureString"]}]""", r.Json["ParameterFilters"]!.ToJsonString()));
        Assert.All(listings, r => Assert.Equal(50, (int?)r.Json["MaxResults"]));
        Assert.Equal(5, Uses(run.Json().GetProperty("generations")[2]).Count);
    }

    [Fact]
    public async Task Migrate_AParameterOnAnEarlierGeneration_GetsANewVersionUnderTheCurrentKeyKeepingItsSettingsAndTags()
    {
        await using var harness = await ConsumerHarness.StartAsync();
        harness.Ssm.AddSecureString("/app/db", "s3cret-42", harness.Generations[0], tier: "Advanced", description: "orders database", allowedPattern: "^[a-z0-9-]+$", policies: [Expiration], tags: new Dictionary<string, string> { ["team"] = "orders" });

        var run = await harness.RunAsync("migrate", ConsumerHarness.Alias, "--yes", "--output", "json");

        Assert.Equal(0, run.ExitCode);
        var get = Assert.Single(harness.Ssm.Of("GetParameter")).Json;
        Assert.Equal("""{"Name":"/app/db","WithDecryption":true}""", get.ToJsonString());
        var put = Assert.Single(harness.Ssm.Of("PutParameter")).Json;
        var expected = new JsonObject
        {
            ["AllowedPattern"] = "^[a-z0-9-]+$",
            ["DataType"] = "text",
            ["Description"] = "orders database",
            ["KeyId"] = harness.Current,
            ["Name"] = "/app/db",
            ["Overwrite"] = true,
            ["Policies"] = $"[{Expiration}]",
            ["Tier"] = "Advanced",
            ["Type"] = "SecureString",
            ["Value"] = "s3cret-42",
        };
        Assert.Equal(expected.ToJsonString(), new JsonObject(put.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => KeyValuePair.Create(p.Key, p.Value?.DeepClone()))).ToJsonString());
        var versions = harness.Ssm.VersionsOf("/app/db");
        Assert.Equal(2, versions.Count);
        Assert.Equal((harness.Current, "s3cret-42", "Advanced", "orders database", "^[a-z0-9-]+$"), (versions[1].KeyId, versions[1].Value, versions[1].Tier, versions[1].Description, versions[1].AllowedPattern));
        Assert.Equal([Expiration], versions[1].Policies);
        Assert.Equal("orders", versions[1].Tags["team"]);
        var result = Assert.Single(run.Json().GetProperty("results").EnumerateArray());
        Assert.Equal("Moved", result.GetProperty("outcome").GetString());
        Assert.StartsWith($"version 2 under {harness.Current}, keeping tier Advanced, description, 1 policy(ies), allowed pattern", result.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Migrate_DryRun_ReadsNoValueAndWritesNoVersion()
    {
        await using var harness = await ConsumerHarness.StartAsync();
        harness.Ssm.AddSecureString("/app/db", "s3cret", harness.Generations[1]);

        var run = await harness.RunAsync("migrate", ConsumerHarness.Alias, "--dry-run", "--output", "json");

        Assert.Equal(0, run.ExitCode);
        Assert.DoesNotContain("GetParameter", harness.Ssm.Operations);
        Assert.DoesNotContain("PutParameter", harness.Ssm.Operations);
        Assert.Single(harness.Ssm.VersionsOf("/app/db"));
        Assert.Equal("WouldMove", run.Json().GetProperty("results")[0].GetProperty("outcome").GetString());
    }

    [Fact]
    public async Task Migrate_DecryptionDenied_FailsThatParameterWithTheReasonAndMovesTheOthers()
    {
        await using var harness = await ConsumerHarness.StartAsync();
        harness.Ssm.AddSecureString("/app/a", "one", harness.Generations[0]);
        harness.Ssm.AddSecureString("/app/b", "two", harness.Generations[0]);
        harness.Ssm.DeniedDecryption.Add("/app/a");

        var run = await harness.RunAsync("migrate", ConsumerHarness.Alias, "--yes", "--output", "json");

        Assert.Equal(1, run.ExitCode);
        var results = run.Json().GetProperty("results").EnumerateArray().ToDictionary(r => r.GetProperty("id").GetString()!);
        Assert.Equal("Failed", results["/app/a"].GetProperty("outcome").GetString());
        Assert.StartsWith("AccessDeniedException: User: ", results["/app/a"].GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.EndsWith("; left as it was", results["/app/a"].GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Single(harness.Ssm.VersionsOf("/app/a"));
        Assert.Equal("Moved", results["/app/b"].GetProperty("outcome").GetString());
        Assert.Equal(harness.Current, harness.Ssm.VersionsOf("/app/b")[^1].KeyId);
    }

    [Fact]
    public async Task Migrate_AParameterThatNamesTheAlias_IsSkippedAndNotRewritten()
    {
        await using var harness = await ConsumerHarness.StartAsync();
        harness.Ssm.AddSecureString("/app/api", "k3y", ConsumerHarness.Alias);

        var run = await harness.RunAsync("migrate", ConsumerHarness.Alias, "--yes", "--output", "json");

        Assert.Equal(0, run.ExitCode);
        Assert.DoesNotContain("PutParameter", harness.Ssm.Operations);
        var result = Assert.Single(run.Json().GetProperty("results").EnumerateArray());
        Assert.Equal(("AlreadyCurrent", "names the alias (alias)"), (result.GetProperty("outcome").GetString(), result.GetProperty("detail").GetString()));
    }

    private static List<(string?, string?)> Uses(JsonElement generation) =>
        [.. generation.GetProperty("resources").EnumerateArray().Select(r => (r.GetProperty("id").GetString(), r.GetProperty("via").GetString()))];
}
