using System.Diagnostics;
using KeyRotation.Testing.Soak;

namespace KeyRotation.Bench;

/// <summary>
/// The chaos soak, large: the same seeds, faults, runs and invariants as the integration tests' small soak
/// (tests/KeyRotation.Testing/Soak), over --aliases aliases (default 1,000) and --seeds seeds from --seeds-from.
/// Prints each seed's report and a summary; exits 1 on any violation. The same seed with the same --aliases replays the
/// same plan (MAX_CONCURRENCY 4, as in the tests), so a seed that fails in CI replays here with --aliases 12.
/// </summary>
internal static class SoakBench
{
    public static async Task<int> RunAsync(BenchOptions options)
    {
        var seeds = Enumerable.Range(options.SeedsFrom, options.Seeds).ToList();
        Console.WriteLine(FormattableString.Invariant($"Soak: {seeds.Count} seed(s) from {options.SeedsFrom}, {options.Aliases} aliases each."));
        var clock = Stopwatch.StartNew();
        var reports = await ChaosSoak.RunAsync(new SoakOptions(seeds, options.Aliases), Console.WriteLine, CancellationToken.None);
        var fired = reports.SelectMany(r => r.FaultsFired).GroupBy(f => f.Kind).OrderBy(g => g.Key).Select(g => FormattableString.Invariant($"{g.Key} {g.Count()}"));
        var outcomes = reports.SelectMany(r => r.ChaosOutcomes).GroupBy(o => o.Key, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => FormattableString.Invariant($"{g.Key} {g.Sum(o => o.Value)}"));
        var failing = reports.Where(r => r.Violations.Count > 0).Select(r => r.Seed).ToList();
        Console.WriteLine(FormattableString.Invariant($"Summary: {reports.Count} seeds x {options.Aliases} aliases in {clock.Elapsed.TotalSeconds:0} s"));
        Console.WriteLine(FormattableString.Invariant($"  faults fired {reports.Sum(r => r.FaultsFired.Count)} of {reports.Sum(r => r.FaultsDrawn.Count)} drawn: {string.Join(", ", fired)}"));
        Console.WriteLine(FormattableString.Invariant($"  runs: {reports.Sum(r => r.Chaos.Count(c => !c.IsBatch))} scheduled ({reports.Sum(r => r.ConcurrentRuns)} concurrent, {reports.Sum(r => r.CutOffRuns)} cut off), {reports.Sum(r => r.ContinuationBatches)} continuation batches, {reports.Sum(r => r.Redelivered)} redelivered"));
        Console.WriteLine(FormattableString.Invariant($"  chaos outcomes: {string.Join(", ", outcomes)}; {reports.Sum(r => r.ReportedRotatedTwice)} alias(es) reported Rotated by two runs"));
        Console.WriteLine(failing.Count == 0
            ? "  invariants: all hold"
            : FormattableString.Invariant($"  invariants VIOLATED in seed(s) {string.Join(", ", failing)} ({reports.Sum(r => r.Violations.Count)} violations); replay one with --soak --seeds-from N --seeds 1 --aliases {options.Aliases}"));
        return failing.Count == 0 ? 0 : 1;
    }
}
