using Amazon.KeyManagementService;
using KeyRotation.Core.Protocol;

namespace KeyRotation.Core.Retention;

/// <summary>
/// Reads the proof of non-use of one retirement step: GetKeyLastUsage on the key, and on each replica of a multi-Region
/// key with the replica Region's client (primary and replicas track their use independently, so each must be read).
/// Read-only; a failed read is an <see cref="RetirementVerdict.Unreadable"/> proof, never an exception.
/// </summary>
internal sealed class NonUseProofReader
{
    private readonly IAmazonKeyManagementService _kms;
    private readonly KmsRegionClients? _regions;
    private readonly int _windowDays;

    public NonUseProofReader(IAmazonKeyManagementService kms, KmsRegionClients? regions, int windowDays)
    {
        _kms = kms;
        _regions = regions;
        _windowDays = windowDays;
    }

    /// <summary>The key's proof at <paramref name="now"/>; <paramref name="replicaRegions"/> are the Regions of its replicas.</summary>
    public async Task<RetirementProof> ReadAsync(string keyId, IReadOnlyList<string> replicaRegions, DateTimeOffset now, CancellationToken ct)
    {
        var keys = new List<KeyUseEvidence> { Evidence(keyId, null, await KeyLastUseReader.ReadAsync(_kms, keyId, ct), now) };
        foreach (var region in replicaRegions)
        {
            var use = _regions is null
                ? new KeyLastUse.Unreadable($"this run has no KMS client for the replica Region {region}")
                : await KeyLastUseReader.ReadAsync(_regions.For(region), keyId, ct);
            keys.Add(Evidence(keyId, region, use, now));
        }

        // Whole days suffice: for a whole number n of days, ⌊span⌋ ≥ n exactly when span ≥ n.
        var verdict = keys.Any(k => k.Finding == KeyUseFinding.Unreadable) ? RetirementVerdict.Unreadable
            : keys.All(k => k.ProvenUnusedDays >= _windowDays) ? RetirementVerdict.Proven
            : RetirementVerdict.NotProven;
        return new RetirementProof { Verdict = verdict, ReadAt = now, WindowDays = _windowDays, Keys = keys };
    }

    private static KeyUseEvidence Evidence(string keyId, string? region, KeyLastUse use, DateTimeOffset now)
    {
        var unused = use.ProvenUnusedFor(now);
        var evidence = new KeyUseEvidence
        {
            KeyId = keyId,
            Region = region,
            Finding = use switch
            {
                KeyLastUse.Used => KeyUseFinding.Used,
                KeyLastUse.NeverUsed => KeyUseFinding.NeverUsed,
                KeyLastUse.UnusedSinceTracking => KeyUseFinding.UnusedSinceTracking,
                _ => KeyUseFinding.Unreadable,
            },
            Description = use.Describe(),
            ProvenUnusedDays = unused is { } u ? (int)Math.Floor(Math.Max(0, u.TotalDays)) : null,
        };
        return use is KeyLastUse.Used used
            ? evidence with { Operation = used.Operation, LastUsedAt = used.At, CloudTrailEventId = used.CloudTrailEventId }
            : evidence;
    }
}
