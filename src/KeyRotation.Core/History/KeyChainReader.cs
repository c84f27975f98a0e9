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

    public KeyChainReader(IAmazonKeyManagementService kms) => _calls = new KmsCalls(kms);

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
