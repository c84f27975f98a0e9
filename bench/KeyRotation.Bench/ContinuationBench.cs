using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using KeyRotation.Core.Configuration;
using KeyRotation.Core.Continuation;
using KeyRotation.Function;

namespace KeyRotation.Bench;

/// <summary>
/// 5,000 aliases under the function's 900 s deadline through continuation, with time scaled so it takes minutes: the
/// handler's clock runs <see cref="BenchOptions.TimeScale"/> times faster than real time, and the quotas (client and
/// LocalKms) are that many times higher and the latency that many times shorter, so each simulated second has KMS's
/// default quotas. The scheduled run hands what it cannot start to an in-process queue; the queue is then fed back
/// to the handler in batches of 100 (the template's event source) until empty. Every alias must rotate exactly once.
/// </summary>
internal static class ContinuationBench
{
    private const int BatchSize = 100;

    public static async Task<int> RunAsync(BenchOptions options)
    {
        await using var kms = new BenchKms(options.TimeScale);
        var aliases = Enumerable.Range(0, options.Aliases).Select(i => $"alias/bench/cont/a{i:D5}").ToList();
        await kms.SeedAsync(aliases);
        var queue = new InProcessQueue();
        var clock = new ScaledClock(options.TimeScale);
        var environment = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [SettingNames.RotationAliases] = "alias/bench/cont/*",
            [SettingNames.NotificationTopicArn] = "arn:aws:sns:us-east-1:111122223333:bench",
            [SettingNames.MinKeyAgeHours] = "0",
            [SettingNames.FunctionTimeoutSeconds] = options.DeadlineSeconds.ToString(CultureInfo.InvariantCulture),
            [SettingNames.KmsRequestQuotas] = kms.ClientQuotas,
            [SettingNames.ContinuationQueueUrl] = "https://sqs.us-east-1.amazonaws.com/111122223333/bench-continuation",
            ["AWS_ENDPOINT_URL_KMS"] = kms.Url.ToString(),
            ["AWS_ENDPOINT_URL_RESOURCE_GROUPS_TAGGING_API"] = kms.Url.ToString(),
            ["AWS_REGION"] = "us-east-1",
        };
        Console.WriteLine(FormattableString.Invariant($"Continuation: {aliases.Count} aliases, {options.DeadlineSeconds} s deadline, time x{options.TimeScale} (quotas x{options.TimeScale}, {options.LatencyMs / options.TimeScale:0.#} ms per call real)."));
        kms.StartMeasuring(TimeSpan.FromMilliseconds(options.LatencyMs));
        var started = clock.GetUtcNow();
        var real = Stopwatch.StartNew();

        // One container for the whole run, as a warm Lambda container would be: one pacer throughout.
        var handler = new Handler(environment, null, new CountingNotifier(), clock, TextWriter.Null, continuationQueue: queue);
        var invocations = 1;
        var slot = started.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        var first = await InvokeAsync(handler, $$"""{"trigger":"schedule","scheduledTime":"{{slot}}"}""");
        var firstRotated = first.GetProperty("results").EnumerateArray().Count(r => r.GetProperty("outcome").GetString() == "Rotated");
        Console.WriteLine(FormattableString.Invariant($"  scheduled run: {firstRotated} rotated, {queue.Count} handed to the queue at {(clock.GetUtcNow() - started).TotalSeconds:0} s"));
        var dead = 0;
        while (queue.Count > 0)
        {
            var batch = queue.Take(BatchSize);
            var answer = await InvokeAsync(handler, InProcessQueue.EventOf(batch));
            invocations++;
            var failed = answer.GetProperty("batchItemFailures").EnumerateArray().Select(f => f.GetProperty("itemIdentifier").GetString()!).ToHashSet(StringComparer.Ordinal);
            dead += queue.Return(batch.Where(m => failed.Contains(m.Id)), maxReceiveCount: 10);
            if (invocations % 10 == 0)
            {
                Console.WriteLine(FormattableString.Invariant($"  {invocations} invocations, {queue.Count} aliases still queued at {(clock.GetUtcNow() - started).TotalSeconds:0} s simulated"));
            }
        }

        var simulated = clock.GetUtcNow() - started;
        var created = kms.KeysCreatedPerAlias();
        var exactlyOnce = aliases.All(a => created.GetValueOrDefault(a) == 1);
        Console.WriteLine(FormattableString.Invariant($"  {invocations} invocations; all done after {simulated.TotalSeconds:0} s simulated ({real.Elapsed.TotalSeconds:0} s real); dead-lettered {dead}; throttled calls {kms.Throttled()}"));
        Console.WriteLine(FormattableString.Invariant($"  every alias rotated exactly once: {(exactlyOnce ? "yes" : "NO")} ({created.Count(c => c.Value == 1)} once, {created.Count(c => c.Value > 1)} more than once, {aliases.Count - created.Count} never)"));
        Console.WriteLine(FormattableString.Invariant($"  peak working set {Process.GetCurrentProcess().PeakWorkingSet64 / 1048576} MB (the process, LocalKms included)"));
        return exactlyOnce && dead == 0 ? 0 : 1;
    }

    private static async Task<JsonElement> InvokeAsync(Handler handler, string json)
    {
        using var input = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(json));
        await using var output = await handler.HandleAsync(input);
        return (await JsonDocument.ParseAsync(output)).RootElement.Clone();
    }

    /// <summary>A clock that runs <c>scale</c> times faster than real time, from now.</summary>
    private sealed class ScaledClock(double scale) : TimeProvider
    {
        private readonly DateTimeOffset _origin = System.GetUtcNow();
        private readonly long _start = System.GetTimestamp();

        public override DateTimeOffset GetUtcNow() => _origin + (System.GetElapsedTime(_start) * scale);
    }

    /// <summary>The continuation queue in process: messages with receive counts, redriven after maxReceiveCount.</summary>
    private sealed class InProcessQueue : IContinuationQueue
    {
        private readonly Queue<Message> _messages = new();
        private int _next;

        public int Count => _messages.Count;

        public Task<IReadOnlyDictionary<string, string>> SendAsync(IReadOnlyList<ContinuationEnvelope> messages, TimeSpan delay, CancellationToken ct)
        {
            foreach (var message in messages)
            {
                _messages.Enqueue(new Message((++_next).ToString(CultureInfo.InvariantCulture), message.Body));
            }

            return Task.FromResult<IReadOnlyDictionary<string, string>>(new Dictionary<string, string>());
        }

        public List<Message> Take(int count)
        {
            var batch = new List<Message>();
            while (batch.Count < count && _messages.TryDequeue(out var message))
            {
                message.Receives++;
                batch.Add(message);
            }

            return batch;
        }

        /// <summary>Puts failed messages back; returns how many reached the receive limit (dead-lettered).</summary>
        public int Return(IEnumerable<Message> failed, int maxReceiveCount)
        {
            var dead = 0;
            foreach (var message in failed)
            {
                if (message.Receives >= maxReceiveCount)
                {
                    dead++;
                }
                else
                {
                    _messages.Enqueue(message);
                }
            }

            return dead;
        }

        public static string EventOf(IEnumerable<Message> batch) => new JsonObject
        {
            ["Records"] = new JsonArray([.. batch.Select(m => (JsonNode)new JsonObject
            {
                ["messageId"] = m.Id,
                ["body"] = m.Body,
                ["attributes"] = new JsonObject { ["ApproximateReceiveCount"] = m.Receives.ToString(CultureInfo.InvariantCulture) },
                ["eventSource"] = "aws:sqs",
            })]),
        }.ToJsonString();

        internal sealed record Message(string Id, string Body)
        {
            public int Receives { get; set; }
        }
    }
}
