using System.Globalization;

namespace KeyRotation.Testing.Soak;

/// <summary>The soak's size and shape: which seeds, how many aliases each, how many runs at once within a run.</summary>
internal sealed record SoakOptions(IReadOnlyList<int> Seeds, int Aliases, int MaxConcurrency = 4);

/// <summary>What one seed did and found: aliases, faults, runs, outcomes and violations, printable on one block.</summary>
internal sealed record SeedReport(int Seed, IReadOnlyList<SeededAlias> Aliases)
{
    public IReadOnlyList<SoakFault> FaultsDrawn { get; init; } = [];

    public IReadOnlyList<SoakFault> FaultsFired { get; set; } = [];

    public IReadOnlyList<SoakRun> Chaos { get; set; } = [];

    public SoakRun? Healing { get; set; }

    public int ConcurrentRuns { get; set; }

    public int CutOffRuns { get; set; }

    public int SnsRefusedRuns { get; set; }

    public int ContinuationBatches { get; set; }

    public int Redelivered { get; set; }

    public int DeadLetters { get; set; }

    /// <summary>SNS messages published over the whole seed (chaos and healing).</summary>
    public int Notifications { get; set; }

    public IReadOnlyList<string> Violations { get; set; } = [];

    public TimeSpan Elapsed { get; set; }

    /// <summary>Outcome counts over the scheduled runs of the chaos phase (batches answer per message, not per alias).</summary>
    public IReadOnlyDictionary<string, int> ChaosOutcomes => Count(Chaos.SelectMany(r => r.Results ?? []));

    public IReadOnlyDictionary<string, int> HealingOutcomes => Count(Healing?.Results ?? []);

    /// <summary>
    /// Aliases that more than one run reported Rotated (each with its notification): a run that finds a move made but
    /// not yet notified (its run cut off, its notice refused by SNS, or that run still going) finishes it. Printed, not
    /// judged: the invariants are about moves; whether a second notice of one move is wanted is the protocol's.
    /// </summary>
    public int ReportedRotatedTwice => Chaos.Append(Healing).SelectMany(r => r?.Results ?? []).Where(r => r.Outcome == "Rotated")
        .GroupBy(r => r.Alias, StringComparer.Ordinal).Count(g => g.Count() > 1);

    public IEnumerable<string> Lines()
    {
        var scheduled = Chaos.Count(r => !r.IsBatch);
        yield return Invariant($"seed {Seed}: {Aliases.Count} aliases ({Counts(Aliases.GroupBy(a => a.Strategy.ToString()))}); {Elapsed.TotalSeconds:0.0} s");
        yield return Invariant($"  faults: {FaultsDrawn.Count} drawn, {FaultsFired.Count} fired ({Counts(FaultsFired.GroupBy(f => f.Kind.ToString()))})");
        yield return Invariant($"  runs: {scheduled} scheduled ({ConcurrentRuns} concurrent, {CutOffRuns} cut off, {SnsRefusedRuns} step(s) with SNS refusing, {Chaos.Count(r => !r.IsBatch && r.Results is null)} ended before a response), {ContinuationBatches} continuation batch(es), {Redelivered} redelivered, {DeadLetters} dead-lettered");
        yield return Invariant($"  chaos outcomes: {Counts(ChaosOutcomes)}; healing: {Counts(HealingOutcomes)}; {Notifications} notifications, {ReportedRotatedTwice} alias(es) reported Rotated by two runs");
        yield return Violations.Count == 0 ? "  invariants: all hold" : Invariant($"  invariants: {Violations.Count} VIOLATED");
        foreach (var violation in Violations)
        {
            yield return "    " + violation;
        }
    }

    private static Dictionary<string, int> Count(IEnumerable<SoakResult> results) =>
        results.GroupBy(r => r.Outcome, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);

    private static string Counts(IEnumerable<IGrouping<string, object>> groups) => Counts(groups.ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal));

    private static string Counts(IReadOnlyDictionary<string, int> counts) =>
        counts.Count == 0 ? "none" : string.Join(", ", counts.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => Invariant($"{c.Key} {c.Value}")));

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}

/// <summary>Runs the soak's seeds one after another and prints each seed's report as it ends.</summary>
internal static class ChaosSoak
{
    public static async Task<IReadOnlyList<SeedReport>> RunAsync(SoakOptions options, Action<string> print, CancellationToken ct)
    {
        var reports = new List<SeedReport>();
        foreach (var seed in options.Seeds)
        {
            var report = await SoakSeed.RunAsync(seed, options, ct);
            foreach (var line in report.Lines())
            {
                print(line);
            }

            reports.Add(report);
        }

        return reports;
    }
}
