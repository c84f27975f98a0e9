using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using KeyRotation.Core.History;

namespace KeyRotation.Core.Protocol;

/// <summary>One key of an alias's chain as the walk found it; <see cref="Key"/> is null for a key that no longer exists.</summary>
/// <param name="Generation">The tagged generation, or one less than the newer key's for an untagged key.</param>
internal sealed record ChainLink(string KeyId, KeyMetadata? Key, Dictionary<string, string> Tags, KeyRecord Record, long Generation);

/// <summary>
/// The one reader of an alias's chain of generations: DescribeKey and ListResourceTags per key, following
/// previous-key back from the current key, each key parsed into its <see cref="KeyRecord"/>. Read-only; status,
/// history, rollback, retention, escrow restore and the replica Regions all walk the chain through it.
/// </summary>
internal sealed class KeyChainReader
{
    /// <summary>A chain longer than this is taken as a tagging loop, not history (KMS allows 100,000 keys per Region).</summary>
    internal const int MaxChainLength = 1000;

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
        ArgumentNullException.ThrowIfNull(current);
        var links = await WalkAsync(current.PreviousKeyId, current.KeyId, current.Generation, MaxChainLength, ct);
        return [.. links.Select(link => link.Key is null
            ? new KeyGeneration { KeyId = link.KeyId, Generation = link.Generation, Missing = true }
            : ToGeneration(link.Key, link.Record, link.Generation))];
    }

    /// <summary>
    /// The chain from <paramref name="firstKeyId"/> back along previous-key, newest first, at most
    /// <paramref name="limit"/> keys (a longer chain is taken as a tagging loop, not history). A key that no longer
    /// exists ends the walk as a link without metadata; a key seen before (a loop) ends it silently.
    /// </summary>
    /// <param name="newerKeyId">The key the walk starts behind (already read by the caller).</param>
    /// <param name="newerGeneration">That key's generation, from which untagged keys' generations count down.</param>
    public async Task<List<ChainLink>> WalkAsync(string? firstKeyId, string newerKeyId, long newerGeneration, int limit, CancellationToken ct)
    {
        var chain = new List<ChainLink>();
        var seen = new HashSet<string>(StringComparer.Ordinal) { newerKeyId };
        var next = firstKeyId;
        var generation = newerGeneration;
        while (next is not null && seen.Add(next) && chain.Count < limit)
        {
            var key = await DescribeAsync(next, ct);
            if (key is null)
            {
                chain.Add(new ChainLink(next, null, new Dictionary<string, string>(StringComparer.Ordinal), KeyRecord.Untagged, Math.Max(1, generation - 1)));
                break;
            }

            var tags = await TagsAsync(key.KeyId, ct);
            var record = KeyRecord.From(tags);
            generation = record.GenerationOr(Math.Max(1, generation - 1));
            chain.Add(new ChainLink(key.KeyId, key, tags, record, generation));
            next = record.PreviousKeyId;
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
        try
        {
            await foreach (var r in _kms.Paginators.ListKeyRotations(new ListKeyRotationsRequest { KeyId = key.KeyId }).Rotations.WithCancellation(ct))
            {
                if (r.RotationDate is not null && r.RotationType is not null)
                {
                    rotations.Add(new KeyMaterialRotation(new DateTimeOffset(DateTime.SpecifyKind(r.RotationDate.Value, DateTimeKind.Utc)), r.KeyMaterialId, r.RotationType.Value));
                }
            }
        }
        catch (Amazon.Runtime.AmazonServiceException ex) when (ex.ErrorCode is "AccessDeniedException" or "UnsupportedOperationException")
        {
            // Status is read-only and best effort here: without the right, the generations are still shown.
            return key;
        }

        return key with { MaterialRotations = [.. rotations.OrderByDescending(r => r.RotatedAt)] };
    }

    public static KeyGeneration ToGeneration(KeyMetadata key, IReadOnlyDictionary<string, string> tags, long generationIfUntagged = 1)
    {
        var record = KeyRecord.From(tags);
        return ToGeneration(key, record, record.GenerationOr(generationIfUntagged));
    }

    private static KeyGeneration ToGeneration(KeyMetadata key, KeyRecord record, long generation) => new()
    {
        KeyId = key.KeyId,
        Arn = key.Arn,
        Generation = generation,
        KeyState = key.KeyState?.Value,
        State = record.State,
        Retired = record.IsRetired,
        CreatedAt = key.CreationDate is { } created ? new DateTimeOffset(DateTime.SpecifyKind(created, DateTimeKind.Utc)) : null,
        DeletionDate = key.DeletionDate is { } deletion ? new DateTimeOffset(DateTime.SpecifyKind(deletion, DateTimeKind.Utc)) : null,
        RetiredAt = record.RetiredAt,
        RestoredAt = record.RestoredAt,
        RolledBackAt = record.RolledBackAt,
        PreviousKeyId = record.PreviousKeyId,
        SuccessorKeyId = record.SuccessorKeyId,
        Sequence = record.Sequence,
        KeySpec = key.KeySpec?.Value,
        KeyUsage = key.KeyUsage?.Value,
    };
}
