using System.Text.Json;
using System.Text.Json.Nodes;
using Amazon.KeyManagementService.Model;
using KeyRotation.Core;

namespace KeyRotation.IntegrationTests.Cli;

/// <summary>
/// keyrotation report end to end against LocalKms: its JSON against docs/report.schema.json, its numbers against what
/// status shows for the same world, the other formats, the cryptoperiod's standing, last use, and its errors.
/// </summary>
public sealed class ReportCommandTests
{
    private const string Orders = "alias/orders";
    private const string Billing = "alias/billing";
    private readonly CliHarness _cli = new();

    [Fact]
    public async Task Report_Json_ValidatesAgainstTheDocumentedSchema()
    {
        await WorldAsync();

        var run = await _cli.RunAsync("report", Orders, Billing, "--output", "json");

        Assert.Equal(0, run.ExitCode);
        Assert.Empty(ReportSchema.Violations(run.Json()));
    }

    [Fact]
    public void ReportPage_JsonExample_ValidatesAgainstTheSchema()
    {
        var example = Assert.Single(MarkdownPage.JsonBlocks(MarkdownPage.Load("docs/report.md").Section("## JSON")));

        using var document = JsonDocument.Parse(example);

        Assert.Empty(ReportSchema.Violations(document.RootElement));
    }

    [Fact]
    public async Task Report_SameWorld_NumbersMatchWhatStatusShows()
    {
        await WorldAsync();

        var report = (await _cli.RunAsync("report", Orders, Billing, "--output", "json")).Json().GetProperty("aliases").EnumerateArray().ToList();
        var status = (await _cli.RunAsync("status", Orders, Billing, "--output", "json")).Json().GetProperty("aliases").EnumerateArray().ToList();

        Assert.Equal(status.Select(s => s.GetProperty("alias").GetString()), report.Select(r => r.GetProperty("alias").GetString()));
        foreach (var (fromReport, fromStatus) in report.Zip(status))
        {
            var current = fromStatus.GetProperty("current");
            Assert.Equal(current.GetProperty("keyId").GetString(), fromReport.GetProperty("currentKeyId").GetString());
            Assert.Equal(current.GetProperty("generation").GetInt64(), fromReport.GetProperty("generation").GetInt64());
            Assert.Equal(current.GetProperty("created").GetString(), fromReport.GetProperty("keyCreatedAt").GetString());

            // The same keys in the same order (current, earlier, rolled back), with the same states, and the same cost.
            var statusKeys = new[] { current }.Concat(fromStatus.GetProperty("earlier").EnumerateArray()).Concat(fromStatus.GetProperty("rolledBack").EnumerateArray())
                .Select(k => (k.GetProperty("keyId").GetString(), k.GetProperty("generation").GetInt64(), k.GetProperty("keyState").GetString(), k.GetProperty("state").GetString()));
            var reportKeys = fromReport.GetProperty("generations").EnumerateArray()
                .Select(k => (k.GetProperty("keyId").GetString(), k.GetProperty("generation").GetInt64(), k.GetProperty("keyState").GetString(), k.GetProperty("state").GetString()));
            Assert.Equal(statusKeys, reportKeys);
            Assert.True(JsonNode.DeepEquals(JsonNode.Parse(fromStatus.GetProperty("keyCost").GetRawText()), JsonNode.Parse(fromReport.GetProperty("keyCost").GetRawText())));
            Assert.Equal(
                fromReport.GetProperty("keyCost").GetProperty("estimatedMonthlyDollars").GetDecimal(),
                fromReport.GetProperty("generations").EnumerateArray().Sum(g => g.GetProperty("monthlyDollars").GetDecimal()));
        }
    }

    [Fact]
    public async Task Report_AKeyOlderThanItsTaggedCryptoperiod_IsOverdueAndCountedInTheSummary()
    {
        var orders = await _cli.CreateAliasAsync(Orders);
        await _cli.CreateAliasAsync(Billing);
        await _cli.Kms.TagResourceAsync(new TagResourceRequest { KeyId = orders, Tags = [new Tag { TagKey = RotationTags.MaxKeyAgeDays, TagValue = "60" }] });

        var run = await _cli.RunAsync("report", Orders, Billing, "--output", "json");

        var json = run.Json();
        var byAlias = json.GetProperty("aliases").EnumerateArray().ToDictionary(a => a.GetProperty("alias").GetString()!);
        Assert.Equal(("overdue", 60, "tag keyrotation:max-key-age-days"), (byAlias[Orders].GetProperty("standing").GetString(), byAlias[Orders].GetProperty("cryptoperiodDays").GetInt32(), byAlias[Orders].GetProperty("cryptoperiodSource").GetString()));
        Assert.Equal(("compliant", 365), (byAlias[Billing].GetProperty("standing").GetString(), byAlias[Billing].GetProperty("cryptoperiodDays").GetInt32()));
        Assert.Equal((1, 0, 1), (json.GetProperty("summary").GetProperty("compliant").GetInt32(), json.GetProperty("summary").GetProperty("dueSoon").GetInt32(), json.GetProperty("summary").GetProperty("overdue").GetInt32()));
    }

    [Fact]
    public async Task Report_AfterARotation_AgeAndLastRotationComeFromKmsDates()
    {
        await _cli.CreateAliasAsync(Orders);
        var before = await _cli.KeyOfAsync(Orders);
        _cli.Time.Advance(TimeSpan.FromDays(2));
        var rotated = await _cli.RotateAsync(Orders);
        _cli.Time.Advance(TimeSpan.FromDays(3));

        var alias = (await _cli.RunAsync("report", Orders, "--output", "json")).Json().GetProperty("aliases")[0];

        Assert.Equal(rotated, alias.GetProperty("currentKeyId").GetString());
        Assert.Equal(3.0, alias.GetProperty("ageDays").GetDouble());
        Assert.Equal(("2025-07-13T09:00:00Z", "alias LastUpdatedDate"), (alias.GetProperty("lastRotation").GetString(), alias.GetProperty("lastRotationSource").GetString()));
        Assert.Equal("2026-07-13T09:00:00Z", alias.GetProperty("dueBy").GetString());
        Assert.Equal("2025-08-01T03:00:00Z", alias.GetProperty("nextScheduledRun").GetString());
        Assert.Equal([rotated, before], alias.GetProperty("generations").EnumerateArray().Select(g => g.GetProperty("keyId").GetString()));
    }

    [Fact]
    public async Task Report_AKeyJustUsed_ShowsItsLastUseFromGetKeyLastUsage()
    {
        // LocalKms records use from 2026-04-27 on, as KMS does; the harness's clock starts earlier.
        _cli.Time.Advance(TimeSpan.FromDays(400));
        var orders = await _cli.CreateAliasAsync(Orders);
        await _cli.Kms.EncryptAsync(new EncryptRequest { KeyId = Orders, Plaintext = new MemoryStream("hello"u8.ToArray()) });

        var use = (await _cli.RunAsync("report", Orders, "--output", "json")).Json().GetProperty("aliases")[0].GetProperty("generations")[0].GetProperty("lastUse");

        Assert.Equal(("used", "Encrypt", RecordedTime.Format(_cli.Time.GetUtcNow())), (use.GetProperty("kind").GetString(), use.GetProperty("operation").GetString(), use.GetProperty("at").GetString()));
        Assert.NotNull(orders);
    }

    [Fact]
    public async Task Report_SkipLastUse_CallsNoGetKeyLastUsageAndSaysSo()
    {
        await _cli.CreateAliasAsync(Orders);

        var json = (await _cli.RunAsync("report", Orders, "--output", "json", "--skip-last-use")).Json();

        Assert.False(json.GetProperty("lastUseRead").GetBoolean());
        Assert.Equal(JsonValueKind.Null, json.GetProperty("aliases")[0].GetProperty("generations")[0].GetProperty("lastUse").ValueKind);
    }

    [Fact]
    public async Task Report_Csv_IsOneRowPerGenerationUnderAHeader()
    {
        await WorldAsync();

        var lines = (await _cli.RunAsync("report", Orders, Billing, "--output", "csv")).Stdout.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);

        Assert.StartsWith("account,region,alias,standing,current_key_id,age_days,", lines[0], StringComparison.Ordinal);
        Assert.Equal(3 + 1, lines.Length - 1);
        Assert.All(lines.Skip(1), l => Assert.Equal(lines[0].Count(c => c == ','), l.Count(c => c == ',')));
    }

    [Fact]
    public async Task Report_MarkdownAndTable_EndWithTheSummary()
    {
        await WorldAsync();

        var markdown = (await _cli.RunAsync("report", Orders, Billing, "--output", "markdown")).Stdout;
        var table = (await _cli.RunAsync("report", Orders, Billing)).Stdout;

        Assert.Contains("**2 alias(es): 2 compliant, 0 due soon, 0 overdue.**", markdown, StringComparison.Ordinal);
        Assert.Contains("| alias/orders | compliant |", markdown, StringComparison.Ordinal);
        Assert.EndsWith("2 alias(es): 2 compliant, 0 due soon, 0 overdue." + Environment.NewLine, table, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Report_UnknownAlias_ExitsTwoWithOneLineNamingIt()
    {
        await _cli.CreateAliasAsync(Orders);

        var run = await _cli.RunAsync("report", Orders, "alias/ordres", "--output", "json");

        Assert.Equal(2, run.ExitCode);
        Assert.Equal(string.Empty, run.Stdout);
        var line = Assert.Single(run.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("keyrotation report: alias/ordres does not exist in this account and Region", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Report_MalformedCryptoperiodTag_IsAnErrorNamingTheAliasAndTheTag()
    {
        var orders = await _cli.CreateAliasAsync(Orders);
        await _cli.Kms.TagResourceAsync(new TagResourceRequest { KeyId = orders, Tags = [new Tag { TagKey = RotationTags.MaxKeyAgeDays, TagValue = "a year" }] });

        var run = await _cli.RunAsync("report", Orders, "--output", "json");

        Assert.Equal(1, run.ExitCode);
        Assert.Equal(JsonValueKind.Null, run.Json().GetProperty("aliases")[0].GetProperty("standing").ValueKind);
        Assert.StartsWith($"keyrotation report: alias/orders: key {orders} is tagged keyrotation:max-key-age-days=a year", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Report_MaxKeyAgeShorterThanTheSchedulesPeriod_ExitsTwoNamingBothValues()
    {
        await _cli.CreateAliasAsync(Orders);
        _cli.Environment["MAX_KEY_AGE_DAYS"] = "80";
        _cli.Environment["ROTATION_SCHEDULE"] = "cron(0 3 1 1,4,7,10 ? *)";

        var run = await _cli.RunAsync("report", Orders);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("keyrotation report: The configuration is invalid: MAX_KEY_AGE_DAYS: a cryptoperiod of 80 day(s) is shorter than the schedule's period of 92 day(s)", run.Stderr, StringComparison.Ordinal);
    }

    /// <summary>orders rotated twice (its oldest key disabled by hand), billing never rotated.</summary>
    private async Task WorldAsync()
    {
        var first = await _cli.CreateAliasAsync(Orders);
        await _cli.CreateAliasAsync(Billing);
        await _cli.RotateAsync(Orders);
        await _cli.RotateAsync(Orders);
        await _cli.Kms.DisableKeyAsync(new DisableKeyRequest { KeyId = first });
    }
}
