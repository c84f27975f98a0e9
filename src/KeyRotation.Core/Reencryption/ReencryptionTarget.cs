using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using KeyRotation.Core.Protocol;

namespace KeyRotation.Core.Reencryption;

/// <summary>
/// Where re-encrypted ciphertexts go and where they may come from: the alias's current key, read once per run so every
/// ciphertext of the run moves to the same key even if the alias moves meanwhile, and the alias's generations. A
/// generation is a key of the chain from the current key back along previous-key (the one chain reader), a key one of
/// the alias's marker aliases points at, or a key this tool created for the alias (a generation a rollback stepped
/// off the chain); anything else is another alias's key, and its ciphertexts are refused.
/// </summary>
internal sealed class ReencryptionTarget
{
    private readonly KeyChainReader _chain;
    private readonly AliasSnapshot? _snapshot;
    private readonly Dictionary<string, long?> _generations;
    private readonly Dictionary<string, bool> _checkedOutsideTheChain = new(StringComparer.Ordinal);

    private ReencryptionTarget(string alias, KeyMetadata currentKey, KeyChainReader chain, AliasSnapshot? snapshot, Dictionary<string, long?> generations)
    {
        Alias = alias;
        CurrentKey = currentKey;
        _chain = chain;
        _snapshot = snapshot;
        _generations = generations;
    }

    public string Alias { get; }

    /// <summary>The key the alias pointed at when the run began: every ReEncrypt of the run names its ARN as destination.</summary>
    public KeyMetadata CurrentKey { get; }

    /// <summary>
    /// Reads the alias's current key and walks its chain. <paramref name="snapshot"/> (one ListAliases, as the CLI's
    /// alias check made it) adds the keys the alias's marker aliases point at and names other aliases' keys in refusals.
    /// </summary>
    /// <exception cref="RotationException">The alias does not exist, or KMS refused a read.</exception>
    public static async Task<ReencryptionTarget> ReadAsync(IAmazonKeyManagementService kms, string alias, AliasSnapshot? snapshot, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(kms);
        ArgumentException.ThrowIfNullOrWhiteSpace(alias);
        var chain = new KeyChainReader(kms);
        var current = await chain.DescribeAsync(alias, ct)
            ?? throw new RotationException($"Alias {alias} does not exist in this account and Region.");
        var record = KeyRecord.From(await chain.TagsAsync(current.KeyId, ct));
        var generation = record.GenerationOr(1);
        var generations = new Dictionary<string, long?>(StringComparer.Ordinal) { [current.KeyId] = generation };
        foreach (var link in await chain.WalkAsync(record.PreviousKeyId, current.KeyId, generation, KeyChainReader.MaxChainLength, ct))
        {
            generations.TryAdd(link.KeyId, link.Generation);
        }

        // A marker alias stays on the key its move replaced: it names a generation even where a tag was lost.
        var ownMarkers = MarkerNames.OwnPrefix(alias);
        foreach (var name in snapshot?.Names.Where(n => n.StartsWith(ownMarkers, StringComparison.Ordinal)) ?? [])
        {
            if (snapshot!.TargetOf(name) is { } keyId)
            {
                generations.TryAdd(keyId, null);
            }
        }

        return new ReencryptionTarget(alias, current, chain, snapshot, generations);
    }

    /// <summary>True when the key (id or ARN) is the current key.</summary>
    public bool IsCurrent(string keyIdOrArn) => KeyIdOf(keyIdOrArn) == CurrentKey.KeyId;

    /// <summary>
    /// Whether the key (id or ARN, as ReEncrypt names the source key) is one of the alias's generations, and its
    /// generation number when the chain knows it. A key outside the chain is read once (DescribeKey, ListResourceTags).
    /// </summary>
    public async Task<(bool IsGeneration, long? Generation)> FindAsync(string keyIdOrArn, CancellationToken ct)
    {
        var keyId = KeyIdOf(keyIdOrArn);
        if (_generations.TryGetValue(keyId, out var generation))
        {
            return (true, generation);
        }

        if (!_checkedOutsideTheChain.TryGetValue(keyId, out var created))
        {
            // A rolled-back generation is off the chain but still tagged with the alias it was created for.
            var key = await _chain.DescribeAsync(keyId, ct);
            created = key is not null && KeyRecord.From(await _chain.TagsAsync(key.KeyId, ct)).Alias == Alias;
            _checkedOutsideTheChain[keyId] = created;
        }

        return (created, null);
    }

    /// <summary>A key as DescribeKey shows it (key id, key ARN or alias name); null when KMS has no such key.</summary>
    /// <exception cref="RotationException">KMS refused the read.</exception>
    public Task<KeyMetadata?> DescribeAsync(string keyIdOrAlias, CancellationToken ct) => _chain.DescribeAsync(keyIdOrAlias, ct);

    /// <summary>The aliases (not this tool's markers) that pointed at the key when the run began, for refusals.</summary>
    public IReadOnlyList<string> AliasesOf(string keyIdOrArn)
    {
        var keyId = KeyIdOf(keyIdOrArn);
        return _snapshot is null ? [] : [.. _snapshot.Names.Where(n => !MarkerNames.IsOwn(n) && _snapshot.TargetOf(n) == keyId).Order(StringComparer.Ordinal)];
    }

    /// <summary>The key id of a key ARN (arn:aws:kms:REGION:ACCOUNT:key/ID); a key id stays as it is.</summary>
    public static string KeyIdOf(string keyIdOrArn)
    {
        ArgumentNullException.ThrowIfNull(keyIdOrArn);
        var at = keyIdOrArn.LastIndexOf(":key/", StringComparison.Ordinal);
        return keyIdOrArn.StartsWith("arn:", StringComparison.Ordinal) && at >= 0 ? keyIdOrArn[(at + 5)..] : keyIdOrArn;
    }
}
