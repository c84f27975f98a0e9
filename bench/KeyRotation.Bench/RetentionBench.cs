using System.Diagnostics;
using System.Text.Json;
using KeyRotation.Core.Configuration;
using KeyRotation.Function;

namespace KeyRotation.Bench;

/// <summary>
/// Retirement at the quota limit (--retention): seeds aliases with eight retirable generations each (--generations,
/// default 1,000), then, through the retention function's handler composed from the environment as in Lambda (its
/// paced KMS client, KMS's default quotas, the proof of non-use before every step), disables them all and, 100
/// simulated days later, schedules their deletion, against LocalKms enforcing KMS's quotas with --latency-ms per call.
/// Prints, per phase, the DisableKey (ScheduleKeyDeletion) rate between its first and last call against its 5/s bound,
/// the run's whole time, the throttled calls and the GetKeyLastUsage calls.
/// </summary>
internal static class RetentionBench
{
    /// <summary>Generations per alias that retention may retire: 11 in all, less the original, the retained one and the current one.</summary>
    private const int RetirablePerAlias = 8;

    private const string Pattern = "alias/bench/retention/*";

    public static async Task<int> RunAsync(BenchOptions options)
    {
        await using var kms = new BenchKms(timeScale: 1);
        var aliases = Enumerable.Range(0, (options.Generations + RetirablePerAlias - 1) / RetirablePerAlias).Select(i => $"alias/bench/retention/a{i:D4}").ToList();
        var clock = Stopwatch.StartNew();
        await kms.SeedAsync(aliases);
        await RotateAsync(kms, RetirablePerAlias + 2);
        Console.WriteLine(FormattableString.Invariant($"LocalKms on {kms.Url}: {aliases.Count} aliases x {RetirablePerAlias + 3} generations seeded in {clock.Elapsed.TotalSeconds:0} s ({aliases.Count * RetirablePerAlias} retirable); quotas on (KMS's defaults), {options.LatencyMs} ms per call."));

        var failures = 0;
        foreach (var (phase, operation, days) in new[] { ("disable", "DisableKey", 60), ("schedule deletion", "ScheduleKeyDeletion", 160) })
        {
            kms.StartMeasuring(TimeSpan.FromMilliseconds(options.LatencyMs));
            using var sampler = new CallSampler(kms, operation);
            var run = Stopwatch.StartNew();
            var (acted, failed) = await RetainAsync(kms, TimeSpan.FromDays(days));
            run.Stop();
            var calls = kms.Calls();
            var rate = sampler.Rate();
            Console.WriteLine(FormattableString.Invariant($"{phase}: {acted} {operation} done, {failed} failed, in {run.Elapsed.TotalSeconds:0.0} s: {acted / run.Elapsed.TotalSeconds:0.00}/s over the whole run (the listing, each chain read and verified, the proofs, the steps)"));
            Console.WriteLine(FormattableString.Invariant($"  {operation}/s {rate:0.00} between its first and last call; bound 5.00/s; ratio {rate / 5:0.00}"));
            Console.WriteLine(FormattableString.Invariant($"  GetKeyLastUsage calls {calls.GetValueOrDefault("GetKeyLastUsage")} ({(acted == 0 ? 0 : (double)calls.GetValueOrDefault("GetKeyLastUsage") / acted):0.##} per step); throttled calls {kms.Throttled()}"));
            Console.WriteLine("  calls: " + string.Join(", ", calls.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => FormattableString.Invariant($"{c.Key} {c.Value}"))));
            failures += failed + (acted < aliases.Count * RetirablePerAlias ? 1 : 0) + kms.Throttled();
        }

        return failures == 0 ? 0 : 1;
    }

    /// <summary>Rotates every alias <paramref name="times"/> times through the function's handler, unpaced and without latency (seeding).</summary>
    private static async Task RotateAsync(BenchKms kms, int times)
    {
        var environment = Environment(kms);
        environment[SettingNames.MinKeyAgeHours] = "0";
        environment[SettingNames.MaxConcurrency] = "16";
        environment[SettingNames.KmsRequestQuotas] = string.Join(',', BenchKms.Quotas.Rates.Keys.Select(op => op + "=100000"));
        for (var i = 0; i < times; i++)
        {
            var handler = new Handler(environment, null, new CountingNotifier(), TimeProvider.System, TextWriter.Null);
            using var input = new MemoryStream("{}"u8.ToArray());
            await using var output = await handler.HandleAsync(input);
        }
    }

    /// <summary>One retention run of the handler, its clock <paramref name="ahead"/> of real time: how many steps it did and how many failed.</summary>
    private static async Task<(int Acted, int Failed)> RetainAsync(BenchKms kms, TimeSpan ahead)
    {
        var environment = Environment(kms);
        environment[SettingNames.RetentionMode] = "disable-then-delete";
        var handler = new RetentionHandler(environment, null, new CountingNotifier(), new Ahead(ahead), TextWriter.Null);
        using var input = new MemoryStream("{}"u8.ToArray());
        try
        {
            await using var output = await handler.HandleAsync(input);
            using var document = await JsonDocument.ParseAsync(output);
            var actions = document.RootElement.GetProperty("actions").EnumerateArray().Where(a => a.GetProperty("action").GetString() is "Disable" or "ScheduleDeletion").ToList();
            return (actions.Count(a => a.GetProperty("outcome").GetString() == "Done"), actions.Count(a => a.GetProperty("outcome").GetString() == "Failed"));
        }
        catch (RotationFailedException ex)
        {
            Console.WriteLine($"retention: {ex.Message[..Math.Min(400, ex.Message.Length)]}");
            return (0, 1);
        }
    }

    private static Dictionary<string, string> Environment(BenchKms kms) => new(StringComparer.Ordinal)
    {
        [SettingNames.RotationAliases] = Pattern,
        [SettingNames.NotificationTopicArn] = "arn:aws:sns:us-east-1:111122223333:bench",
        [SettingNames.FunctionTimeoutSeconds] = "900",
        ["AWS_ENDPOINT_URL_KMS"] = kms.Url.ToString(),
        ["AWS_ENDPOINT_URL_RESOURCE_GROUPS_TAGGING_API"] = kms.Url.ToString(),
        ["AWS_REGION"] = "us-east-1",
        ["AWS_ACCESS_KEY_ID"] = "bench",
        ["AWS_SECRET_ACCESS_KEY"] = "bench",
    };

    /// <summary>Real time shifted ahead, so keys retired and disabled a moment ago are old enough for the default settings.</summary>
    private sealed class Ahead(TimeSpan offset) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + offset;
    }

    /// <summary>Samples the server's count of one operation every 20 ms, to time its first and last call.</summary>
    private sealed class CallSampler : IDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _sampling;
        private (TimeSpan At, int Count)? _first;
        private (TimeSpan At, int Count)? _last;

        public CallSampler(BenchKms kms, string operation)
        {
            var clock = Stopwatch.StartNew();
            _sampling = Task.Run(async () =>
            {
                var seen = 0;
                while (!_stop.IsCancellationRequested)
                {
                    var count = kms.Service.RecordedRequests.Count(r => r.Operation == operation);
                    if (count > seen)
                    {
                        _first ??= (clock.Elapsed, count);
                        _last = (clock.Elapsed, count);
                        seen = count;
                    }

                    await Task.Delay(20, CancellationToken.None);
                }
            });
        }

        /// <summary>Calls per second between the first sample that saw a call and the last that saw a new one.</summary>
        public double Rate()
        {
            _stop.Cancel();
            _sampling.GetAwaiter().GetResult();
            return _first is { } first && _last is { } last && last.At > first.At ? (last.Count - first.Count) / (last.At - first.At).TotalSeconds : double.NaN;
        }

        public void Dispose() => _stop.Dispose();
    }
}
