namespace KeyRotation.Core.Pacing;

/// <summary>
/// How many aliases to rotate at once, from the quotas and what the calls of this run showed (Little's law):
/// <list type="bullet">
/// <item>c(op) = calls of op per finished alias, L(op) = its mean latency at KMS;</item>
/// <item>the quota bound B = min over paced operations of rate(op) / c(op), in aliases per second;</item>
/// <item>one alias, unhindered, takes T = Σ c(op) × L(op);</item>
/// <item>concurrency N = ⌈Headroom × B × T⌉, between 1 and the configured cap.</item>
/// </list>
/// B × T aliases in flight keep the scarcest operation busy; the headroom covers the wait for tokens and uneven
/// latency. More would only queue at the limiter (memory, and time past the deadline for aliases already started).
/// </summary>
public static class ConcurrencySizing
{
    /// <summary>Aliases in flight per alias the bound needs, to absorb the wait for tokens and uneven latency.</summary>
    public const double Headroom = 2;

    /// <summary>Before any alias has finished: the width to start with (the former fixed default).</summary>
    public const int Initial = 4;

    /// <summary>The quota bound B in aliases per second, from calls per alias; null when no paced operation is called.</summary>
    public static double? Bound(KmsRequestQuotas quotas, IReadOnlyDictionary<string, double> callsPerAlias)
    {
        ArgumentNullException.ThrowIfNull(quotas);
        ArgumentNullException.ThrowIfNull(callsPerAlias);
        double? bound = null;
        foreach (var (operation, calls) in callsPerAlias)
        {
            if (calls > 0 && quotas.RateOf(operation) is { } rate)
            {
                bound = Math.Min(bound ?? double.MaxValue, rate / calls);
            }
        }

        return bound;
    }

    /// <summary>N for the statistics gathered since the run started, over <paramref name="finished"/> aliases.</summary>
    internal static int Size(KmsRequestQuotas quotas, IReadOnlyDictionary<string, KmsCallStatistics> sinceStart, int finished, int cap)
    {
        ArgumentNullException.ThrowIfNull(sinceStart);
        cap = Math.Max(1, cap);
        if (finished <= 0)
        {
            return Math.Min(cap, Initial);
        }

        var callsPerAlias = sinceStart.ToDictionary(s => s.Key, s => (double)s.Value.Calls / finished, StringComparer.Ordinal);
        if (Bound(quotas, callsPerAlias) is not { } bound)
        {
            return cap;
        }

        var seconds = sinceStart.Sum(s => callsPerAlias[s.Key] * s.Value.MeanLatency.TotalSeconds);
        var wanted = Math.Ceiling(Headroom * bound * seconds);
        return (int)Math.Clamp(double.IsFinite(wanted) ? wanted : cap, 1, cap);
    }

    /// <summary>The statistics gathered between two snapshots of <see cref="KmsRequestPacer.Statistics"/>.</summary>
    internal static IReadOnlyDictionary<string, KmsCallStatistics> Since(IReadOnlyDictionary<string, KmsCallStatistics> start, IReadOnlyDictionary<string, KmsCallStatistics> now)
    {
        ArgumentNullException.ThrowIfNull(start);
        ArgumentNullException.ThrowIfNull(now);
        var result = new Dictionary<string, KmsCallStatistics>(StringComparer.Ordinal);
        foreach (var (operation, current) in now)
        {
            var before = start.TryGetValue(operation, out var b) ? b : new KmsCallStatistics(0, 0, TimeSpan.Zero);
            var calls = current.Calls - before.Calls;
            if (calls <= 0)
            {
                continue;
            }

            var latencyTicks = (current.MeanLatency.Ticks * current.Calls) - (before.MeanLatency.Ticks * before.Calls);
            result[operation] = new KmsCallStatistics(calls, current.Throttled - before.Throttled, TimeSpan.FromTicks(Math.Max(0, latencyTicks / calls)));
        }

        return result;
    }
}
