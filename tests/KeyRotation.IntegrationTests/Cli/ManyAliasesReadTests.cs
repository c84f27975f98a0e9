using System.Text.Json;

namespace KeyRotation.IntegrationTests.Cli;

/// <summary>
/// status and plan over many aliases read every marker alias from one paged ListAliases, not with a DescribeKey per
/// marker: DescribeKey is called only for what the listing cannot answer (each alias's key and earlier generations).
/// </summary>
public sealed class ManyAliasesReadTests
{
    private const int Aliases = 5;
    private readonly CliHarness _cli = new();

    [Fact]
    public async Task Status_ManyRotatedAliases_ListsAliasesOnceAndDescribesNoMarker()
    {
        var names = await RotatedAliasesAsync();
        _cli.Service.ClearRecordedRequests();

        var run = await _cli.RunAsync(["status", .. names, "--output", "json"]);

        Assert.Equal(0, run.ExitCode);
        Assert.All(run.Json().GetProperty("aliases").EnumerateArray(), a => Assert.Equal(JsonValueKind.Null, a.GetProperty("inProgress").ValueKind));
        var calls = _cli.Service.RecordedRequests;
        Assert.Equal(1, calls.Count(c => c.Operation == "ListAliases"));
        Assert.DoesNotContain(calls, c => c.Operation == "DescribeKey" && c.Body.Contains("alias/keyrotation/", StringComparison.Ordinal));

        // Per alias: its key (through the alias) and its one earlier generation; nothing else.
        Assert.Equal(2 * Aliases, calls.Count(c => c.Operation == "DescribeKey"));
    }

    [Fact]
    public async Task Plan_ManyRotatedAliases_ListsAliasesOnceAndDescribesNoMarker()
    {
        var names = await RotatedAliasesAsync();
        _cli.Time.Advance(TimeSpan.FromDays(40));
        _cli.Service.ClearRecordedRequests();

        var run = await _cli.RunAsync(["plan", .. names, "--output", "json"]);

        Assert.Equal(0, run.ExitCode);
        Assert.All(run.Json().GetProperty("results").EnumerateArray(), r => Assert.Equal("Planned", r.GetProperty("outcome").GetString()));
        var calls = _cli.Service.RecordedRequests;
        Assert.Equal(1, calls.Count(c => c.Operation == "ListAliases"));
        Assert.DoesNotContain(calls, c => c.Operation == "DescribeKey" && c.Body.Contains("alias/keyrotation/", StringComparison.Ordinal));
        Assert.Equal(Aliases, calls.Count(c => c.Operation == "DescribeKey"));
    }

    /// <summary>Aliases rotated once each (so each has a marker, on its old key, and an earlier generation).</summary>
    private async Task<string[]> RotatedAliasesAsync()
    {
        var names = Enumerable.Range(1, Aliases).Select(i => $"alias/app-{i}").ToArray();
        foreach (var name in names)
        {
            await _cli.CreateAliasAsync(name);
            await _cli.RotateAsync(name);
        }

        return names;
    }
}
