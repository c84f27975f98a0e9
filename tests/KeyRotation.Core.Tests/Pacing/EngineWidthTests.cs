using KeyRotation.Core.Pacing;
using Microsoft.Extensions.Time.Testing;
using KeyRotation.Integrations.Composition;

namespace KeyRotation.Core.Tests.Pacing;

/// <summary>The engine's width follows the pacer's observations as the run goes, and no alias is lost when it changes.</summary>
public sealed class EngineWidthTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 1, 3, 0, 0, TimeSpan.Zero));

    [Fact]
    public async Task RunAsync_WidthShrinksToOneThenGrowsToTheCap_EveryAliasRotatesOnceAndNeverMoreAtOnceThanTheCap()
    {
        var kms = new KmsMock(_time);
        var aliases = Enumerable.Range(0, 40).Select(i => $"alias/width/app-{i:00}").ToList();
        aliases.ForEach(a => kms.AddKey(a));
        var pacer = new KmsRequestPacer(KmsRequestQuotas.Default, _time);
        var notifier = new SwingingNotifier(pacer);
        var engine = RotationComposition.Engine(kms.Object, notifier, new RotationOptions { MaxConcurrency = 6 }, _time, NullRotationLog.Instance, pacer: pacer);

        var report = await engine.RunAsync(new RotationRequest { RotationId = "rot-width", Aliases = aliases }, CancellationToken.None);

        Assert.Equal(aliases, report.Results.Select(r => r.Alias));
        Assert.All(report.Results, r => Assert.Equal(RotationOutcome.Rotated, r.Outcome));
        Assert.Equal(40, notifier.Notified);
        Assert.InRange(notifier.MostAtOnce, 1, 6);
    }

    /// <summary>
    /// Feeds the pacer what makes the sizing swing: for the first 20 notices, many instant UpdateAlias calls (T = 0:
    /// width 1); then very slow DescribeKey calls (T large: the cap). Counts notifications in flight.
    /// </summary>
    private sealed class SwingingNotifier(KmsRequestPacer pacer) : IRotationNotifier
    {
        private int _notified;
        private int _inFlight;
        private int _mostAtOnce;

        public int Notified => Volatile.Read(ref _notified);

        public int MostAtOnce => Volatile.Read(ref _mostAtOnce);

        public async Task NotifyAsync(RotationNotice notice, CancellationToken cancellationToken)
        {
            var now = Interlocked.Increment(ref _inFlight);
            int seen;
            while (now > (seen = Volatile.Read(ref _mostAtOnce)) && Interlocked.CompareExchange(ref _mostAtOnce, now, seen) != seen)
            {
            }

            await Task.Yield();
            if (Interlocked.Increment(ref _notified) > 20)
            {
                pacer.Record("DescribeKey", TimeSpan.FromHours(3), throttled: false);
            }
            else
            {
                for (var i = 0; i < 500; i++)
                {
                    pacer.Record("UpdateAlias", TimeSpan.Zero, throttled: false);
                }
            }

            Interlocked.Decrement(ref _inFlight);
        }
    }
}
