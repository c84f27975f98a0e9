using System.Text.Json;
using Amazon.KeyManagementService.Model;
using KeyRotation.Core.Configuration;
using KeyRotation.Function;
using KeyRotation.IntegrationTests.Cli;
using KeyRotation.LocalKms;
using Microsoft.Extensions.Time.Testing;

namespace KeyRotation.IntegrationTests.Rotation;

/// <summary>The function's report event through the real SDK client against LocalKms: the documented JSON, without last use.</summary>
public sealed class ReportEventTests
{
    [Fact]
    public async Task HandleAsync_ReportEvent_AnswersTheDocumentedJsonWithoutLastUse()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 1, 3, 0, 0, TimeSpan.Zero));
        var service = new LocalKmsService(new LocalKmsOptions(), time);
        using var kms = service.CreateClient();
        var key = await kms.CreateKeyAsync(new CreateKeyRequest { Description = "app data" });
        await kms.CreateAliasAsync(new CreateAliasRequest { AliasName = "alias/app-data", TargetKeyId = key.KeyMetadata.KeyId });
        time.Advance(TimeSpan.FromDays(400));
        var environment = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [SettingNames.RotationAliases] = "alias/app-data",
            [SettingNames.NotificationTopicArn] = "arn:aws:sns:eu-west-1:111122223333:key-rotation",
        };
        var handler = new Handler(environment, kms, null, time, TextWriter.Null);

        await using var input = File.OpenRead(Path.Combine(AppContext.BaseDirectory, "events", "report.json"));
        await using var output = await handler.HandleAsync(input);
        var report = (await JsonDocument.ParseAsync(output)).RootElement.Clone();

        Assert.Empty(ReportSchema.Violations(report));
        Assert.False(report.GetProperty("lastUseRead").GetBoolean());
        var alias = report.GetProperty("aliases")[0];
        Assert.Equal(("alias/app-data", "overdue", 400.0), (alias.GetProperty("alias").GetString(), alias.GetProperty("standing").GetString(), alias.GetProperty("ageDays").GetDouble()));
        Assert.Equal(1, report.GetProperty("summary").GetProperty("overdue").GetInt32());
    }
}
