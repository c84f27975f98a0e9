using System.Globalization;
using KeyRotation.Core;
using KeyRotation.Core.Pacing;

namespace KeyRotation.Bench;

/// <summary>
/// The command line: --aliases N, --latency-ms N, --paths handler,cli, --continuation [--deadline-seconds N], or
/// --soak [--seeds N] [--seeds-from N] (the chaos soak, large), or --retention [--generations N] (retirement at the quota limit).
/// </summary>
internal sealed record BenchOptions
{
    public int Aliases { get; init; } = 1000;

    public int LatencyMs { get; init; } = 40;

    public IReadOnlyList<string> Paths { get; init; } = ["handler", "cli"];

    public bool Continuation { get; init; }

    /// <summary>The function's timeout in the continuation run (simulated seconds).</summary>
    public int DeadlineSeconds { get; init; } = 900;

    /// <summary>Run the seeded chaos soak instead of measuring throughput.</summary>
    public bool Soak { get; init; }

    /// <summary>How many seeds the soak runs, counting up from <see cref="SeedsFrom"/>.</summary>
    public int Seeds { get; init; } = 10;

    public int SeedsFrom { get; init; } = 1;

    /// <summary>Measure retirement (disabling, then scheduling deletion) instead of rotation.</summary>
    public bool Retention { get; init; }

    /// <summary>How many generations the retirement run retires (rounded up to whole aliases of eight).</summary>
    public int Generations { get; init; } = 1000;

    /// <summary>Simulated seconds per real second in the continuation run.</summary>
    public double TimeScale { get; init; } = 10;

    public static BenchOptions? Parse(string[] args)
    {
        var options = new BenchOptions();
        var continuationDefault = true;
        for (var i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new FormatException($"{args[i]} needs a value.");
            int Number(int min, int max)
            {
                var name = args[i];
                var text = Value();
                return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= min && n <= max
                    ? n
                    : throw new FormatException($"{name} must be a whole number from {min} to {max}, not '{text}'.");
            }

            var option = args[i];
            try
            {
                options = option switch
                {
                    "--aliases" => options with { Aliases = Number(1, 100_000) },
                    "--latency-ms" => options with { LatencyMs = Number(0, 10_000) },
                    "--paths" => options with { Paths = [.. Value().Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)] },
                    "--continuation" => options with { Continuation = true },
                    "--deadline-seconds" => options with { DeadlineSeconds = Number(60, 900) },
                    "--time-scale" => options with { TimeScale = Number(1, 100) },
                    "--soak" => options with { Soak = true },
                    "--seeds" => options with { Seeds = Number(1, 100_000) },
                    "--seeds-from" => options with { SeedsFrom = Number(0, 1_000_000_000) },
                    "--retention" => options with { Retention = true },
                    "--generations" => options with { Generations = Number(8, 100_000) },
                    _ => throw new FormatException($"Unknown option {option}: use --aliases N, --latency-ms N, --paths handler,cli, --continuation, --deadline-seconds N, --time-scale N, --soak, --seeds N, --seeds-from N, --retention, --generations N."),
                };
                continuationDefault &= option != "--aliases";
            }
            catch (FormatException ex)
            {
                Console.Error.WriteLine(ex.Message);
                return null;
            }
        }

        if (options.Paths.Count == 0 || options.Paths.Any(p => p is not ("handler" or "cli")))
        {
            Console.Error.WriteLine("--paths takes handler, cli or both (handler,cli).");
            return null;
        }

        // The continuation run's default batch is the 5,000 aliases.
        return options.Continuation && continuationDefault ? options with { Aliases = 5000 } : options;
    }

    /// <summary>The CPU model from /proc/cpuinfo (Linux), else "unknown CPU".</summary>
    public static string CpuModel()
    {
        try
        {
            return File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "unknown CPU";
        }
        catch (IOException)
        {
            return "unknown CPU";
        }
    }
}

/// <summary>Notifications are counted, not published (no SNS here).</summary>
internal sealed class CountingNotifier : IRotationNotifier
{
    private int _count;

    public int Count => _count;

    public Task NotifyAsync(RotationNotice notice, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _count);
        return Task.CompletedTask;
    }
}

/// <summary>The figures of one path: rate, the quota bound from observed calls per rotation, throttling, failures, memory.</summary>
internal static class Report
{
    /// <summary>Prints the figures; returns the number of failures.</summary>
    public static int Print(string path, IReadOnlyList<string> outcomes, TimeSpan elapsed, BenchKms kms)
    {
        var rotated = outcomes.Count(o => o == "Rotated");
        var failed = outcomes.Count(o => o.StartsWith("Failed", StringComparison.Ordinal));
        var calls = kms.Calls();
        var perRotation = calls.ToDictionary(c => c.Key, c => rotated == 0 ? 0 : (double)c.Value / rotated, StringComparer.Ordinal);
        var bound = ConcurrencySizing.Bound(BenchKms.Quotas, perRotation);
        var rate = rotated / elapsed.TotalSeconds;
        var scarce = perRotation.Where(p => BenchKms.Quotas.RateOf(p.Key) is not null && p.Value > 0).MinBy(p => BenchKms.Quotas.RateOf(p.Key)!.Value / p.Value);
        Console.WriteLine(FormattableString.Invariant($"{path}: {rotated} rotated, {failed} failed, {outcomes.Count - rotated - failed} other in {elapsed.TotalSeconds:0.0} s"));
        Console.WriteLine(FormattableString.Invariant($"  rotations/s {rate:0.00}; quota bound {bound:0.00}/s (scarcest: {scarce.Key}, {scarce.Value:0.##} calls per rotation); ratio {(bound is { } b ? rate / b : double.NaN):0.00}"));
        Console.WriteLine("  calls per rotation: " + string.Join(", ", perRotation.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => FormattableString.Invariant($"{p.Key} {p.Value:0.##}"))));
        Console.WriteLine(FormattableString.Invariant($"  throttled calls {kms.Throttled()}; peak working set {Environment.WorkingSet / 1048576} MB now, {System.Diagnostics.Process.GetCurrentProcess().PeakWorkingSet64 / 1048576} MB peak (the process, LocalKms included)"));
        return failed;
    }
}
