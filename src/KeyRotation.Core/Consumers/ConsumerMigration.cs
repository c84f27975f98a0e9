using Amazon.Runtime;

namespace KeyRotation.Core.Consumers;

/// <summary>What the migration did (or, in a dry run, would do) to one resource the inventory found.</summary>
public sealed record MigrationItem(ConsumerUse Use, MigrationOutcome Outcome);

/// <summary>The migration's result: every resource that references the alias's generations, and what was not checked.</summary>
public sealed record MigrationSummary(MigrationTarget Target, IReadOnlyList<MigrationItem> Items, IReadOnlyList<ConsumerFinding.NotChecked> NotChecked, bool DryRun)
{
    public int Count(MigrationResult result) => Items.Count(i => i.Outcome.Result == result);

    /// <summary>"moved 2, skipped 3, failed 1 ..." (the counts that are not zero; skipped: already on the target).</summary>
    public string Describe()
    {
        var parts = new List<string>();
        void Add(MigrationResult result, string name)
        {
            if (Count(result) is var n and > 0)
            {
                parts.Add($"{name} {n}");
            }
        }

        Add(MigrationResult.WouldMove, "would move");
        Add(MigrationResult.Moved, "moved");
        Add(MigrationResult.AlreadyCurrent, "skipped (already current)");
        Add(MigrationResult.Manual, "manual (runbook)");
        Add(MigrationResult.Failed, "failed");
        if (NotChecked.Count > 0)
        {
            parts.Add($"not checked {NotChecked.Count}");
        }

        return parts.Count == 0 ? "nothing references the alias's generations" : string.Join(", ", parts);
    }
}

/// <summary>
/// Moves the resources the inventory found on an old generation to the alias's current key, one at a time, each through
/// the migrator of its kind. Idempotent and resumable: each migrator reads the resource again before it writes and
/// answers <see cref="MigrationResult.AlreadyCurrent"/> when it is already there, and a run that was stopped is
/// finished by running it again (what it moved is then found on the current key and skipped). A resource that fails is
/// reported with its reason and the others still run; only cancellation stops the run. Pacing is each migrator's.
/// </summary>
public sealed class ConsumerMigration
{
    private readonly IReadOnlyList<IConsumerMigrator> _migrators;
    private readonly Action<string>? _progress;
    private readonly int _progressEvery;

    public ConsumerMigration(IReadOnlyList<IConsumerMigrator> migrators, Action<string>? progress = null, int progressEvery = 50)
    {
        ArgumentNullException.ThrowIfNull(migrators);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(progressEvery);
        _migrators = migrators;
        _progress = progress;
        _progressEvery = progressEvery;
    }

    /// <summary>The target of a migration for the alias of <paramref name="generations"/>: its name, ARN and current key's ARN.</summary>
    public static MigrationTarget TargetOf(AliasGenerations generations)
    {
        ArgumentNullException.ThrowIfNull(generations);
        return new MigrationTarget(
            generations.AliasName,
            generations.AliasArn,
            generations.Current.KeyArn ?? throw new RotationException($"The current key of {generations.AliasName} has no ARN."));
    }

    public async Task<MigrationSummary> RunAsync(ConsumerReport report, bool dryRun, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(report);
        var target = TargetOf(report.Generations);
        var items = new List<MigrationItem>();
        foreach (var use in report.Uses.Where(u => !u.OnOldGeneration))
        {
            items.Add(new MigrationItem(use, new MigrationOutcome(
                MigrationResult.AlreadyCurrent,
                use.Match.ByAlias ? $"names the alias ({use.Match.Describe()})" : $"already on the current key (generation {use.Match.Generation.Generation})")));
        }

        var old = report.OnOldGenerations.ToList();
        for (var i = 0; i < old.Count; i++)
        {
            items.Add(new MigrationItem(old[i], await MigrateAsync(old[i], target, dryRun, ct)));
            if ((i + 1) % _progressEvery == 0)
            {
                _progress?.Invoke($"{(dryRun ? "checked" : "migrated")} {i + 1} of {old.Count}");
            }
        }

        return new MigrationSummary(target, items, report.NotChecked, dryRun);
    }

    private async Task<MigrationOutcome> MigrateAsync(ConsumerUse use, MigrationTarget target, bool dryRun, CancellationToken ct)
    {
        var migrator = _migrators.FirstOrDefault(m => m.Handles(use.Resource));
        if (migrator is null)
        {
            return new MigrationOutcome(MigrationResult.Manual, $"this tool does not move {use.Resource.Service} {use.Resource.Kind}s: point it at {target.CurrentKeyArn} by hand");
        }

        try
        {
            return await migrator.MigrateAsync(use.Resource, target, dryRun, ct);
        }
        catch (Exception ex) when (ex is AmazonServiceException or AmazonClientException or HttpRequestException or IOException)
        {
            return new MigrationOutcome(MigrationResult.Failed, $"{ConsumerInventory.Reason(ex)}; left as it was");
        }
    }
}
