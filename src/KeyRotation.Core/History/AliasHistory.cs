using Amazon.KeyManagementService;

namespace KeyRotation.Core.History;

/// <summary>
/// The status of an alias: its current key, the earlier generations found through the rotation tags,
/// generations a rollback undid, and a rotation left in progress (a claimed or recorded marker alias for
/// the next move, or a current key still tagged pending). Reads only.
/// </summary>
public sealed class AliasHistory
{
    private readonly KeyChainReader _reader;

    public AliasHistory(IAmazonKeyManagementService kms) => _reader = new KeyChainReader(kms);

    /// <summary>The alias's status; throws <see cref="RotationException"/> when the alias does not exist.</summary>
    public async Task<AliasStatus> GetAsync(string alias, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(alias);
        var key = await _reader.DescribeAsync(alias, cancellationToken)
            ?? throw new RotationException($"Alias {alias} does not exist in this account and Region.");
        var tags = await _reader.TagsAsync(key.KeyId, cancellationToken);
        var current = KeyChainReader.ToGeneration(key, tags);
        var earlier = await _reader.EarlierAsync(current, cancellationToken);

        var rolledBack = new List<KeyGeneration>();
        var seen = new HashSet<string>(StringComparer.Ordinal) { current.KeyId };
        seen.UnionWith(earlier.Select(k => k.KeyId));
        foreach (var keyId in await RestoredFromAsync(current.KeyId, tags, earlier, cancellationToken))
        {
            if (seen.Add(keyId))
            {
                rolledBack.Add((await _reader.ReadAsync(keyId, 0, cancellationToken)).Generation);
            }
        }

        return new AliasStatus
        {
            Alias = alias,
            Current = current,
            Earlier = earlier,
            RolledBack = rolledBack,
            InProgress = await InProgressAsync(alias, current, tags, cancellationToken),
        };
    }

    private async Task<List<string>> RestoredFromAsync(string currentKeyId, Dictionary<string, string> currentTags, List<KeyGeneration> earlier, CancellationToken ct)
    {
        var found = new List<string>();
        if (currentTags.GetValueOrDefault(RotationTags.RestoredFrom) is { } fromCurrent)
        {
            found.Add(fromCurrent);
        }

        // Earlier keys' tags were read during the walk but not kept; only keys a rollback restored carry restored-at.
        foreach (var key in earlier.Where(k => k.RestoredAt is not null))
        {
            if ((await _reader.TagsAsync(key.KeyId, ct)).GetValueOrDefault(RotationTags.RestoredFrom) is { } from && from != currentKeyId)
            {
                found.Add(from);
            }
        }

        return found;
    }

    private async Task<string?> InProgressAsync(string alias, KeyGeneration current, Dictionary<string, string> tags, CancellationToken ct)
    {
        if (current.State == RotationTags.KeyStates.Restoring)
        {
            return $"A rollback to {current.KeyId} (from {tags.GetValueOrDefault(RotationTags.RestoredFrom) ?? "an unknown key"}) moved the alias but did not finish; run 'keyrotation rollback {alias}' again to finish it. Rotations refuse until then.";
        }

        if (current.State == RotationTags.KeyStates.Pending && tags.GetValueOrDefault(RotationTags.Alias) == alias)
        {
            return $"The alias already points at {current.KeyId}, but the rotation's last steps (retiring {current.PreviousKeyId ?? "the previous key"}, the notification) have not run; the next rotate finishes them.";
        }

        var marker = RotationTags.MarkerAlias(alias, current.Sequence + 1);
        var target = await _reader.DescribeAsync(marker, ct);
        if (target is null)
        {
            return null;
        }

        return target.KeyId == current.KeyId
            ? $"A run claimed the next move of the alias ({marker}) and has not created or recorded a new key yet; if that run died, the next rotate after the claim timeout finishes it."
            : $"A run recorded {target.KeyId} as the alias's next key ({marker}) but has not moved the alias yet; the next rotate finishes the move.";
    }
}
