using System.Text.Json.Nodes;
using Amazon.Runtime;
using KeyRotation.Core.Events;
using KeyRotation.Integrations.Clients;
using KeyRotation.Integrations.Events;
using Microsoft.Extensions.Time.Testing;

namespace KeyRotation.Integrations.Tests.Events;

/// <summary>
/// The PutEvents stand-in and the EventBridge sink against a local endpoint on 127.0.0.1 that records every request and
/// answers partial failures (FailedEntryCount with per-entry ErrorCode and ErrorMessage).
/// </summary>
public sealed class PutEventsLocalEndpointTests : IAsyncDisposable
{
    private readonly FakeEventBridge _endpoint = FakeEventBridge.Start();
    private readonly FakeTimeProvider _time = new(PutEventsClientTests.Now);

    public ValueTask DisposeAsync() => _endpoint.DisposeAsync();

    [Fact]
    public async Task PutAsync_OneEntryThrottled_SendsOnlyThatEntryAgain()
    {
        _endpoint.ThenFailEntries("ThrottlingException", 1);
        var entries = new[] { PutEventsClientTests.Entry("A"), PutEventsClientTests.Entry("B"), PutEventsClientTests.Entry("C") };

        var failures = await Client().PutAsync(entries, CancellationToken.None);

        Assert.Empty(failures);
        Assert.Equal(2, _endpoint.Requests.Count);
        Assert.Equal(["A", "B", "C"], _endpoint.Requests[0].Entries.Select(e => (string?)e!["DetailType"]));
        Assert.Equal(["B"], _endpoint.Requests[1].Entries.Select(e => (string?)e!["DetailType"]));
        Assert.Equal(["A", "C", "B"], _endpoint.Accepted.Select(e => (string?)e["DetailType"]));
        Assert.All(_endpoint.Requests, r => Assert.Equal("AWSEvents.PutEvents", r.Headers["X-Amz-Target"]));
        Assert.All(_endpoint.Requests, r => Assert.StartsWith("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240501/us-east-1/events/aws4_request", r.Headers["Authorization"], StringComparison.Ordinal));
    }

    [Fact]
    public async Task PutAsync_EntryRefusedForGood_IsNotSentAgainAndIsReturned()
    {
        _endpoint.ThenFailEntries("ThrottlingException", 0).ThenFailEntries("MalformedDetail", 0);
        var entries = new[] { PutEventsClientTests.Entry("A"), PutEventsClientTests.Entry("B") };

        var failure = Assert.Single(await Client().PutAsync(entries, CancellationToken.None));

        Assert.Equal((0, "MalformedDetail", "MalformedDetail for entry 0", false), (failure.Index, failure.ErrorCode, failure.ErrorMessage, failure.IsRetryable));
        Assert.Equal(2, _endpoint.Requests.Count);
        Assert.Equal(["B"], _endpoint.Accepted.Select(e => (string?)e["DetailType"]));
    }

    [Fact]
    public async Task PutAsync_EntryThrottledEveryTime_GivesUpAfterMaxAttempts()
    {
        for (var i = 0; i < 4; i++)
        {
            _endpoint.ThenFailEntries("ThrottlingException", 0);
        }

        var failure = Assert.Single(await Client().PutAsync([PutEventsClientTests.Entry()], CancellationToken.None));

        Assert.Equal(("ThrottlingException", true), (failure.ErrorCode, failure.IsRetryable));
        Assert.Equal(4, _endpoint.Requests.Count);
        Assert.Empty(_endpoint.Accepted);
    }

    [Fact]
    public async Task Sink_TwentyThreeEvents_PutsThemInCallsOfAtMostTen()
    {
        var events = Enumerable.Range(0, 23).Select(i => Event($"alias/app-{i}")).ToList();

        await Sink().PutAsync(events, CancellationToken.None);

        Assert.Equal([10, 10, 3], _endpoint.Requests.Select(r => r.Entries.Count));
        Assert.Equal(events.Select(e => e.Detail.Alias), _endpoint.Accepted.Select(e => (string)JsonNode.Parse((string)e["Detail"]!)!["alias"]!));
    }

    [Fact]
    public async Task Sink_Event_IsOneEntryWithSourceDetailTypeDetailResourcesTimeAndBus()
    {
        var lifecycleEvent = Event("alias/app-data");

        await Sink().PutAsync([lifecycleEvent], CancellationToken.None);

        var entry = Assert.Single(_endpoint.Accepted);
        Assert.Equal(["Source", "DetailType", "Detail", "Resources", "Time", "EventBusName"], entry.Select(p => p.Key));
        Assert.Equal(("com.example.keyrotation", "Key Rotated", "key-rotation"), ((string?)entry["Source"], (string?)entry["DetailType"], (string?)entry["EventBusName"]));
        Assert.Equal(lifecycleEvent.Detail.ToJson(), (string?)entry["Detail"]);
        Assert.Equal(lifecycleEvent.Resources, entry["Resources"]!.AsArray().Select(r => (string)r!));
        Assert.Equal(lifecycleEvent.Time.ToUnixTimeSeconds(), (double)entry["Time"]!);
    }

    [Fact]
    public async Task Sink_SomeEventsNotPut_ThrowsNamingEachEventAndTheError()
    {
        _endpoint.ThenFailEntries("AccessDeniedException", 1);

        var error = await Assert.ThrowsAsync<LifecycleEventsException>(() => Sink().PutAsync([Event("alias/a"), Event("alias/b")], CancellationToken.None));

        Assert.Equal("1 of 2 event(s) were not put on key-rotation: Key Rotated of alias/b: AccessDeniedException: AccessDeniedException for entry 1", error.Message);
        Assert.Single(_endpoint.Accepted);
    }

    [Fact]
    public async Task Sink_EventOverTheSizeLimit_IsReportedAndTheOthersArePut()
    {
        var huge = Event("alias/huge") with { Detail = Event("alias/huge").Detail with { Reason = new string('x', 300 * 1024) } };

        var error = await Assert.ThrowsAsync<LifecycleEventsException>(() => Sink().PutAsync([huge, Event("alias/small")], CancellationToken.None));

        Assert.Contains("Key Rotated of alias/huge: the entry is", error.Message, StringComparison.Ordinal);
        Assert.Equal(["alias/small"], _endpoint.Accepted.Select(e => (string)JsonNode.Parse((string)e["Detail"]!)!["alias"]!));
    }

    [Fact]
    public async Task CreateEventSink_EndpointVariable_SendsThereSignedForTheBusRegion()
    {
        var environment = new Dictionary<string, string>
        {
            ["AWS_ENDPOINT_URL_EVENTS"] = _endpoint.Url.ToString(),
            ["AWS_ENDPOINT_URL"] = "http://127.0.0.1:1/",
            ["AWS_REGION"] = "us-east-1",
        };
        var settings = new Core.Configuration.EventSettings { BusName = "arn:aws:events:eu-west-1:123456789012:event-bus/key-rotation" };
        var sink = AwsClients.CreateEventSink(environment, settings, new HttpClient(), new BasicAWSCredentials(PutEventsClientTests.AccessKey, PutEventsClientTests.SecretKey), _time);

        await sink.PutAsync([Event("alias/app-data")], CancellationToken.None);

        var request = Assert.Single(_endpoint.Requests);
        Assert.Contains("/eu-west-1/events/aws4_request", request.Headers["Authorization"], StringComparison.Ordinal);
        Assert.Equal(settings.BusName, (string?)request.Entries[0]!["EventBusName"]);
    }

    [Theory]
    [InlineData("AWS_ENDPOINT_URL_EVENTS", "http://127.0.0.1:4001/")]
    [InlineData("AWS_ENDPOINT_URL_EVENTBRIDGE", "http://127.0.0.1:4002/")]
    [InlineData("AWS_ENDPOINT_URL", "http://127.0.0.1:4003/")]
    public void EventsEndpoint_MostSpecificVariableSet_IsUsed(string variable, string expected)
    {
        var all = new Dictionary<string, string>
        {
            ["AWS_ENDPOINT_URL_EVENTS"] = "http://127.0.0.1:4001/",
            ["AWS_ENDPOINT_URL_EVENTBRIDGE"] = "http://127.0.0.1:4002/",
            ["AWS_ENDPOINT_URL"] = "http://127.0.0.1:4003/",
        };
        var order = new[] { "AWS_ENDPOINT_URL_EVENTS", "AWS_ENDPOINT_URL_EVENTBRIDGE", "AWS_ENDPOINT_URL" };
        var environment = all.Where(v => Array.IndexOf(order, v.Key) >= Array.IndexOf(order, variable)).ToDictionary(v => v.Key, v => v.Value);

        Assert.Equal(new Uri(expected), AwsClients.EventsEndpoint(environment));
    }

    private PutEventsClient Client() =>
        new(new HttpClient(), new PutEventsOptions { Region = "us-east-1", ServiceUrl = _endpoint.Url, BaseRetryDelay = TimeSpan.Zero }, _ => Task.FromResult(new ImmutableCredentials(PutEventsClientTests.AccessKey, PutEventsClientTests.SecretKey, null)), _time, () => 1.0);

    private EventBridgeLifecycleSink Sink() => new(Client(), "key-rotation", "com.example.keyrotation");

    private LifecycleEvent Event(string alias) => new(
        LifecycleDetailTypes.Rotated,
        new LifecycleEventDetail { Alias = alias, RunId = "rot-1", Outcome = "Rotated", Reason = "rotated", KeyId = "5678efgh" },
        ["arn:aws:kms:us-east-1:123456789012:key/1234abcd", "arn:aws:kms:us-east-1:123456789012:key/5678efgh"],
        _time.GetUtcNow());
}
