using KeyRotation.Core.Configuration;
using System.Text;
using System.Text.Json;
using KeyRotation.Core;
using Microsoft.Extensions.Time.Testing;

namespace KeyRotation.Function.Tests;

public sealed class HandlerTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 3, 0, 5, TimeSpan.Zero);

    private readonly FakeTimeProvider _time = new(Now);
    private readonly KmsMock _kms;
    private readonly CollectingNotifier _notifier = new();
    private readonly StringWriter _output = new();
    private readonly Dictionary<string, string> _environment = new(StringComparer.Ordinal)
    {
        [SettingNames.RotationAliases] = "alias/orders, alias/billing",
        [SettingNames.NotificationTopicArn] = "arn:aws:sns:eu-west-1:111122223333:key-rotation",
    };

    public HandlerTests()
    {
        _kms = new KmsMock(_time);
    }

    [Fact]
    public async Task HandleAsync_ManualEvent_ReturnsTheResponseContract()
    {
        var old = _kms.AddKey("alias/orders");
        _kms.AddKey("alias/billing", age: TimeSpan.FromHours(1));

        using var response = JsonDocument.Parse(await InvokeAsync("{}"));

        var root = response.RootElement;
        Assert.StartsWith("rot-20261201T030005Z-", root.GetProperty("rotationId").GetString(), StringComparison.Ordinal);
        Assert.False(root.GetProperty("dryRun").GetBoolean());
        var results = root.GetProperty("results").EnumerateArray().ToList();
        Assert.Equal(["alias/orders", "alias/billing"], results.Select(r => r.GetProperty("alias").GetString()));
        Assert.Equal(["Rotated", "Skipped"], results.Select(r => r.GetProperty("outcome").GetString()));
        Assert.Equal(old.KeyId, results[0].GetProperty("previousKeyId").GetString());
        Assert.Equal(_kms.KeyOf("alias/orders").KeyId, results[0].GetProperty("newKeyId").GetString());
        Assert.Equal(JsonValueKind.Null, results[1].GetProperty("newKeyId").ValueKind);
        Assert.False(string.IsNullOrEmpty(results[1].GetProperty("reason").GetString()));
    }

    [Fact]
    public async Task HandleAsync_ManualDryRunForOneAlias_PlansOnlyThatAlias()
    {
        _kms.AddKey("alias/orders");
        _kms.AddKey("alias/billing");

        using var response = JsonDocument.Parse(await InvokeAsync("""{"aliases":["alias/billing"],"dryRun":true}"""));

        Assert.True(response.RootElement.GetProperty("dryRun").GetBoolean());
        var result = Assert.Single(response.RootElement.GetProperty("results").EnumerateArray());
        Assert.Equal(("alias/billing", "Planned"), (result.GetProperty("alias").GetString(), result.GetProperty("outcome").GetString()));
        Assert.DoesNotContain(_kms.Operations, op => KmsMock.WriteOperations.Contains(op));
    }

    [Fact]
    public async Task HandleAsync_DryRunConfigured_PlansEverything()
    {
        _environment[SettingNames.DryRun] = "true";
        _kms.AddKey("alias/orders");
        _kms.AddKey("alias/billing");

        using var response = JsonDocument.Parse(await InvokeAsync("{}"));

        Assert.All(response.RootElement.GetProperty("results").EnumerateArray(), r => Assert.Equal("Planned", r.GetProperty("outcome").GetString()));
    }

    [Fact]
    public async Task HandleAsync_SchedulerDeliveredTwice_SecondRunSkipsEveryAlias()
    {
        _environment[SettingNames.MinKeyAgeHours] = "0";
        _kms.AddKey("alias/orders");
        _kms.AddKey("alias/billing");
        var payload = """{"trigger":"schedule","scheduledTime":"2026-12-01T03:00:00Z"}""";
        await InvokeAsync(payload);

        using var second = JsonDocument.Parse(await InvokeAsync(payload));

        Assert.All(second.RootElement.GetProperty("results").EnumerateArray(), r => Assert.Equal("Skipped", r.GetProperty("outcome").GetString()));
        Assert.Equal(2, _kms.Requests<Amazon.KeyManagementService.Model.CreateKeyRequest>().Count());
    }

    [Fact]
    public async Task HandleAsync_MalformedEvent_ThrowsAndCallsNothing()
    {
        var error = await Assert.ThrowsAsync<InvalidEventException>(() => InvokeAsync("""{"aliases":"alias/orders"}"""));

        Assert.Contains("\"aliases\" must be an array", error.Message, StringComparison.Ordinal);
        Assert.Empty(_kms.Calls);
        Assert.Empty(_notifier.Notices);
    }

    [Fact]
    public async Task HandleAsync_AliasNotConfigured_ThrowsAndCallsNothing()
    {
        var error = await Assert.ThrowsAsync<InvalidEventException>(() => InvokeAsync("""{"aliases":["alias/other"]}"""));

        Assert.Contains("Not configured for rotation: alias/other", error.Message, StringComparison.Ordinal);
        Assert.Empty(_kms.Calls);
    }

    [Fact]
    public async Task HandleAsync_InvalidConfiguration_EveryInvocationThrowsNamingTheVariable()
    {
        _environment[SettingNames.MinKeyAgeHours] = "soon";

        var first = await Assert.ThrowsAsync<ConfigurationException>(() => InvokeAsync("{}"));
        var second = await Assert.ThrowsAsync<ConfigurationException>(() => InvokeAsync("{}"));

        Assert.Contains("MIN_KEY_AGE_HOURS: 'soon'", first.Message, StringComparison.Ordinal);
        Assert.Equal(first.Message, second.Message);
        Assert.Empty(_kms.Calls);
    }

    [Fact]
    public async Task HandleAsync_OneAliasFails_ThrowsAfterRotatingAndNotifyingTheOthers()
    {
        _kms.AddKey("alias/orders");
        _kms.AddKey("alias/billing", state: Amazon.KeyManagementService.KeyState.Disabled);

        var error = await Assert.ThrowsAsync<RotationFailedException>(() => InvokeAsync("{}"));

        Assert.Contains("1 of 2 alias(es) need attention", error.Message, StringComparison.Ordinal);
        Assert.Contains("alias/billing: alias/billing points at key", error.Message, StringComparison.Ordinal);
        Assert.Equal(2, _notifier.Notices.Count);
        Assert.NotEqual(_kms.Aliases["alias/orders"].KeyId, _kms.Keys.Keys.First());
    }

    [Fact]
    public async Task HandleAsync_NotificationFails_ThrowsNamingTheAliasButKeepsTheRotation()
    {
        _environment[SettingNames.RotationAliases] = "alias/orders";
        var old = _kms.AddKey("alias/orders");
        _notifier.Failure = new HttpRequestException("SNS refused");

        var error = await Assert.ThrowsAsync<RotationFailedException>(() => InvokeAsync("{}"));

        Assert.Contains("alias/orders: The notification could not be sent: SNS refused", error.Message, StringComparison.Ordinal);
        Assert.NotEqual(old.KeyId, _kms.Aliases["alias/orders"].KeyId);
        var finished = _output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).Single(l => l.TryGetProperty("response", out _));
        var logged = Assert.Single(finished.GetProperty("response").GetProperty("results").EnumerateArray());
        Assert.Equal("The notification could not be sent: SNS refused", logged.GetProperty("notificationError").GetString());
    }

    [Fact]
    public async Task HandleAsync_Run_WritesJsonLogLinesAndOneMetricsDocument()
    {
        _kms.AddKey("alias/orders");
        _kms.AddKey("alias/billing", age: TimeSpan.FromHours(1));

        await InvokeAsync("{}");

        var lines = _output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l)).ToList();
        var logs = lines.Where(l => l.RootElement.TryGetProperty("level", out _)).ToList();
        Assert.All(logs, l => Assert.StartsWith("rot-", l.RootElement.GetProperty("rotationId").GetString(), StringComparison.Ordinal));
        Assert.Contains(logs, l => l.RootElement.GetProperty("alias").GetString() == "alias/orders" && l.RootElement.GetProperty("message").GetString()!.StartsWith("Rotated", StringComparison.Ordinal));
        var metrics = Assert.Single(lines, l => l.RootElement.TryGetProperty("_aws", out _)).RootElement;
        var directive = metrics.GetProperty("_aws").GetProperty("CloudWatchMetrics")[0];
        Assert.Equal("KeyRotation", directive.GetProperty("Namespace").GetString());
        Assert.All(directive.GetProperty("Dimensions")[0].EnumerateArray(), d => Assert.Equal(JsonValueKind.String, metrics.GetProperty(d.GetString()!).ValueKind));
        Assert.All(directive.GetProperty("Metrics").EnumerateArray(), m => Assert.Equal(JsonValueKind.Number, metrics.GetProperty(m.GetProperty("Name").GetString()!).ValueKind));
        Assert.Equal((1, 1, 0), (metrics.GetProperty("Rotated").GetInt32(), metrics.GetProperty("Skipped").GetInt32(), metrics.GetProperty("Failed").GetInt32()));
        Assert.DoesNotContain("Statement", _output.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false, 1)]
    [InlineData(true, 0)]
    public async Task HandleAsync_ScheduledRun_WritesScheduledRunSucceededForTheFunction(bool aliasFails, int expected)
    {
        _environment["AWS_LAMBDA_FUNCTION_NAME"] = "key-rotation-RotationFunction-abc";
        _environment[SettingNames.RotationAliases] = "alias/orders";
        if (!aliasFails)
        {
            _kms.AddKey("alias/orders");
        }

        var run = InvokeAsync("""{"trigger":"schedule","scheduledTime":"2026-12-01T03:00:00Z"}""");
        if (aliasFails)
        {
            await Assert.ThrowsAsync<RotationFailedException>(() => run);
        }
        else
        {
            await run;
        }

        var metrics = MetricsDocument();
        var directive = metrics.GetProperty("_aws").GetProperty("CloudWatchMetrics").EnumerateArray()
            .Single(d => d.GetProperty("Metrics").EnumerateArray().Any(m => m.GetProperty("Name").GetString() == JsonLinesLog.ScheduledRunSucceededMetric));
        Assert.Equal(JsonLinesLog.MetricNamespace, directive.GetProperty("Namespace").GetString());
        Assert.Equal([JsonLinesLog.FunctionNameDimension], directive.GetProperty("Dimensions").EnumerateArray().Single().EnumerateArray().Select(d => d.GetString()));
        Assert.Single(directive.GetProperty("Metrics").EnumerateArray());
        Assert.Equal("key-rotation-RotationFunction-abc", metrics.GetProperty(JsonLinesLog.FunctionNameDimension).GetString());
        Assert.Equal(expected, metrics.GetProperty(JsonLinesLog.ScheduledRunSucceededMetric).GetInt32());
    }

    [Fact]
    public async Task HandleAsync_ManualRun_WritesNoScheduledRunMetric()
    {
        _environment["AWS_LAMBDA_FUNCTION_NAME"] = "key-rotation-RotationFunction-abc";
        _kms.AddKey("alias/orders");
        _kms.AddKey("alias/billing");

        await InvokeAsync("{}");

        var metrics = MetricsDocument();
        Assert.Single(metrics.GetProperty("_aws").GetProperty("CloudWatchMetrics").EnumerateArray());
        Assert.False(metrics.TryGetProperty(JsonLinesLog.ScheduledRunSucceededMetric, out _));
    }

    [Fact]
    public async Task HandleAsync_TimeoutConfigured_StopsStartingAliasesNearTheDeadline()
    {
        _environment[SettingNames.FunctionTimeoutSeconds] = "20";
        _kms.AddKey("alias/orders");
        _kms.AddKey("alias/billing");

        using var response = JsonDocument.Parse(await InvokeAsync("{}"));

        Assert.All(response.RootElement.GetProperty("results").EnumerateArray(), r => Assert.Equal("Skipped", r.GetProperty("outcome").GetString()));
        Assert.Empty(_kms.Calls);
    }

    public void Dispose() => _output.Dispose();

    private JsonElement MetricsDocument() =>
        _output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => JsonDocument.Parse(l).RootElement)
            .Single(l => l.TryGetProperty("_aws", out _));

    private async Task<string> InvokeAsync(string json)
    {
        var handler = new Handler(_environment, _kms.Object, _notifier, _time, _output);
        using var input = new MemoryStream(Encoding.UTF8.GetBytes(json));
        using var output = await handler.HandleAsync(input);
        using var reader = new StreamReader(output);
        return await reader.ReadToEndAsync();
    }

    private sealed class CollectingNotifier : IRotationNotifier
    {
        private readonly Lock _gate = new();

        public List<RotationNotice> Notices { get; } = [];

        public Exception? Failure { get; set; }

        public Task NotifyAsync(RotationNotice notice, CancellationToken cancellationToken)
        {
            lock (_gate)
            {
                Notices.Add(notice);
            }

            return Failure is null ? Task.CompletedTask : Task.FromException(Failure);
        }
    }
}
