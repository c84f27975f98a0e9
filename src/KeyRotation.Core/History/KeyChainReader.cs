using System.Globalization;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;

namespace KeyRotation.Core.History;

/// <summary>
/// Reads an alias's chain of generations from the rotation tags: DescribeKey and ListResourceTags per key,
/// following previous-key back from the current key. Read-only; shared by status and rollback.
/// </summary>
internal sealed class KeyChainReader
{
    /// <summary>A chain longer than this is taken as a tagging loop, not history (KMS allows 100,000 keys per Region).</summary>
    private const int MaxChainLength = 1000;

    private readonly KmsCalls _calls;
    private readonly IAmazonKeyManagementService _kms;

    public KeyChainReader(IAmazonKeyManagementService kms)
    {
        _kms = kms;
        _calls = new KmsCalls(kms);
    }

    public Task<KeyMetadata?> DescribeAsync(string keyIdOrAlias, CancellationToken ct) => _calls.DescribeAsync(keyIdOrAlias, ct);

    public Task<Dictionary<string, string>> TagsAsync(string keyId, CancellationToken ct) => _calls.TagsAsync(keyId, ct);

    /// <summary>One key as a generation; a key that no longer exists is returned with <see cref="KeyGeneration.Missing"/>.</summary>
    public async Task<(KeyGeneration Generation, Dictionary<string, string> Tags)> ReadAsync(string keyId, long generationIfUntagged, CancellationToken ct)
    {
        var key = await DescribeAsync(keyId, ct);
        if (key is null)
        {
            return (new KeyGeneration { KeyId = keyId, Generation = generationIfUntagged, Missing = true }, new Dictionary<string, string>(StringComparer.Ordinal));
        }

        var tags = await TagsAsync(key.KeyId, ct);
        return (ToGeneration(key, tags, generationIfUntagged), tags);
    }

    /// <summary>Earlier generations, newest first, starting from the current key's previous-key.</summary>
    public async Task<List<KeyGeneration>> EarlierAsync(KeyGeneration current, CancellationToken ct)
    {
        var chain = new List<KeyGeneration>();
        var seen = new HashSet<string>(StringComparer.Ordinal) { current.KeyId };
        var next = current.PreviousKeyId;
        var generation = current.Generation;
        while (next is not null && seen.Add(next) && chain.Count < MaxChainLength)
        {
            var (key, _) = await ReadAsync(next, Math.Max(1, generation - 1), ct);
            chain.Add(key);
            generation = key.Generation;
            next = key.PreviousKeyId;
        }

        return chain;
    }

    /// <summary>
    /// The key's material rotations, newest first (ListKeyRotations, every page). Only symmetric encryption keys rotate
    /// material; a caller that may not list rotations (an operator without kms:ListKeyRotations) sees none.
    /// </summary>
    public async Task<KeyGeneration> WithMaterialRotationsAsync(KeyGeneration key, CancellationToken ct)
    {
        if (key.Missing || key.KeySpec != KeySpec.SYMMETRIC_DEFAULT.Value || key.KeyState == KeyState.PendingDeletion.Value)
        {
            return key;
        }

        var rotations = new List<KeyMaterialRotation>();
        string? marker = null;
        try
        {
            do
            {
                var page = await _kms.ListKeyRotationsAsync(new ListKeyRotationsRequest { KeyId = key.KeyId, Marker = marker }, ct);
                rotations.AddRange((page.Rotations ?? []).Where(r => r.RotationDate is not null && r.RotationType is not null)
                    .Select(r => new KeyMaterialRotation(new DateTimeOffset(DateTime.SpecifyKind(r.RotationDate!.Value, DateTimeKind.Utc)), r.KeyMaterialId, r.RotationType.Value)));
                marker = page.Truncated == true ? page.NextMarker : null;
            }
            while (marker is not null);
        }
        catch (Amazon.Runtime.AmazonServiceException ex) when (ex.ErrorCode is "AccessDeniedException" or "UnsupportedOperationException")
        {
            // Status is read-only and best effort here: without the right, the generations are still shown.
            return key;
        }

        return key with { MaterialRotations = [.. rotations.OrderByDescending(r => r.RotatedAt)] };
    }

    public static KeyGeneration ToGeneration(KeyMetadata key, IReadOnlyDictionary<string, string> tags, long generationIfUntagged = 1) => new()
    {
        KeyId = key.KeyId,
        Arn = key.Arn,
        Generation = ReadLong(tags, RotationTags.Generation, generationIfUntagged),
        KeyState = key.KeyState?.Value,
        State = tags.GetValueOrDefault(RotationTags.State),
        CreatedAt = key.CreationDate is { } created ? new DateTimeOffset(DateTime.SpecifyKind(created, DateTimeKind.Utc)) : null,
        RetiredAt = tags.GetValueOrDefault(RotationTags.RetiredAt),
        RestoredAt = tags.GetValueOrDefault(RotationTags.RestoredAt),
        RolledBackAt = tags.GetValueOrDefault(RotationTags.RolledBackAt),
        PreviousKeyId = tags.GetValueOrDefault(RotationTags.PreviousKey),
        SuccessorKeyId = tags.GetValueOrDefault(RotationTags.SuccessorKey),
        Sequence = ReadLong(tags, RotationTags.Sequence, 0),
        KeySpec = key.KeySpec?.Value,
        KeyUsage = key.KeyUsage?.Value,
    };

    public static long ReadLong(IReadOnlyDictionary<string, string> tags, string key, long fallback) =>
        tags.TryGetValue(key, out var text) && long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : fallback;

}
