using Amazon.KeyManagementService;
using Amazon.Runtime;
using KeyRotation.Core.Consumers;

namespace KeyRotation.Core.Retention;

/// <summary>
/// The consumer inventory retention runs before it retires a generation (RETIRE_CHECK_CONSUMERS): the sources of the
/// function's own account and Region (bucket default encryption, DynamoDB tables, SSM SecureString parameters, EBS
/// volumes and snapshots; never S3 objects), scanned at most once per alias per run, on the first step that needs it,
/// so a run with nothing to retire sends no consumer request. Read-only.
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

    /// <summary>A fresh cache for one run (or plan): each alias is scanned once in it.</summary>
    internal Scans StartRun() => new(this);

    /// <summary>The alias's scan, as what it shows for each of its keys.</summary>
    private async Task<Func<string, RetirementConsumers>> ScanAsync(string alias, CancellationToken ct)
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

        var report = await new ConsumerInventory(_sources).ScanAsync(new KeyReferenceMatcher(generations), generations, ct);
        return keyId => RetirementConsumers.For(report, keyId);
    }

    /// <summary>The scans of one run, by alias.</summary>
    internal sealed class Scans
    {
        private readonly RetirementConsumerCheck _check;
        private readonly Dictionary<string, Task<Func<string, RetirementConsumers>>> _byAlias = new(StringComparer.Ordinal);

        internal Scans(RetirementConsumerCheck check) => _check = check;

        /// <summary>What the inventory shows for <paramref name="keyId"/> of <paramref name="alias"/>, scanning the alias on first use.</summary>
        public async Task<RetirementConsumers> ForAsync(string alias, string keyId, CancellationToken ct)
        {
            if (!_byAlias.TryGetValue(alias, out var scan))
            {
                scan = _check.ScanAsync(alias, ct);
                _byAlias[alias] = scan;
            }

            return (await scan)(keyId);
        }
    }
}
