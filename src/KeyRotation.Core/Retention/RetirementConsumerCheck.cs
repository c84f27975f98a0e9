using Amazon.KeyManagementService;
using Amazon.Runtime;
using KeyRotation.Core.Consumers;

namespace KeyRotation.Core.Retention;

/// <summary>
/// The consumer inventory retention runs before it retires a generation (RETIRE_CHECK_CONSUMERS): the sources of the
/// function's own account and Region (bucket default encryption, DynamoDB tables, SSM SecureString parameters, EBS
/// volumes and snapshots; never S3 objects), listed at most once per run, on the first step of any alias that needs
/// it, and every alias's generations matched against that one listing; so a run with nothing to retire sends no
/// consumer request, and one with 20 aliases lists the account once, not 20 times. Read-only.
/// </summary>
public sealed class RetirementConsumerCheck
{
    private readonly IAmazonKeyManagementService _kms;
    private readonly IReadOnlyList<IConsumerSource> _sources;

    public RetirementConsumerCheck(IAmazonKeyManagementService kms, IReadOnlyList<IConsumerSource> sources)
    {
        ArgumentNullException.ThrowIfNull(kms);
        ArgumentNullException.ThrowIfNull(sources);
        _kms = kms;
        _sources = sources;
    }

    /// <summary>A fresh cache for one run (or plan): the sources are listed once in it, and each alias's chain read once.</summary>
    internal Scans StartRun() => new(this);

    /// <summary>The alias's evidence, as what it shows for each of its keys, from the run's one listing.</summary>
    private async Task<Func<string, RetirementConsumers>> MatchAsync(string alias, Func<Task<ConsumerListing>> listing, CancellationToken ct)
    {
        AliasGenerations generations;
        try
        {
            generations = await AliasGenerations.ReadAsync(_kms, alias, ct);
        }
        catch (Exception ex) when (ex is RotationException or AmazonServiceException)
        {
            // Without the generations no reference can be matched: nothing is checked.
            var unread = new ConsumerFinding.NotChecked(new ConsumerResource("KMS", "listing", alias, null), $"the generations of {alias} could not be read: {ConsumerInventory.Reason(ex)}");
            return _ => new RetirementConsumers([], [unread], 0);
        }

        var report = (await listing()).Match(new KeyReferenceMatcher(generations), generations);
        return keyId => RetirementConsumers.For(report, keyId);
    }

    /// <summary>The listing of one run, and each alias's evidence from it.</summary>
    internal sealed class Scans
    {
        private readonly RetirementConsumerCheck _check;
        private readonly Dictionary<string, Task<Func<string, RetirementConsumers>>> _byAlias = new(StringComparer.Ordinal);
        private Task<ConsumerListing>? _listing;

        internal Scans(RetirementConsumerCheck check) => _check = check;

        /// <summary>What the inventory shows for <paramref name="keyId"/> of <paramref name="alias"/>, listing the sources on the run's first use.</summary>
        public async Task<RetirementConsumers> ForAsync(string alias, string keyId, CancellationToken ct)
        {
            if (!_byAlias.TryGetValue(alias, out var scan))
            {
                scan = _check.MatchAsync(alias, () => _listing ??= new ConsumerInventory(_check._sources).ListAsync(ct), ct);
                _byAlias[alias] = scan;
            }

            return (await scan)(keyId);
        }
    }
}
