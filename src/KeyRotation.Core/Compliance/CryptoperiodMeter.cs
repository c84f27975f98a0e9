using Amazon.KeyManagementService;
using Amazon.Runtime;
using KeyRotation.Core.History;
using KeyRotation.Core.Protocol;

namespace KeyRotation.Core.Compliance;

/// <summary>
/// Measures aliases against their cryptoperiod from KMS's own dates: the current key's CreationDate and its material
/// rotations (ListKeyRotations), and the override tag, through the protocol's readers. Needs only what the rotation
/// role already has (DescribeKey, ListResourceTags, ListKeyRotations); never GetKeyLastUsage. Reads only.
/// </summary>
public sealed class CryptoperiodMeter
{
    /// <summary>Aliases measured at once: the reads are cheap, and the pacer keeps them within KMS's quotas.</summary>
    private const int Width = 8;

    private readonly KeyChainReader _reader;
    private readonly ComplianceSettings _settings;
    private readonly TimeProvider _time;

    public CryptoperiodMeter(IAmazonKeyManagementService kms, ComplianceSettings settings, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(settings);
        _reader = new KeyChainReader(kms);
        _settings = settings;
        _time = time;
    }

    /// <summary>Every alias measured, in the order given; one that cannot be read (or carries a bad tag) is not measured, with why.</summary>
    public async Task<CryptoperiodMeasurements> MeasureAsync(IReadOnlyList<string> aliases, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(aliases);
        var results = new (AliasCryptoperiod? Measured, string? Problem)[aliases.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, aliases.Count), new ParallelOptions { MaxDegreeOfParallelism = Width, CancellationToken = ct }, async (i, token) =>
        {
            results[i] = await MeasureAsync(aliases[i], token);
        });

        return new CryptoperiodMeasurements(
            [.. results.Select(r => r.Measured).OfType<AliasCryptoperiod>()],
            [.. results.Select((r, i) => (aliases[i], r.Problem)).Where(r => r.Problem is not null).Select(r => (r.Item1, r.Problem!))]);
    }

    private async Task<(AliasCryptoperiod?, string?)> MeasureAsync(string alias, CancellationToken ct)
    {
        try
        {
            if (await _reader.DescribeAsync(alias, ct) is not { } key)
            {
                return (null, $"{alias} does not exist in this account and Region.");
            }

            var tags = await _reader.TagsAsync(key.KeyId, ct);
            var current = await _reader.WithMaterialRotationsAsync(KeyChainReader.ToGeneration(key, tags), ct);
            return Measure(alias, current, KeyRecord.From(tags), _settings, _time.GetUtcNow());
        }
        catch (Exception ex) when (ex is RotationException or AmazonServiceException)
        {
            return (null, $"{alias}: {ex.Message}");
        }
    }

    /// <summary>One alias from its current key as read: the measurement, or why there is none.</summary>
    internal static (AliasCryptoperiod?, string?) Measure(string alias, KeyGeneration current, KeyRecord record, ComplianceSettings settings, DateTimeOffset now)
    {
        if (MaterialSince(current) is not { } since)
        {
            return (null, $"{alias}: key {current.KeyId} has no CreationDate.");
        }

        var (days, source, problem) = settings.CryptoperiodOf(alias, current.KeyId, record);
        return problem is not null
            ? (null, problem)
            : (AliasCryptoperiod.Measure(alias, current.KeyId, since, days!.Value, source, settings.Schedule, now) with { KeyArn = current.Arn }, null);
    }

    /// <summary>Since when the key's current material is in use: its latest material rotation, else its creation.</summary>
    internal static DateTimeOffset? MaterialSince(KeyGeneration key) =>
        key.MaterialRotations.Count > 0 && (key.CreatedAt is null || key.MaterialRotations[0].RotatedAt > key.CreatedAt)
            ? key.MaterialRotations[0].RotatedAt
            : key.CreatedAt;
}
