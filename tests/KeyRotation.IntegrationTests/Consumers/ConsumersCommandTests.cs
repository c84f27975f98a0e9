using System.Text.Json;

namespace KeyRotation.IntegrationTests.Consumers;

/// <summary><c>consumers ALIAS</c> against LocalKms and the local DynamoDB endpoint, through the real SDK clients.</summary>
public sealed class ConsumersCommandTests
{
    [Fact]
    public async Task Consumers_TablesOnEachGeneration_AreGroupedByGenerationWithTheReferenceTheyStore()
    {
        await using var harness = await ConsumerHarness.StartAsync();
        harness.DynamoDb.AddTable("orders", harness.Generations[0]);
        harness.DynamoDb.AddTable("invoices", harness.Current);
        harness.DynamoDb.AddTable("sessions", null);
        harness.DynamoDb.AddTable("other", "arn:aws:kms:us-east-1:111122223333:key/0b1c2d3e-aaaa-bbbb-cccc-000000000000");

        var run = await harness.RunAsync("consumers", ConsumerHarness.Alias, "--output", "json");

        Assert.Equal(0, run.ExitCode);
        Assert.Equal(string.Empty, run.Stderr);
        var generations = run.Json().GetProperty("generations").EnumerateArray().ToList();
        Assert.Equal([3L, 2L, 1L], generations.Select(g => g.GetProperty("generation").GetInt64()));
        Assert.Equal(["current", "earlier", "earlier"], generations.Select(g => g.GetProperty("role").GetString()));
        Assert.Equal([harness.DynamoDb.ArnOf("invoices")], Resources(generations[0]));
        Assert.Empty(Resources(generations[1]));
        Assert.Equal([harness.DynamoDb.ArnOf("orders")], Resources(generations[2]));
        Assert.Equal("key ARN", generations[2].GetProperty("resources")[0].GetProperty("via").GetString());
        Assert.Equal(harness.Generations[0], generations[2].GetProperty("resources")[0].GetProperty("reference").GetString());
        Assert.Equal(3, run.Json().GetProperty("seen").GetInt32());
    }

    [Fact]
    public async Task Consumers_ListTables_PagesThroughEveryPageAndDescribesEachTableOnce()
    {
        await using var harness = await ConsumerHarness.StartAsync();
        harness.DynamoDb.PageSize = 2;
        foreach (var name in new[] { "a", "b", "c", "d", "e" })
        {
            harness.DynamoDb.AddTable(name, harness.Generations[1]);
        }

        var run = await harness.RunAsync("consumers", ConsumerHarness.Alias, "--output", "json");

        Assert.Equal(0, run.ExitCode);
        var listings = harness.DynamoDb.Of("ListTables");
        Assert.Equal([null, "b", "d"], listings.Select(r => (string?)r.Json["ExclusiveStartTableName"]));
        Assert.All(listings, r => Assert.Equal(100, (int?)r.Json["Limit"]));
        Assert.Equal(["a", "b", "c", "d", "e"], harness.DynamoDb.Of("DescribeTable").Select(r => (string?)r.Json["TableName"]));
        Assert.Equal(5, Resources(run.Json().GetProperty("generations")[1]).Count);
    }

    [Fact]
    public async Task Consumers_ADeniedTable_IsListedNotCheckedWithTheReasonAndTheScanGoesOn()
    {
        await using var harness = await ConsumerHarness.StartAsync();
        harness.DynamoDb.AddTable("audit", harness.Generations[0]);
        harness.DynamoDb.AddTable("orders", harness.Generations[0]);
        harness.DynamoDb.Denied.Add("audit");

        var run = await harness.RunAsync("consumers", ConsumerHarness.Alias, "--output", "json");

        Assert.Equal(1, run.ExitCode);
        var notChecked = Assert.Single(run.Json().GetProperty("notChecked").EnumerateArray());
        Assert.Equal("audit", notChecked.GetProperty("id").GetString());
        Assert.StartsWith("AccessDeniedException: User: ", notChecked.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Equal([harness.DynamoDb.ArnOf("orders")], Resources(run.Json().GetProperty("generations")[2]));
        Assert.Equal($"keyrotation consumers: {ConsumerHarness.Alias}: 1 resource(s) not checked (listed with the reason); the inventory is incomplete.", run.Stderr.Trim());
    }

    [Fact]
    public async Task Consumers_UnknownAlias_IsExit2NamingItWithTheClosestNameAndCallsNoService()
    {
        await using var harness = await ConsumerHarness.StartAsync();

        var run = await harness.RunAsync("consumers", "alias/app-dta");

        Assert.Equal(2, run.ExitCode);
        Assert.Equal(string.Empty, run.Stdout);
        Assert.Equal("keyrotation consumers: alias/app-dta does not exist in this account and Region (did you mean alias/app-data?)", run.Stderr.Trim());
        Assert.Equal(0, harness.ServiceRequests);
    }

    [Fact]
    public async Task Consumers_PrefixWithoutBucket_IsExit2BeforeAnythingIsCalled()
    {
        await using var harness = await ConsumerHarness.StartAsync();

        var run = await harness.RunAsync("consumers", ConsumerHarness.Alias, "--prefix", "logs/");

        Assert.Equal(2, run.ExitCode);
        Assert.Equal("keyrotation consumers: --prefix needs --bucket: it names objects of one bucket.", run.Stderr.Trim());
        Assert.Equal(0, harness.ServiceRequests);
    }

    [Fact]
    public async Task Consumers_OutputCsv_IsOneHeaderRowAndOneQuotedRowPerResource()
    {
        await using var harness = await ConsumerHarness.StartAsync();
        harness.DynamoDb.AddTable("orders", harness.Generations[0]);

        var run = await harness.RunAsync("consumers", ConsumerHarness.Alias, "--output", "csv");

        Assert.Equal(0, run.ExitCode);
        var lines = run.Stdout.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("account,region,alias,generation,role,keyId,service,kind,resource,versionId,reference,via,reason", lines[0]);
        Assert.Contains($",,{ConsumerHarness.Alias},1,earlier,{harness.Generations[0].Split('/')[^1]},dynamodb,table,{harness.DynamoDb.ArnOf("orders")},,{harness.Generations[0]},key ARN,", lines);
        Assert.Contains($",,{ConsumerHarness.Alias},2,earlier,{harness.Generations[1].Split('/')[^1]},-,-,-,,-,,none found", lines);
    }

    private static List<string?> Resources(JsonElement generation) => [.. generation.GetProperty("resources").EnumerateArray().Select(r => r.GetProperty("id").GetString())];
}
