using KeyRotation.Core.Configuration;
using KeyRotation.Function;
using KeyRotation.LocalConsumers;

namespace KeyRotation.IntegrationTests.Retention;

/// <summary>
/// The retention function's report event with RETIRE_CHECK_CONSUMERS: each generation's consumers counted from one
/// listing of the account, a resource it may not read listed as not checked, the rotation settings it needs read only
/// for it, and the event refused naming the setting when the check is off.
/// </summary>
public sealed partial class RetirementConsumersTests
{
    [Fact]
    public async Task Report_TwoAliases_ListEachSourceOnce()
    {
        await _h.WithGenerationsAsync(4, "alias/reports");
        _h.Environment[SettingNames.RotationAliases] = RetentionHarness.Alias + ",alias/reports";
        _ssm.AddSecureString("/reports/token", "s3cret", SecondOf("alias/reports"));

        var report = await _h.InvokeAsync("""{"report":{}}""");

        var counts = report.GetProperty("aliases").EnumerateArray().ToDictionary(
            a => a.GetProperty("alias").GetString()!,
            a => a.GetProperty("generations").EnumerateArray().Sum(g => g.GetProperty("consumers").GetProperty("count").GetInt32()));
        Assert.Equal(0, counts[RetentionHarness.Alias]);
        Assert.Equal(1, counts["alias/reports"]);
        Assert.Single(_ssm.Of("DescribeParameters"));
        Assert.Single(_dynamoDb.Of("ListTables"));
        Assert.Single(_ec2.Of("DescribeVolumes"));
    }

    [Fact]
    public async Task Report_WithTheCheckOn_CountsEachGenerationsConsumersAndValidatesAgainstTheSchema()
    {
        _dynamoDb.AddTable("orders", ArnOf(Second));
        _ssm.AddSecureString("/app/db-password", "s3cret", Second);
        _ssm.AddSecureString("/app/api-key", "s3cret", RetentionHarness.Alias);
        _ec2.AddSnapshot(new EbsSnapshot("snap-0a1b", "arn:aws:kms:us-east-1:111122223333:key/0b1c2d3e-aaaa-bbbb-cccc-000000000000"));

        var report = await _h.InvokeAsync("""{"report":{}}""");

        Assert.Empty(Cli.ReportSchema.Violations(report));
        var generations = report.GetProperty("aliases")[0].GetProperty("generations").EnumerateArray()
            .ToDictionary(g => g.GetProperty("keyId").GetString()!, g => g.GetProperty("consumers"));
        Assert.Equal(2, generations[Second].GetProperty("count").GetInt32());
        Assert.Equal([_dynamoDb.ArnOf("orders"), "/app/db-password"], generations[Second].GetProperty("resources").EnumerateArray().Select(r => r.GetProperty("id").GetString()));
        Assert.Equal(1, generations[_h.Generations[^1]].GetProperty("count").GetInt32());
        Assert.Equal("alias", generations[_h.Generations[^1]].GetProperty("resources")[0].GetProperty("via").GetString());
        Assert.Equal(0, generations[_h.Generations[0]].GetProperty("count").GetInt32());
        Assert.All(generations.Values, g => Assert.Empty(g.GetProperty("notChecked").EnumerateArray()));
        Assert.DoesNotContain(_h.World.Kms.RecordedRequests, r => r.Operation is "DisableKey" or "TagResource" or "ScheduleKeyDeletion" or "GetKeyLastUsage");
    }

    [Fact]
    public async Task Report_ATableItMayNotRead_IsListedNotCheckedOnEveryGeneration()
    {
        _dynamoDb.AddTable("orders", ArnOf(Second));
        _dynamoDb.Denied.Add("orders");

        var report = await _h.InvokeAsync("""{"report":{"aliases":["alias/orders"]}}""");

        Assert.Empty(Cli.ReportSchema.Violations(report));
        Assert.All(report.GetProperty("aliases")[0].GetProperty("generations").EnumerateArray(), g =>
        {
            var notChecked = Assert.Single(g.GetProperty("consumers").GetProperty("notChecked").EnumerateArray());
            Assert.Equal(("dynamodb", "orders"), (notChecked.GetProperty("service").GetString(), notChecked.GetProperty("id").GetString()));
            Assert.StartsWith("AccessDeniedException", notChecked.GetProperty("reason").GetString(), StringComparison.Ordinal);
        });
    }

    [Theory]
    [InlineData(SettingNames.MaxKeyAgeDays, "ninety")]
    [InlineData(SettingNames.RotationSchedule, "fortnightly")]
    public async Task Report_MalformedRotationSetting_FailsTheReportEventNamingTheVariable(string name, string value)
    {
        _h.Environment[name] = value;

        var error = await Assert.ThrowsAsync<ConfigurationException>(() => _h.InvokeAsync("""{"report":{}}"""));

        Assert.Contains($"{name}: ", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, ConsumerRequests);
        Assert.Contains(_h.World.Logs.Split('\n'), line => line.Contains("Refused the report event", StringComparison.Ordinal) && line.Contains(name, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Report_WithTheCheckOff_IsRefusedNamingTheSettingAndCallsNothing()
    {
        _h.Environment.Remove(SettingNames.RetireCheckConsumers);

        var error = await Assert.ThrowsAsync<InvalidEventException>(() => _h.InvokeAsync("""{"report":{}}"""));

        Assert.Contains(SettingNames.RetireCheckConsumers, error.Message, StringComparison.Ordinal);
        Assert.Empty(_h.World.Kms.RecordedRequests);
        Assert.Equal(0, ConsumerRequests);
    }
}
