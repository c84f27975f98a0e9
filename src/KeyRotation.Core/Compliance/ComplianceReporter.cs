using Amazon.KeyManagementService;
using Amazon.Runtime;
using KeyRotation.Core.History;
using KeyRotation.Core.Protocol;
using KeyRotation.Core.Retention;

namespace KeyRotation.Core.Compliance;

/// <summary>
/// Builds the <see cref="ComplianceReport"/> of some aliases from what status reads (the same
/// <see cref="AliasHistory"/>, so its numbers are status's), the cryptoperiod measurement, KMS's alias dates, and, when
/// asked, each generation's GetKeyLastUsage. Reads only.
/// </summary>
public sealed class ComplianceReporter
{
    private readonly IAmazonKeyManagementService _kms;
    private readonly ComplianceSettings _settings;
    private readonly TimeProvider _time;
    private readonly bool _readLastUse;
    private readonly KmsRegionClients? _regions;
    private readonly KeyChainReader _reader;

    /// <param name="readLastUse">Call GetKeyLastUsage on every generation (the operator's credentials need kms:GetKeyLastUsage).</param>
    /// <param name="regions">KMS in the replica Regions of multi-Region keys, as for status.</param>
    public ComplianceReporter(IAmazonKeyManagementService kms, ComplianceSettings settings, TimeProvider time, bool readLastUse, KmsRegionClients? regions = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        _kms = kms;
        _settings = settings;
        _time = time;
        _readLastUse = readLastUse;
        _regions = regions;
        _reader = new KeyChainReader(kms);
    }

    /// <summary>The report of <paramref name="aliases"/>, after one ListAliases for the aliases' dates and marker aliases.</summary>
    public async Task<ComplianceReport> ReportAsync(IReadOnlyList<string> aliases, CancellationToken ct) =>
        await ReportAsync(aliases, await AliasSnapshot.ReadAsync(_kms, ct), ct);

    /// <summary>The report of <paramref name="aliases"/> from a listing the caller already made (null: no alias dates).</summary>
    internal async Task<ComplianceReport> ReportAsync(IReadOnlyList<string> aliases, AliasSnapshot? snapshot, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(aliases);
        var history = new AliasHistory(_kms, snapshot, _regions);
        var entries = new List<AliasCompliance>();
        foreach (var alias in aliases)
        {
            entries.Add(await ReadAsync(history, alias, snapshot, ct));
        }

        return new ComplianceReport
        {
            GeneratedAt = _time.GetUtcNow(),
            MaxKeyAgeDays = _settings.MaxKeyAgeDays,
            Schedule = _settings.Schedule,
            LastUseRead = _readLastUse,
            Aliases = entries,
        };
    }

    private async Task<AliasCompliance> ReadAsync(AliasHistory history, string alias, AliasSnapshot? snapshot, CancellationToken ct)
    {
        AliasStatus status;
        KeyRecord record;
        try
        {
            status = await history.GetAsync(alias, ct);
            record = KeyRecord.From(await _reader.TagsAsync(status.Current.KeyId, ct));
        }
        catch (Exception ex) when (ex is RotationException or AmazonServiceException)
        {
            return new AliasCompliance { Alias = alias, Error = ex.Message };
        }

        var (measured, problem) = CryptoperiodMeter.Measure(alias, status.Current, record, _settings, _time.GetUtcNow());
        var (lastRotation, source) = LastRotation(status, snapshot?.LastUpdatedOf(alias));
        var generations = new List<GenerationCompliance>();
        foreach (var (role, key) in Keys(status))
        {
            generations.Add(new GenerationCompliance
            {
                Role = role,
                Key = key,
                LastUse = _readLastUse && !key.Missing ? await LastUseAsync(_kms, key.KeyId, ct) : null,
                Replicas = role == "current" ? await ReplicasAsync(status, ct) : [],
            });
        }

        return new AliasCompliance
        {
            Alias = alias,
            Status = status,
            Cryptoperiod = measured,
            LastRotation = lastRotation,
            LastRotationSource = source,
            Generations = generations,
            Cost = KeyCost.For(status),
            Error = problem,
        };
    }

    /// <summary>The keys status lists, in its order: the current key, the earlier generations, the rolled-back ones.</summary>
    private static IEnumerable<(string Role, KeyGeneration Key)> Keys(AliasStatus status) =>
        new[] { ("current", status.Current) }
            .Concat(status.Earlier.Select(k => ("earlier", k)))
            .Concat(status.RolledBack.Select(k => ("rolled back", k)));

    /// <summary>
    /// When the alias last got new material, from KMS's dates: its current key's latest material rotation, or, once this
    /// tool has moved the alias, when KMS last pointed the alias at a key (LastUpdatedDate; without a listing, the
    /// current key's CreationDate). Null when neither happened: the alias is on the key it had before this tool.
    /// </summary>
    internal static (DateTimeOffset? At, string? Source) LastRotation(AliasStatus status, DateTimeOffset? aliasUpdated)
    {
        (DateTimeOffset? At, string? Source) moved = !status.RotatedByTool ? (null, null)
            : aliasUpdated is { } updated ? (updated, "alias LastUpdatedDate")
            : (status.Current.CreatedAt, "key CreationDate");
        var material = status.Current.MaterialRotations.Count > 0 ? status.Current.MaterialRotations[0].RotatedAt : (DateTimeOffset?)null;
        return material is { } rotated && (moved.At is null || rotated > moved.At) ? (rotated, "ListKeyRotations") : moved;
    }

    /// <summary>The current key's replicas that exist, each with its own last use, read in its Region (primary and replicas track use apart).</summary>
    private async Task<IReadOnlyList<ReplicaLastUse>> ReplicasAsync(AliasStatus status, CancellationToken ct)
    {
        var replicas = new List<ReplicaLastUse>();
        foreach (var replica in status.Replicas.Where(r => r.Error is null && r.KeyState != "NotFound"))
        {
            var lastUse = _readLastUse && _regions is not null ? await LastUseAsync(_regions.For(replica.Region), replica.Arn ?? replica.KeyId, ct) : null;
            replicas.Add(new ReplicaLastUse(replica.Region, replica.KeyId, replica.KeyState, lastUse));
        }

        return replicas;
    }

    private static async Task<LastUseEvidence> LastUseAsync(IAmazonKeyManagementService kms, string keyId, CancellationToken ct) => await KeyLastUseReader.ReadAsync(kms, keyId, ct) switch
    {
        KeyLastUse.Used used => new("used", used.At, used.Operation, used.CloudTrailEventId, used.Describe()),
        KeyLastUse.NeverUsed never => new("never-used", never.CreatedAt, null, null, never.Describe()),
        KeyLastUse.UnusedSinceTracking tracking => new("unused-since-tracking", tracking.TrackingStart, null, null, tracking.Describe()),
        var unknown => new("unknown", null, null, null, unknown.Describe()),
    };
}
