using Amazon.Runtime;

namespace KeyRotation.Core.Consumers;

/// <summary>A resource that references one of the alias's generations, and how.</summary>
public sealed record ConsumerUse(ConsumerResource Resource, KeyMatch Match)
{
    /// <summary>On a generation other than the current one, by key id or ARN (or another alias): what a migration moves.</summary>
    public bool OnOldGeneration => Match.Generation.Role != GenerationRole.Current && !Match.ByAlias;
}

/// <summary>
/// What one scan found for an alias: the resources that reference its generations, the ones that could not be read
/// (with the reason), and how many KMS-encrypted resources were seen in all (the others use other keys).
/// </summary>
public sealed record ConsumerReport(AliasGenerations Generations, IReadOnlyList<ConsumerUse> Uses, IReadOnlyList<ConsumerFinding.NotChecked> NotChecked, int Seen)
{
    /// <summary>Every generation, current first then newest to oldest, each with the resources that reference it (possibly none).</summary>
    public IEnumerable<(ConsumerGeneration Generation, IReadOnlyList<ConsumerUse> Uses)> ByGeneration() =>
        Generations.All
            .OrderBy(g => g.Role == GenerationRole.Current ? 0 : 1)
            .ThenByDescending(g => g.Generation)
            .Select(g => (g, (IReadOnlyList<ConsumerUse>)[.. Uses.Where(u => string.Equals(u.Match.Generation.KeyId, g.KeyId, StringComparison.Ordinal))]));

    /// <summary>The uses a migration would move.</summary>
    public IEnumerable<ConsumerUse> OnOldGenerations => Uses.Where(u => u.OnOldGeneration);
}

/// <summary>
/// The consumer inventory: runs every source in turn, matches each stored reference to a generation of the alias, and
/// keeps what could not be read. A source that fails part-way (its listing denied, the endpoint gone) becomes one
/// "not checked" row with the reason, and the next source still runs; so does one that times out (a cancellation the
/// caller's token did not ask for). Only the caller's cancellation stops the scan.
/// </summary>
public sealed class ConsumerInventory
{
    private readonly IReadOnlyList<IConsumerSource> _sources;
    private readonly Action<string>? _progress;
    private readonly int _progressEvery;

    /// <param name="progress">Told every <paramref name="progressEvery"/> resources of a source, and when a long source ends (for stderr).</param>
    public ConsumerInventory(IReadOnlyList<IConsumerSource> sources, Action<string>? progress = null, int progressEvery = 500)
    {
        ArgumentNullException.ThrowIfNull(sources);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(progressEvery);
        _sources = sources;
        _progress = progress;
        _progressEvery = progressEvery;
    }

    /// <summary>Lists every source and matches each reference to a generation of one alias as it goes, with progress.</summary>
    public async Task<ConsumerReport> ScanAsync(KeyReferenceMatcher matcher, AliasGenerations generations, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(matcher);
        ArgumentNullException.ThrowIfNull(generations);
        var uses = new List<ConsumerUse>();
        var notChecked = new List<ConsumerFinding.NotChecked>();
        var seen = 0;
        await ReadAsync(
            resource =>
            {
                seen++;
                if (matcher.Match(resource.KeyReference) is { } match)
                {
                    uses.Add(new ConsumerUse(resource, match));
                }
            },
            notChecked,
            _progress is null ? null : (source, count) => $"{source}: {count} read, {uses.Count} use {generations.AliasName} so far",
            ct);
        return new ConsumerReport(generations, uses, notChecked, seen);
    }

    /// <summary>
    /// Lists every source once, matching nothing yet and reporting no progress: what a run that checks several aliases
    /// reads once and matches each alias against (<see cref="ConsumerListing.Match"/>).
    /// </summary>
    public async Task<ConsumerListing> ListAsync(CancellationToken ct)
    {
        var found = new List<ConsumerResource>();
        var notChecked = new List<ConsumerFinding.NotChecked>();
        await ReadAsync(found.Add, notChecked, progressLine: null, ct);
        return new ConsumerListing(found, notChecked);
    }

    /// <param name="progressLine">The line told every progressEvery resources of a source; null: no progress at all.</param>
    private async Task ReadAsync(Action<ConsumerResource> onFound, List<ConsumerFinding.NotChecked> notChecked, Func<string, int, string>? progressLine, CancellationToken ct)
    {
        foreach (var source in _sources)
        {
            var count = 0;
            await using var findings = source.ScanAsync(ct).GetAsyncEnumerator(ct);
            while (true)
            {
                // A source that pages without calls (or between them) still stops when the run is cancelled.
                ct.ThrowIfCancellationRequested();
                ConsumerFinding finding;
                try
                {
                    if (!await findings.MoveNextAsync())
                    {
                        break;
                    }

                    finding = findings.Current;
                }
                catch (Exception ex) when (ex is AmazonServiceException or AmazonClientException or HttpRequestException or IOException)
                {
                    notChecked.Add(Unlisted(source, Reason(ex)));
                    break;
                }
                catch (OperationCanceledException ex) when (!ct.IsCancellationRequested)
                {
                    // Not the run's cancellation: an HttpClient timeout (TaskCanceledException). The source is unread,
                    // which keeps every key it may hold, and the other sources still run.
                    notChecked.Add(Unlisted(source, $"timed out: {ex.Message}"));
                    break;
                }

                count++;
                switch (finding)
                {
                    case ConsumerFinding.NotChecked skipped:
                        notChecked.Add(skipped);
                        break;
                    case ConsumerFinding.Found found:
                        onFound(found.Resource);
                        break;
                }

                if (progressLine is not null && count % _progressEvery == 0)
                {
                    _progress?.Invoke(progressLine(source.Name, count));
                }
            }

            if (progressLine is not null && count >= _progressEvery)
            {
                _progress?.Invoke($"{source.Name}: done, {count} read");
            }
        }
    }

    private static ConsumerFinding.NotChecked Unlisted(IConsumerSource source, string reason) =>
        new(new ConsumerResource(source.Name, "listing", "*", null), $"{source.Name} could not be listed ({reason}); the ones after it were not checked");

    /// <summary>An AWS error as "ErrorCode: message", else the exception's own message.</summary>
    public static string Reason(Exception ex)
    {
        ArgumentNullException.ThrowIfNull(ex);
        return ex is AmazonServiceException service ? $"{service.ErrorCode ?? service.GetType().Name}: {service.Message}" : ex.Message;
    }
}
