using System.Text.Json.Nodes;
using Amazon.Runtime;
using KeyRotation.Core.Events;
using KeyRotation.Integrations.Events;
using KeyRotation.IntegrationTests.Rotation;

namespace KeyRotation.IntegrationTests.Events;

/// <summary>The handler's events through the real PutEvents stand-in to a local endpoint on 127.0.0.1 that throttles one entry.</summary>
public sealed class PutEventsEndToEndTests : IAsyncDisposable
{
    private const string Alias = "alias/orders";
    private readonly RotationWorld _world = new();
    private readonly FakeEventBridge _endpoint = FakeEventBridge.Start();

    public PutEventsEndToEndTests()
    {
        var client = new PutEventsClient(
            new HttpClient(),
            new PutEventsOptions { Region = "us-east-1", ServiceUrl = _endpoint.Url, BaseRetryDelay = TimeSpan.Zero },
            _ => Task.FromResult(new ImmutableCredentials("test", "test", null)),
            _world.Time);
        _world.EventSink = new EventBridgeLifecycleSink(client, "default", "keyrotation");
    }

    public async ValueTask DisposeAsync()
    {
        await _endpoint.DisposeAsync();
        _world.Dispose();
    }

    [Fact]
    public async Task Rotate_StartedEventThrottledOnce_IsSentAgainAndBothEventsArePutAsTheirSchemasSay()
    {
        await _world.CreateAliasedKeyAsync(Alias);
        _endpoint.ThenFailEntries("ThrottlingException", 0);

        var response = await _world.InvokeAsync("{}", Alias);

        Assert.Equal("Rotated", response.GetProperty("results")[0].GetProperty("outcome").GetString());
        Assert.False(response.GetProperty("results")[0].TryGetProperty("eventError", out _));
        Assert.Equal(3, _endpoint.Requests.Count);
        Assert.Equal([LifecycleDetailTypes.RotationStarted, LifecycleDetailTypes.Rotated], _endpoint.Accepted.Select(e => (string?)e["DetailType"]));
        foreach (var entry in _endpoint.Accepted)
        {
            var delivered = new JsonObject
            {
                ["version"] = "0",
                ["id"] = "6a7e8feb-b491-4cf7-a9f1-bf3703467718",
                ["detail-type"] = (string?)entry["DetailType"],
                ["source"] = (string?)entry["Source"],
                ["account"] = "111122223333",
                ["time"] = "2026-12-31T03:00:00Z",
                ["region"] = "us-east-1",
                ["resources"] = entry["Resources"]!.DeepClone(),
                ["detail"] = JsonNode.Parse((string)entry["Detail"]!),
            };
            Assert.Empty(LifecycleEventSchemas.Problems(delivered));
            Assert.Equal("default", (string?)entry["EventBusName"]);
        }
    }

    [Fact]
    public async Task Rotate_BusMissing_RotatesAndReportsEventBridgesError()
    {
        await _world.CreateAliasedKeyAsync(Alias);
        _endpoint.ThenRefuse(400, "ResourceNotFoundException", "Event bus default does not exist.").ThenRefuse(400, "ResourceNotFoundException", "Event bus default does not exist.");

        var response = await _world.InvokeAsync("{}", Alias);

        var result = response.GetProperty("results")[0];
        Assert.Equal("Rotated", result.GetProperty("outcome").GetString());
        Assert.Contains("ResourceNotFoundException", result.GetProperty("eventError").GetString(), StringComparison.Ordinal);
        Assert.Equal(2, _endpoint.Requests.Count);
    }
}
