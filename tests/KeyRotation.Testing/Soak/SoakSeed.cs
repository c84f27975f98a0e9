using System.Diagnostics;

namespace KeyRotation.Testing.Soak;

/// <summary>
/// One seed of the soak: seed the aliases and encrypt under each; draw faults at random KMS calls; run the period's
/// scheduled event several times (alone, two at once, cut off mid-batch, with SNS refusing), deliver the continuation
/// messages (some twice); then, with every fault gone and every claim expired, one healing run and one more that must
/// move nothing. The invariants are checked after the chaos and after the healing. Everything random comes from the
/// seed, so a failing seed replays the same plan (the threads' interleaving aside).
/// </summary>
internal static class SoakSeed
{
    /// <summary>Longer than any claim a cut-off run can have left (its deadline plus the claim margin).</summary>
    private static readonly TimeSpan AllClaimsExpired = TimeSpan.FromHours(2);

    public static async Task<SeedReport> RunAsync(int seed, SoakOptions options, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        var random = new Random(seed);
        await using var world = new SoakWorld(options.MaxConcurrency);
        var aliases = await SoakAliases.SeedAsync(world.Client, random, options.Aliases, ct);
        var invariants = new SoakInvariants(world.Client, seed, aliases);
        var faults = SoakFaults.Install(random, world.Kms.Faults, aliases.Count, Math.Max(4, aliases.Count / 2));
        var report = new SeedReport(seed, aliases) { FaultsDrawn = faults };

        var chaos = new List<SoakRun>();
        var steps = random.Next(2, 5);
        for (var step = 0; step < steps; step++)
        {
            var refuseSns = random.NextDouble() < 0.25;
            world.Sns.RefuseWith = refuseSns ? "InternalError" : null;
            report.SnsRefusedRuns += refuseSns ? 1 : 0;
            switch (random.Next(3))
            {
                case 0:
                    chaos.Add(await world.InvokeAsync("scheduled", SoakWorld.ScheduledEvent));
                    break;
                case 1:
                    report.ConcurrentRuns += 2;
                    chaos.AddRange(await Task.WhenAll(
                        world.InvokeAsync("concurrent scheduled", SoakWorld.ScheduledEvent),
                        world.InvokeAsync("concurrent scheduled", SoakWorld.ScheduledEvent)));
                    break;
                default:
                    report.CutOffRuns++;
                    var perRead = TimeSpan.FromMilliseconds(random.Next(200, 3000));
                    chaos.Add(await world.InvokeAsync("cut-off scheduled", SoakWorld.ScheduledEvent, cutOff: true, world.Clock.Ticking(perRead)));
                    break;
            }
        }

        world.Sns.RefuseWith = null;
        var (batches, redelivered) = await world.DrainQueueAsync(random, redeliver: 0.3);
        chaos.AddRange(batches);
        report.ContinuationBatches = batches.Count - redelivered;
        report.Redelivered = redelivered;
        report.FaultsFired = SoakFaults.Fired(faults, world.Kms.Faults);
        world.Kms.Faults.Clear();
        report.Chaos = chaos;
        foreach (var run in chaos)
        {
            invariants.CheckRun(run);
        }

        await invariants.CheckKmsAsync(healed: false, ct);

        world.Clock.Advance(AllClaimsExpired);
        var healing = await world.InvokeAsync("healing", SoakWorld.ScheduledEvent);
        var (leftovers, _) = await world.DrainQueueAsync(random, redeliver: 0);
        report.Healing = healing;
        invariants.CheckRun(healing, healing: true);
        foreach (var run in leftovers)
        {
            invariants.CheckRun(run, healing: true);
        }

        await invariants.CheckKmsAsync(healed: true, ct);
        var before = await invariants.FingerprintAsync(ct);
        var again = await world.InvokeAsync("second healing", SoakWorld.ScheduledEvent);
        invariants.CheckNothingMoved(again);
        if (await invariants.FingerprintAsync(ct) != before)
        {
            invariants.Violate("(second healing run)", "KMS changed in a run after the period's rotation was done");
        }

        if (world.Sqs.Messages.Count > 0)
        {
            invariants.Violate("(continuation queue)", $"{world.Sqs.Messages.Count} message(s) never drained");
        }

        report.DeadLetters = world.Sqs.DeadLetters.Count;
        report.Notifications = world.Sns.Snapshot().Count;
        report.Violations = invariants.Violations;
        report.Elapsed = clock.Elapsed;
        return report;
    }
}
