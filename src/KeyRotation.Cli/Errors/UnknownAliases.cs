using Amazon.KeyManagementService;
using KeyRotation.Core;
using KeyRotation.Core.Protocol;

namespace KeyRotation.Cli.Errors;

/// <summary>
/// Refuses an alias that does not exist before a command reads, changes, publishes or saves anything (exit 2, bad
/// input), with the closest existing alias names from one paged ListAliases as "did you mean".
/// </summary>
internal static class UnknownAliases
{
    /// <summary>Lists the account's aliases once and refuses <paramref name="names"/> that are not among them; returns the listing.</summary>
    public static async Task<AliasSnapshot> RefuseAsync(CliContext context, IAmazonKeyManagementService kms, IEnumerable<string> names, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(context);
        var snapshot = await context.WaitAsync("Listing aliases", () => AliasSnapshot.ReadAsync(kms, ct));
        Refuse(context, snapshot, names);
        return snapshot;
    }

    /// <summary>Refuses <paramref name="names"/> that the listing does not hold.</summary>
    public static void Refuse(CliContext context, AliasSnapshot snapshot, IEnumerable<string> names)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(snapshot);
        ArgumentNullException.ThrowIfNull(names);
        var listed = snapshot.Names.ToHashSet(StringComparer.Ordinal);
        var missing = names.Where(n => !listed.Contains(n)).Distinct(StringComparer.Ordinal).ToList();
        if (missing.Count == 0)
        {
            return;
        }

        // Only names this tool could work on are offered: not AWS managed aliases, not this tool's marker aliases.
        var candidates = listed.Where(n => AliasNames.Validate(n) is null).ToList();
        var problems = missing.Select(name => $"{name} does not exist in this account and Region{ClosestNames.Hint(ClosestNames.Of(name, candidates))}");
        throw new UsageException(string.Join("; ", problems));
    }
}
