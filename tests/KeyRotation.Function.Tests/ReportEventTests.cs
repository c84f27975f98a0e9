using System.Text;
using System.Text.Json;
using KeyRotation.Core;
using KeyRotation.Core.Configuration;
using Microsoft.Extensions.Time.Testing;

namespace KeyRotation.Function.Tests;

/// <summary>The report event: its shape, what is refused, and that it changes nothing and reads no last use.</summary>
public sealed class ReportEventTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 1, 3, 0, 5, TimeSpan.Zero));
    private readonly KmsMock _kms;
    private readonly Dictionary<string, string> _environment = new(StringComparer.Ordinal)
    {
        [SettingNames.RotationAliases] = "alias/orders,alias/billing",
        [SettingNames.NotificationTopicArn] = "arn:aws:sns:eu-west-1:111122223333:key-rotation",
    };

    public ReportEventTests() => _kms = new KmsMock(_time);

    [Theory]
    [InlineData("""{"report":{}}""", null)]
    [InlineData("""{"report":{"aliases":["alias/orders","alias/orders"]}}""", "alias/orders")]
    public void Parse_ReportEvent_IsAReportForTheNamedOrEveryAlias(string json, string? alias)
    {
        using var document = JsonDocument.Parse(json);

        var parsed = InvocationEvent.Parse(document.RootElement);

        Assert.Equal(InvocationKind.Report, parsed.Kind);
        Assert.Equal(alias is null ? null : [alias], parsed.ReportAliases);
    }

    [Theory]
    [InlineData("""{"report":true}""", "\"report\" must be an object")]
    [InlineData("""{"report":{},"force":true}""", "A report event has no field \"force\"")]
    [InlineData("""{"report":{"dryRun":true}}""", "\"report\" has no field \"dryRun\"")]
    [InlineData("""{"report":{"aliases":[]}}""", "must be a non-empty array")]
    [InlineData("""{"report":{"aliases":["alias/aws/s3"]}}""", "\"report\".\"aliases\":")]
    public void Parse_BadReportEvent_IsRefusedSayingWhatIsWrong(string json, string message)
    {
        using var document = JsonDocument.Parse(json);

        var error = Assert.Throws<InvalidEventException>(() => InvocationEvent.Parse(document.RootElement));

        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HandleAsync_ReportEvent_ChangesNothingAndCallsNoGetKeyLastUsage()
    {
        _kms.AddKey("alias/orders", age: TimeSpan.FromDays(400));
        _kms.AddKey("alias/billing", age: TimeSpan.FromDays(10));

        var report = await InvokeAsync("""{"report":{}}""");

        Assert.Equal(["overdue", "compliant"], report.GetProperty("aliases").EnumerateArray().Select(a => a.GetProperty("standing").GetString()));
        Assert.DoesNotContain(_kms.Operations, op => KmsMock.WriteOperations.Contains(op) || op == "GetKeyLastUsage");
        Assert.All(_kms.Operations, op => Assert.Contains("kms:" + op, KmsPermissions.GrantedByIamPolicy));
    }

    [Fact]
    public async Task HandleAsync_ReportOnAnUnconfiguredAlias_IsRefusedBeforeAnyCall()
    {
        var error = await Assert.ThrowsAsync<InvalidEventException>(() => InvokeAsync("""{"report":{"aliases":["alias/other"]}}"""));

        Assert.Contains("Not configured for rotation: alias/other", error.Message, StringComparison.Ordinal);
        Assert.Empty(_kms.Calls);
    }

    private async Task<JsonElement> InvokeAsync(string json)
    {
        var handler = new Handler(_environment, _kms.Object, null, _time, TextWriter.Null);
        await using var output = await handler.HandleAsync(new MemoryStream(Encoding.UTF8.GetBytes(json)));
        return (await JsonDocument.ParseAsync(output)).RootElement.Clone();
    }
}
