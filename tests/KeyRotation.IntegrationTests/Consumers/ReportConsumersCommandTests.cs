using KeyRotation.IntegrationTests.Cli;

namespace KeyRotation.IntegrationTests.Consumers;

/// <summary>
/// <c>report --consumers</c>: each generation's consumer count in every format, the JSON against docs/report.schema.json,
/// against LocalKms and the consumer services' local endpoints through the real SDK clients.
/// </summary>
public sealed class ReportConsumersCommandTests
{
    private static async Task<ConsumerHarness> SeededAsync()
    {
        var harness = await ConsumerHarness.StartAsync();
        harness.DynamoDb.AddTable("orders", harness.Generations[0]);
        harness.Ssm.AddSecureString("/app/db-password", "s3cret", harness.Generations[0]);
        harness.Ssm.AddSecureString("/app/api-key", "s3cret", ConsumerHarness.Alias);
        return harness;
    }

    [Fact]
    public async Task Report_ConsumersJson_CountsEachGenerationAndValidatesAgainstTheSchema()
    {
        await using var harness = await SeededAsync();

        var run = await harness.RunAsync("report", ConsumerHarness.Alias, "--consumers", "--output", "json");

        Assert.Equal(0, run.ExitCode);
        Assert.Empty(ReportSchema.Violations(run.Json()));
        var counts = run.Json().GetProperty("aliases")[0].GetProperty("generations").EnumerateArray()
            .Select(g => (g.GetProperty("generation").GetInt64(), g.GetProperty("consumers").GetProperty("count").GetInt32()));
        Assert.Equal([(3L, 1), (2L, 0), (1L, 2)], counts);
    }

    [Fact]
    public async Task Report_WithoutConsumers_HasNoConsumersFieldAndSendsNoConsumerRequest()
    {
        await using var harness = await SeededAsync();

        var run = await harness.RunAsync("report", ConsumerHarness.Alias, "--output", "json");

        Assert.Equal(0, run.ExitCode);
        Assert.All(run.Json().GetProperty("aliases")[0].GetProperty("generations").EnumerateArray(), g => Assert.False(g.TryGetProperty("consumers", out _)));
        Assert.Equal(0, harness.ServiceRequests);
    }

    [Fact]
    public async Task Report_ConsumersCsv_EndsEachGenerationRowWithItsCount()
    {
        await using var harness = await SeededAsync();
        harness.DynamoDb.AddTable("audit", harness.Current);
        harness.DynamoDb.Denied.Add("audit");

        var run = await harness.RunAsync("report", ConsumerHarness.Alias, "--consumers", "--output", "csv");

        var lines = run.Stdout.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.EndsWith(",error,consumers,consumers_not_checked", lines[0], StringComparison.Ordinal);
        Assert.Equal(["1,1", "0,1", "2,1"], lines[1..].Select(l => string.Join(',', l.Split(',')[^2..])));
    }

    [Fact]
    public async Task Report_ConsumersTableAndMarkdown_HaveAConsumersColumnNamingTheResources()
    {
        await using var harness = await SeededAsync();

        var table = await harness.RunAsync("report", ConsumerHarness.Alias, "--consumers");
        var markdown = await harness.RunAsync("report", ConsumerHarness.Alias, "--consumers", "--output", "markdown");

        Assert.Contains("Consumers", table.Stdout, StringComparison.Ordinal);
        Assert.Contains("dynamodb table orders", table.Stdout.ReplaceLineEndings(" "), StringComparison.Ordinal);
        Assert.Contains("| Consumers |", markdown.Stdout, StringComparison.Ordinal);
        Assert.Contains("2: dynamodb table orders, ssm parameter /app/db-password |", markdown.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Report_ConsumersWithAccounts_ExitsTwoNamingTheOptionBeforeAnyCall()
    {
        await using var harness = await SeededAsync();
        var accounts = Path.GetTempFileName();
        try
        {
            await File.WriteAllTextAsync(accounts, "arn:aws:iam::111122223333:role/status us-east-1\n");

            var run = await harness.RunAsync("report", ConsumerHarness.Alias, "--consumers", "--accounts", accounts);

            Assert.Equal(2, run.ExitCode);
            Assert.Equal("keyrotation report: --consumers counts the consumers of one account and Region; run it per account (keyrotation consumers ALIAS --accounts FILE lists them across accounts).", run.Stderr.Trim());
            Assert.Equal(0, harness.ServiceRequests);
        }
        finally
        {
            File.Delete(accounts);
        }
    }
}
