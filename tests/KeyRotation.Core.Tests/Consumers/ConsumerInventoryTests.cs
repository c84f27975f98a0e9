using Amazon.Runtime;
using KeyRotation.Core.Consumers;
using static KeyRotation.Core.Tests.Consumers.ConsumerTestData;

namespace KeyRotation.Core.Tests.Consumers;

public sealed class ConsumerInventoryTests
{
    private static readonly KeyReferenceMatcher Matcher = new(Generations);

    [Fact]
    public async Task ScanAsync_FindingsOfEverySource_AreGroupedByGenerationCurrentFirst()
    {
        var sources = new[]
        {
            new ListedSource("DynamoDB tables", [new ConsumerFinding.Found(Table("a", Prefix + "key/key-2")), new ConsumerFinding.Found(Table("b", "alias/app-data")), new ConsumerFinding.Found(Table("c", "other-key"))]),
            new ListedSource("more tables", [new ConsumerFinding.Found(Table("d", "key-4"))]),
        };

        var report = await new ConsumerInventory(sources).ScanAsync(Matcher, Generations, CancellationToken.None);

        Assert.Equal(4, report.Seen);
        var groups = report.ByGeneration().ToList();
        Assert.Equal(["key-3", "key-4", "key-2", "key-1"], groups.Select(g => g.Generation.KeyId));
        Assert.Equal([["b"], ["d"], ["a"], []], groups.Select(g => g.Uses.Select(u => u.Resource.Id.Split('/')[^1]).ToList()));
        Assert.Equal(["a", "d"], report.OnOldGenerations.Select(u => u.Resource.Id.Split('/')[^1]));
    }

    [Fact]
    public async Task ScanAsync_ASourceThatFailsPartWay_KeepsWhatItListedAddsOneNotCheckedRowAndRunsTheNextSource()
    {
        var denied = new AmazonServiceException("not authorized") { ErrorCode = "AccessDeniedException" };
        var sources = new[]
        {
            new ListedSource("SSM parameters", [new ConsumerFinding.Found(Table("a", "key-2")), new ConsumerFinding.NotChecked(Table("b", null), "AccessDeniedException: no")], denied),
            new ListedSource("EBS volumes", [new ConsumerFinding.Found(Table("c", "key-2"))]),
        };

        var report = await new ConsumerInventory(sources).ScanAsync(Matcher, Generations, CancellationToken.None);

        Assert.Equal(["a", "c"], report.Uses.Select(u => u.Resource.Id.Split('/')[^1]));
        Assert.Equal(2, report.NotChecked.Count);
        Assert.Equal("AccessDeniedException: no", report.NotChecked[0].Reason);
        Assert.Equal(("SSM parameters", "SSM parameters could not be listed (AccessDeniedException: not authorized); the ones after it were not checked"), (report.NotChecked[1].Resource.Service, report.NotChecked[1].Reason));
    }

    [Fact]
    public async Task ScanAsync_Cancelled_Throws()
    {
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        var sources = new[] { new ListedSource("tables", [new ConsumerFinding.Found(Table("a", "key-2"))]) };

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => new ConsumerInventory(sources).ScanAsync(Matcher, Generations, cancelled.Token));
    }

    [Fact]
    public async Task ScanAsync_ALongSource_ReportsProgressEveryNAndWhenItEnds()
    {
        var lines = new List<string>();
        var findings = Enumerable.Range(0, 5).Select(i => (ConsumerFinding)new ConsumerFinding.Found(Table($"t{i}", "key-2"))).ToList();

        await new ConsumerInventory([new ListedSource("DynamoDB tables", findings)], lines.Add, progressEvery: 2).ScanAsync(Matcher, Generations, CancellationToken.None);

        Assert.Equal(["DynamoDB tables: 2 read, 2 use alias/app-data so far", "DynamoDB tables: 4 read, 4 use alias/app-data so far", "DynamoDB tables: done, 5 read"], lines);
    }
}
