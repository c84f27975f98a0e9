using System.Text;
using System.Text.Json;
using Amazon.Runtime;
using Amazon.SQS;
using KeyRotation.Core;
using KeyRotation.Core.Configuration;
using KeyRotation.Function;
using KeyRotation.Integrations.Continuation;
using KeyRotation.IntegrationTests.Rotation;

namespace KeyRotation.IntegrationTests.Continuation;

/// <summary>
/// Continuation end to end on a fake clock: the real handler, LocalKms through the real KMS client, the real SQS client
/// sending to an SQS double over HTTP, and the double's redrive playing the event source.
/// </summary>
public sealed class ContinuationTests : IAsyncDisposable
{
    /// <summary>The template's maxReceiveCount.</summary>
    private const int MaxReceiveCount = 10;

    private readonly RotationWorld _world = new();
    private readonly FakeSqs _sqs = new(MaxReceiveCount);
    private readonly AmazonSQSClient _client;

    public ContinuationTests()
    {
        _client = new AmazonSQSClient(new BasicAWSCredentials("test", "test"), new AmazonSQSConfig { ServiceURL = _sqs.Url.ToString(), AuthenticationRegion = "us-east-1", MaxErrorRetry = 0 });
        _world.Environment[SettingNames.ContinuationQueueUrl] = _sqs.QueueUrl.ToString();
        _world.Environment[SettingNames.MaxConcurrency] = "1";
    }

    public async ValueTask DisposeAsync()
    {
        _client.Dispose();
        await _sqs.DisposeAsync();
        _world.Dispose();
    }

    [Fact]
    public async Task Handle_RunReachesItsDeadline_HandsTheRestToTheQueue_WhichRotatesEachOnceUnderTheSameRotationIdAndSlot()
    {
        string[] aliases = ["alias/c1", "alias/c2", "alias/c3", "alias/c4", "alias/c5"];
        foreach (var alias in aliases)
        {
            await _world.CreateAliasedKeyAsync(alias);
        }

        _world.Environment[SettingNames.RotationAliases] = string.Join(',', aliases);
        _world.Environment[SettingNames.FunctionTimeoutSeconds] = "50";
        var scheduled = _world.Time.GetUtcNow();

        // Each alias takes 15 s: c1 starts at 0 s, c2 at 15 s; at 30 s less than the 30 s an alias needs is left.
        var response = await InvokeAsync($$"""{"trigger":"schedule","scheduledTime":"{{scheduled:yyyy-MM-ddTHH:mm:ssZ}}"}""", TimeSpan.FromSeconds(15));

        var rotationId = response.GetProperty("rotationId").GetString()!;
        var outcomes = response.GetProperty("results").EnumerateArray().ToDictionary(r => r.GetProperty("alias").GetString()!, r => r);
        Assert.Equal(["Rotated", "Rotated", "Skipped", "Skipped", "Skipped"], aliases.Select(a => outcomes[a].GetProperty("outcome").GetString()));
        Assert.Contains("handed to the continuation queue", outcomes["alias/c3"].GetProperty("reason").GetString(), StringComparison.Ordinal);
        var messages = _sqs.Messages;
        Assert.Equal(["alias/c3", "alias/c4", "alias/c5"], messages.Select(m => m.Attributes["alias"]));
        Assert.All(messages, m => Assert.Equal(rotationId, m.Attributes["rotationId"]));
        Assert.All(messages, m => Assert.InRange(m.DelaySeconds, 20, 900));
        Assert.Equal(
            $$"""{"rotationId":"{{rotationId}}","alias":"alias/c3","scheduleSlot":"{{RecordedTime.FormatSlot(scheduled)}}","dryRun":false,"force":false,"changeOrigin":false}""",
            messages[0].Body);
        Assert.All(_sqs.Targets, t => Assert.Equal("AmazonSQS.SendMessageBatch", t));

        _world.Time.Advance(TimeSpan.FromMinutes(1));
        await DrainAsync(TimeSpan.Zero);

        Assert.Empty(_sqs.Messages);
        Assert.Empty(_sqs.DeadLetters);
        Assert.All(aliases, alias =>
        {
            var created = Assert.Single(_world.CreatedFor(alias));
            Assert.Equal(rotationId, created.Tags[RotationTags.RotationId]);
            Assert.Equal(RecordedTime.FormatSlot(scheduled), created.Tags[RotationTags.ScheduleSlot]);
            Assert.Equal(created.KeyId, _world.Key(alias).KeyId);
        });
    }

    [Fact]
    public async Task Handle_ForcedContinuationMessageDeliveredTwice_RotatesItsAliasOnce()
    {
        await _world.CreateAliasedKeyAsync("alias/twice");
        _world.Environment[SettingNames.RotationAliases] = "alias/twice";
        var body = """{"rotationId":"rot-20261201T030000Z-0000beef","alias":"alias/twice","force":true}""";
        _sqs.Add(body);
        _sqs.Add(body);

        var first = await DeliverOneBatchAsync(batchSize: 1);
        var second = await DeliverOneBatchAsync(batchSize: 1);

        Assert.Empty(first.GetProperty("batchItemFailures").EnumerateArray());
        Assert.Empty(second.GetProperty("batchItemFailures").EnumerateArray());
        Assert.Single(_world.CreatedFor("alias/twice"));
        Assert.Contains("Already rotated by this rotation (rot-20261201T030000Z-0000beef", _world.Logs, StringComparison.Ordinal);
        Assert.Empty(_sqs.Messages);
    }

    [Fact]
    public async Task Handle_PoisonMessage_EndsInTheDeadLetterQueueWithItsAliasAndReasonLogged_WhileItsBatchNeighbourRotates()
    {
        await _world.CreateAliasedKeyAsync("alias/fine");
        _world.Environment[SettingNames.RotationAliases] = "alias/fine,alias/ghost";
        var poison = _sqs.Add("""{"rotationId":"rot-20261201T030000Z-00000bad","alias":"alias/ghost"}""", new Dictionary<string, string> { ["alias"] = "alias/ghost" });
        _sqs.Add("""{"rotationId":"rot-20261201T030000Z-00000bad","alias":"alias/fine"}""");

        await DrainAsync(TimeSpan.Zero);

        var dead = Assert.Single(_sqs.DeadLetters);
        Assert.Equal(poison.MessageId, dead.MessageId);
        Assert.Equal(MaxReceiveCount, dead.ReceiveCount);
        Assert.Equal("alias/ghost", dead.Attributes["alias"]);
        Assert.Contains("\"alias\":\"alias/ghost\"", dead.Body, StringComparison.Ordinal);
        var failures = _world.Logs.Split('\n').Where(l => l.Contains($"Continuation message {poison.MessageId} (receive ", StringComparison.Ordinal)).ToList();
        Assert.Equal(MaxReceiveCount, failures.Count);
        Assert.All(failures, line => Assert.Contains("\"alias\":\"alias/ghost\"", line, StringComparison.Ordinal));
        Assert.Contains("alias/ghost", JsonDocument.Parse(failures[^1]).RootElement.GetProperty("message").GetString()!.Split("failed: ")[1], StringComparison.Ordinal);
        Assert.Single(_world.CreatedFor("alias/fine"));
        Assert.Empty(_sqs.Messages);
    }

    [Fact]
    public async Task Handle_BodyThatIsNotAContinuationMessage_IsReportedFailedWithItsProblem_AndRotatesNothing()
    {
        await _world.CreateAliasedKeyAsync("alias/fine");
        _world.Environment[SettingNames.RotationAliases] = "alias/fine";
        var bad = _sqs.Add("""{"rotationId":"rot-x","alias":"alias/fine","extra":1}""");

        var answer = await DeliverOneBatchAsync(batchSize: 10);

        Assert.Equal([bad.MessageId], answer.GetProperty("batchItemFailures").EnumerateArray().Select(f => f.GetProperty("itemIdentifier").GetString()));
        Assert.Contains("has no field \\u0022extra\\u0022", _world.Logs, StringComparison.Ordinal);
        Assert.Empty(_world.CreatedFor("alias/fine"));
    }

    private async Task DrainAsync(TimeSpan perAlias)
    {
        for (var round = 0; _sqs.Messages.Count > 0; round++)
        {
            Assert.True(round < 100, "the queue did not drain");
            var (json, batch) = _sqs.Receive();
            _sqs.Complete(batch, await InvokeAsync(json, perAlias));
        }
    }

    private async Task<JsonElement> DeliverOneBatchAsync(int batchSize)
    {
        var (json, batch) = _sqs.Receive(batchSize);
        var answer = await InvokeAsync(json, TimeSpan.Zero);
        _sqs.Complete(batch, answer);
        return answer;
    }

    /// <summary>The real handler, built per invocation; each notification lets <paramref name="perAlias"/> pass.</summary>
    private async Task<JsonElement> InvokeAsync(string json, TimeSpan perAlias)
    {
        var handler = new Handler(_world.Environment, _world.Client, new ClockAdvancingNotifier(_world.Notifier, _world.Time, perAlias), _world.Time, _world.Output, keyFinder: _world.KeyFinder, continuationQueue: new SqsContinuationQueue(_client, _sqs.QueueUrl));
        using var input = new MemoryStream(Encoding.UTF8.GetBytes(json));
        await using var output = await handler.HandleAsync(input);
        return (await JsonDocument.ParseAsync(output)).RootElement.Clone();
    }

    private sealed class ClockAdvancingNotifier(IRotationNotifier inner, Microsoft.Extensions.Time.Testing.FakeTimeProvider time, TimeSpan step) : IRotationNotifier
    {
        public async Task NotifyAsync(RotationNotice notice, CancellationToken cancellationToken)
        {
            await inner.NotifyAsync(notice, cancellationToken);
            time.Advance(step);
        }
    }
}
