using System.Collections.Concurrent;
using System.Globalization;

namespace KeyRotation.IntegrationTests;

/// <summary>
/// What the green bar stands for: how many schedules the interleaving explorer ran and how many crash points the crash
/// matrices hold. The suites report here; <see cref="SuiteCoverageFramework"/> prints the totals once at the end of the
/// run, where <c>dotnet test</c> shows them.
/// </summary>
internal static class SuiteCoverage
{
    private static readonly ConcurrentDictionary<string, int> CrashPointsBySuite = new(StringComparer.Ordinal);
    private static long _schedules;
    private static int _scenarios;

    /// <summary>One scenario of the interleaving explorer finished after running <paramref name="schedules"/> schedules.</summary>
    public static void SchedulesExplored(int schedules)
    {
        Interlocked.Add(ref _schedules, schedules);
        Interlocked.Increment(ref _scenarios);
    }

    /// <summary>
    /// The crash points a crash-matrix suite kills a run at. Set, not added: xunit reads a theory's data more than once
    /// (discovery, then the run), and a suite's points count once.
    /// </summary>
    public static void CrashPoints(string suite, int points) => CrashPointsBySuite[suite] = points;

    /// <summary>The lines to print; none for what did not run.</summary>
    public static IReadOnlyList<string> Lines()
    {
        var lines = new List<string>();
        var scenarios = Volatile.Read(ref _scenarios);
        if (scenarios > 0)
        {
            lines.Add(string.Create(CultureInfo.InvariantCulture, $"interleaving: {Interlocked.Read(ref _schedules):N0} schedules explored over {scenarios} scenarios"));
        }

        if (!CrashPointsBySuite.IsEmpty)
        {
            var suites = CrashPointsBySuite.OrderBy(s => s.Key, StringComparer.Ordinal).ToList();
            var each = string.Join(", ", suites.Select(s => string.Create(CultureInfo.InvariantCulture, $"{s.Key} {s.Value}")));
            lines.Add(string.Create(CultureInfo.InvariantCulture, $"crash matrix: {suites.Sum(s => s.Value):N0} crash points over {suites.Count} suites ({each})"));
        }

        return lines;
    }
}
