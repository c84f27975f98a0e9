using System.Text;
using System.Text.Json;
using KeyRotation.Core.Configuration;
using KeyRotation.Core.Continuation;
using Microsoft.Extensions.Time.Testing;

namespace KeyRotation.Function.Tests;

/// <summary>The hand-off of aliases a run could not start: sent with the run's id and slot, or failed loudly when sending fails.</summary>
public sealed class ContinuationHandOffTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 3, 0, 5, TimeSpan.Zero);

    private readonly FakeTimeProvider _time = new(Now);
    private readonly RecordingQueue _queue = new();
    private readonly Dictionary<string, string> _environment = new(StringComparer.Ordinal)
    {
        [SettingNames.RotationAliases] = "alias/orders,alias/billing",
        [SettingNames.NotificationTopicArn] = "arn:aws:sns:eu-west-1:111122223333:key-rotation",
        [SettingNames.ContinuationQueueUrl] = "https://sqs.eu-west-1.amazonaws.com/111122223333/key-rotation-ContinuationQueue",

        // Less than the 30 s an alias needs: the run starts none.
        [SettingNames.FunctionTimeoutSeconds] = "20",
    };

    [Fact]
    public async Task HandleAsync_NothingCanStartBeforeTheDeadline_SendsEachAliasWithTheRunsIdAndSlot_DelayedPastTheRun()
    {
        var kms = new KmsMock(_time);

        var response = await InvokeAsync(kms, """{"trigger":"schedule","scheduledTime":"2026-12-01T03:00:00Z"}""");

        var rotationId = response.GetProperty("rotationId").GetString();
        Assert.Equal(["alias/orders", "alias/billing"], _queue.Sent.Select(m => m.Alias));
        Assert.All(_queue.Sent, m => Assert.Equal((rotationId, new DateTimeOffset(2026, 12, 1, 3, 0, 0, TimeSpan.Zero), false), (m.RotationId, m.ScheduleSlot, m.Force)));
        Assert.Equal(TimeSpan.FromSeconds(25), _queue.Delay);
        Assert.All(response.GetProperty("results").EnumerateArray(), r => Assert.Contains("handed to the continuation queue", r.GetProperty("reason").GetString(), StringComparison.Ordinal));
        Assert.Empty(kms.Calls);
    }

    [Fact]
    public async Task HandleAsync_AMessageCannotBeSent_TheInvocationFailsNamingTheAliasAndWhy()
    {
        _queue.Refuse["alias/billing"] = "AccessDenied: not allowed";

        var error = await Assert.ThrowsAsync<RotationFailedException>(() => InvokeAsync(new KmsMock(_time), "{}"));

        Assert.Contains("alias/billing: Not started before the run's deadline, and its continuation message could not be sent (AccessDenied: not allowed)", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("alias/orders", error.Message, StringComparison.Ordinal);
    }

    private async Task<JsonElement> InvokeAsync(KmsMock kms, string json)
    {
        var handler = new Handler(_environment, kms.Object, null, _time, TextWriter.Null, continuationQueue: _queue);
        using var input = new MemoryStream(Encoding.UTF8.GetBytes(json));
        await using var output = await handler.HandleAsync(input);
        return (await JsonDocument.ParseAsync(output)).RootElement.Clone();
    }

    private sealed class RecordingQueue : IContinuationQueue
    {
        public List<ContinuationMessage> Sent { get; } = [];

        public Dictionary<string, string> Refuse { get; } = new(StringComparer.Ordinal);

        public TimeSpan Delay { get; private set; }

        public Task<IReadOnlyDictionary<string, string>> SendAsync(IReadOnlyList<ContinuationEnvelope> messages, TimeSpan delay, CancellationToken ct)
        {
            Delay = delay;
            Sent.AddRange(messages.Where(m => !Refuse.ContainsKey(m.Alias)).Select(m => ContinuationMessage.Parse(m.Body)));
            return Task.FromResult<IReadOnlyDictionary<string, string>>(Refuse.Where(r => messages.Any(m => m.Alias == r.Key)).ToDictionary());
        }
    }
}
