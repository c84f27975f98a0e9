using KeyRotation.Core.Pacing;

namespace KeyRotation.Core.Tests.Pacing;

public sealed class ConcurrencySizingTests
{
    private static readonly TimeSpan Latency = TimeSpan.FromMilliseconds(40);

    [Fact]
    public void Bound_TwoUpdateAliasPerAlias_IsHalfItsQuota()
    {
        var bound = ConcurrencySizing.Bound(KmsRequestQuotas.Default, new Dictionary<string, double> { ["CreateKey"] = 1, ["UpdateAlias"] = 2, ["DescribeKey"] = 3 });

        Assert.Equal(2.5, bound);
    }

    [Fact]
    public void Size_ObservedCallsAndLatency_IsHeadroomTimesBoundTimesAliasDuration()
    {
        // 10 aliases: per alias 1 CreateKey, 1 CreateAlias, 1 UpdateAlias, 2 TagResource, 3 DescribeKey, 3 ListResourceTags
        // at 40 ms: B = 5 / 1 = 5 per second, T = 11 × 40 ms = 0.44 s, N = ⌈2 × 5 × 0.44⌉ = 5.
        var observed = Observed(("CreateKey", 10), ("CreateAlias", 10), ("UpdateAlias", 10), ("TagResource", 20), ("DescribeKey", 30), ("ListResourceTags", 30));

        Assert.Equal(5, ConcurrencySizing.Size(KmsRequestQuotas.Default, observed, 10, cap: 32));
    }

    [Fact]
    public void Size_RaisedQuotas_GrowsWithTheBound()
    {
        var observed = Observed(("CreateKey", 10), ("CreateAlias", 10), ("UpdateAlias", 10), ("TagResource", 20), ("DescribeKey", 30), ("ListResourceTags", 30));
        var raised = KmsRequestQuotas.Parse("CreateKey=20,CreateAlias=20,UpdateAlias=20,TagResource=40", "KMS_REQUEST_QUOTAS", [])!;

        Assert.Equal(18, ConcurrencySizing.Size(raised, observed, 10, cap: 32));
        Assert.Equal(8, ConcurrencySizing.Size(raised, observed, 10, cap: 8));
    }

    [Fact]
    public void Size_NothingFinishedYet_StartsAtTheInitialWidth()
    {
        Assert.Equal(ConcurrencySizing.Initial, ConcurrencySizing.Size(KmsRequestQuotas.Default, Observed(), 0, cap: 32));
        Assert.Equal(2, ConcurrencySizing.Size(KmsRequestQuotas.Default, Observed(), 0, cap: 2));
    }

    [Fact]
    public void Since_TwoSnapshots_IsTheCallsAndLatencyBetweenThem()
    {
        var start = new Dictionary<string, KmsCallStatistics> { ["CreateKey"] = new(2, 0, TimeSpan.FromMilliseconds(10)) };
        var now = new Dictionary<string, KmsCallStatistics> { ["CreateKey"] = new(4, 1, TimeSpan.FromMilliseconds(30)), ["UpdateAlias"] = new(1, 0, Latency) };

        var since = ConcurrencySizing.Since(start, now);

        Assert.Equal(new KmsCallStatistics(2, 1, TimeSpan.FromMilliseconds(50)), since["CreateKey"]);
        Assert.Equal(new KmsCallStatistics(1, 0, Latency), since["UpdateAlias"]);
    }

    private static Dictionary<string, KmsCallStatistics> Observed(params (string Operation, long Calls)[] calls) =>
        calls.ToDictionary(c => c.Operation, c => new KmsCallStatistics(c.Calls, 0, Latency), StringComparer.Ordinal);
}
