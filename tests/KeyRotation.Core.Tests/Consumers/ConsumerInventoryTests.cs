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

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ScanAsync_ASourceThatTimesOut_IsNotCheckedWithTheReasonAndTheNextSourceRuns(bool taskCanceled)
    {
        // What HttpClient throws when its Timeout elapses: the caller's token was never cancelled.
        Exception timeout = taskCanceled ? new TaskCanceledException("The request was canceled due to the configured HttpClient.Timeout of 100 seconds elapsing.") : new OperationCanceledException("The operation was canceled.");
        var sources = new[]
        {
            new ListedSource("SSM parameters", [new ConsumerFinding.Found(Table("a", "key-2"))], timeout),
            new ListedSource("EBS volumes", [new ConsumerFinding.Found(Table("c", "key-2"))]),
        };

        var report = await new ConsumerInventory(sources).ScanAsync(Matcher, Generations, CancellationToken.None);

        Assert.Equal(["a", "c"], report.Uses.Select(u => u.Resource.Id.Split('/')[^1]));
        var notChecked = Assert.Single(report.NotChecked);
        Assert.Equal(("SSM parameters", "listing"), (notChecked.Resource.Service, notChecked.Resource.Kind));
        Assert.StartsWith("SSM parameters could not be listed (timed out: ", notChecked.Reason, StringComparison.Ordinal);
        Assert.EndsWith("); the ones after it were not checked", notChecked.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ListAsync_ASourceThatTimesOut_IsNotCheckedAndTheNextSourceRuns()
    {
        var sources = new[]
        {
            new ListedSource("DynamoDB tables", [], new TaskCanceledException("timed out")),
            new ListedSource("EBS volumes", [new ConsumerFinding.Found(Table("c", "key-2"))]),
        };

        var listing = await new ConsumerInventory(sources).ListAsync(CancellationToken.None);

        Assert.Equal(["c"], listing.Found.Select(r => r.Id.Split('/')[^1]));
        Assert.Equal("DynamoDB tables could not be listed (timed out: timed out); the ones after it were not checked", Assert.Single(listing.NotChecked).Reason);
    }

    [Fact]
    public async Task ScanAsync_CancelledWhileASourceIsListing_StopsTheScan()
    {
        using var run = new CancellationTokenSource();
        var after = new ListedSource("EBS volumes", [new ConsumerFinding.Found(Table("c", "key-2"))]);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => new ConsumerInventory([new CancellingSource(run), after]).ScanAsync(Matcher, Generations, run.Token));
    }

    [Fact]
    public async Task ListAsync_MatchedForTwoAliases_GivesEachItsOwnUsesAndBothTheUnchecked()
    {
        var other = new ConsumerGeneration(1, "key-9", Prefix + "key/key-9", GenerationRole.Current);
        var otherAlias = new AliasGenerations("alias/other", Prefix + "alias/other", other, [other]);
        var sources = new[]
        {
            new ListedSource("DynamoDB tables", [new ConsumerFinding.Found(Table("a", "key-2")), new ConsumerFinding.Found(Table("b", "key-9")), new ConsumerFinding.NotChecked(Table("x", null), "AccessDeniedException: no")]),
        };

        var listing = await new ConsumerInventory(sources).ListAsync(CancellationToken.None);
        var mine = listing.Match(Matcher, Generations);
        var theirs = listing.Match(new KeyReferenceMatcher(otherAlias), otherAlias);

        Assert.Equal(["a"], mine.Uses.Select(u => u.Resource.Id.Split('/')[^1]));
        Assert.Equal(["b"], theirs.Uses.Select(u => u.Resource.Id.Split('/')[^1]));
        Assert.Equal((2, 2), (mine.Seen, theirs.Seen));
        Assert.Equal("AccessDeniedException: no", Assert.Single(mine.NotChecked).Reason);
        Assert.Equal("AccessDeniedException: no", Assert.Single(theirs.NotChecked).Reason);
    }

    /// <summary>A source whose call is cancelled by the run itself while it lists.</summary>
    private sealed class CancellingSource(CancellationTokenSource run) : IConsumerSource
    {
        public string Name => "SSM parameters";

        public async IAsyncEnumerable<ConsumerFinding> ScanAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
        {
            await run.CancelAsync();
            ct.ThrowIfCancellationRequested();
            yield break;
        }
    }
}
