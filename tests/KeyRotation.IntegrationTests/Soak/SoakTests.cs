using System.Diagnostics;
using KeyRotation.IntegrationTests.Rotation;
using KeyRotation.Testing.Soak;
using Xunit.Abstractions;

namespace KeyRotation.IntegrationTests.Soak;

/// <summary>
/// The seeded chaos soak, small (issue 20's safety net): a fixed set of seeds over every strategy, faults at random KMS
/// calls, duplicate, concurrent and cut-off runs of one period, redelivered continuation messages and SNS refusing; then
/// the invariants. A failing seed replays with `dotnet run --project bench/KeyRotation.Bench -- --soak --seeds-from N --seeds 1 --aliases M`.
/// </summary>
[Collection(ProcessEnvironmentTests.Name)]
public sealed class SoakTests(ITestOutputHelper output)
{
    /// <summary>Fixed seeds and sizes: each seed draws its own mix of strategies, faults and runs.</summary>
    private static readonly SoakOptions Small = new(Seeds: [1, 2, 3, 4, 5], Aliases: 12);

    [Fact]
    public async Task Soak_FixedSeeds_EveryAliasMovesOnceNoKeyIsLostAndTheHealingRunFinishesEverything()
    {
        using var credentials = SoakProcess.Credentials();
        var clock = Stopwatch.StartNew();

        var reports = await ChaosSoak.RunAsync(Small, output.WriteLine, CancellationToken.None);

        output.WriteLine($"{reports.Count} seeds in {clock.Elapsed.TotalSeconds:0.0} s");
        var violations = reports.SelectMany(r => r.Violations).ToList();
        Assert.True(violations.Count == 0, string.Join('\n', violations));
        Assert.All(reports, r => Assert.NotEmpty(r.FaultsFired));

        // The fixed seeds must keep meeting every kind of trouble; if a change of calls makes them miss one, pick others.
        Assert.Equal(Enum.GetValues<SoakFaultKind>(), reports.SelectMany(r => r.FaultsFired).Select(f => f.Kind).Distinct().Order());
        Assert.Contains(reports, r => r.ConcurrentRuns > 0);
        Assert.Contains(reports, r => r.CutOffRuns > 0 && r.ContinuationBatches > 0);
        Assert.Contains(reports, r => r.Redelivered > 0);
        Assert.Contains(reports, r => r.SnsRefusedRuns > 0);
    }
}

/// <summary>
/// The handler builds its clients as Lambda does, reading credentials and the Region from the process; these tests share
/// the process environment collection, so none sees another's values.
/// </summary>
internal static class SoakProcess
{
    public static IDisposable Credentials() => new Scope(new Dictionary<string, string?>
    {
        ["AWS_ACCESS_KEY_ID"] = "soak",
        ["AWS_SECRET_ACCESS_KEY"] = "soak",
        ["AWS_SESSION_TOKEN"] = null,
        ["AWS_PROFILE"] = null,
        ["AWS_REGION"] = SoakWorld.Region,
    });

    private sealed class Scope : IDisposable
    {
        private readonly Dictionary<string, string?> _previous = new(StringComparer.Ordinal);

        public Scope(Dictionary<string, string?> variables)
        {
            foreach (var (name, value) in variables)
            {
                _previous[name] = Environment.GetEnvironmentVariable(name);
                Environment.SetEnvironmentVariable(name, value);
            }

            // The SDK keeps the first Region it found for the process (another test's eu-west-1, say): look again.
            Amazon.Runtime.FallbackRegionFactory.Reset();
        }

        public void Dispose()
        {
            foreach (var (name, value) in _previous)
            {
                Environment.SetEnvironmentVariable(name, value);
            }

            Amazon.Runtime.FallbackRegionFactory.Reset();
        }
    }
}
