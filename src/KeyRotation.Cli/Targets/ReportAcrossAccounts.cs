using KeyRotation.Core.Compliance;

namespace KeyRotation.Cli.Targets;

/// <summary>
/// <c>report --accounts FILE</c>: one report across every account and Region of the file, each alias marked with its
/// account and Region; an alias missing in one target, or a target that could not be reached, is that alias's error.
/// </summary>
internal static class ReportAcrossAccounts
{
    public static async Task<ComplianceReport> ReadAsync(CliContext context, IReadOnlyList<string> aliases, ComplianceSettings settings, bool readLastUse, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(aliases);
        var connections = await MultiTargetRun.PrepareAsync(context);
        var results = await MultiTargetRun.ForEachAsync(
            context,
            connections,
            (connection, token) => context.WaitAsync($"Reading {connection.Target}", () => new ComplianceReporter(connection.Kms, settings, context.Host.Time, readLastUse).ReportAsync(aliases, token)),
            ct);

        var entries = results.SelectMany(r => r.Value is { } report
            ? report.Aliases.Select(a => a with { Account = r.Target.AccountId, Region = r.Target.Region })
            : aliases.Select(alias => new AliasCompliance { Alias = alias, Account = r.Target.AccountId, Region = r.Target.Region, Error = r.Error }));
        return new ComplianceReport
        {
            GeneratedAt = context.Host.Time.GetUtcNow(),
            MaxKeyAgeDays = settings.MaxKeyAgeDays,
            Schedule = settings.Schedule,
            LastUseRead = readLastUse,
            Aliases = [.. entries],
        };
    }
}
