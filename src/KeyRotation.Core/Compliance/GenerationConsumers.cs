using Amazon.KeyManagementService;
using Amazon.Runtime;
using KeyRotation.Core.Consumers;

namespace KeyRotation.Core.Compliance;

/// <summary>
/// The consumers of one generation in the report: the resources that reference it (by key id, key ARN, or, for the
/// current key, the alias), and the resources of the account the inventory could not check, any of which may.
/// </summary>
public sealed record GenerationConsumers(IReadOnlyList<ConsumerUse> Uses, IReadOnlyList<ConsumerFinding.NotChecked> NotChecked)
{
    public int Count => Uses.Count;

    /// <summary>One cell: "2: dynamodb table orders, ssm parameter /app/db (1 not checked)", "none", "none (1 not checked)".</summary>
    public string Describe()
    {
        var found = Count == 0 ? "none" : $"{Count}: {string.Join(", ", Uses.Select(u => Retention.RetirementConsumers.Name(u.Resource)))}";
        return NotChecked.Count == 0 ? found : $"{found} ({NotChecked.Count} not checked)";
    }
}

/// <summary>
/// Adds the consumer inventory to a report: one listing of the sources for the whole report (taken when the first alias
/// with generations is read), matched against each alias's generations (read through the one chain reader), and per
/// generation the resources that reference it. Reads only; an alias whose generations
/// cannot be read keeps its generations' consumers null.
/// </summary>
public static class ReportConsumers
{
    public static async Task<ComplianceReport> AddAsync(ComplianceReport report, IAmazonKeyManagementService kms, IReadOnlyList<IConsumerSource> sources, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(kms);
        ArgumentNullException.ThrowIfNull(sources);
        var aliases = new List<AliasCompliance>(report.Aliases.Count);
        ConsumerListing? listing = null;
        foreach (var alias in report.Aliases)
        {
            if (alias.Generations.Count == 0)
            {
                aliases.Add(alias);
                continue;
            }

            AliasGenerations generations;
            try
            {
                generations = await AliasGenerations.ReadAsync(kms, alias.Alias, ct);
            }
            catch (Exception ex) when (ex is RotationException or AmazonServiceException)
            {
                aliases.Add(alias);
                continue;
            }

            listing ??= await new ConsumerInventory(sources).ListAsync(ct);
            var scan = listing.Match(new KeyReferenceMatcher(generations), generations);
            aliases.Add(alias with
            {
                Generations = [.. alias.Generations.Select(g => g with
                {
                    Consumers = new GenerationConsumers([.. scan.Uses.Where(u => string.Equals(u.Match.Generation.KeyId, g.Key.KeyId, StringComparison.Ordinal))], scan.NotChecked),
                })],
            });
        }

        return report with { Aliases = aliases, ConsumersRead = true };
    }
}
