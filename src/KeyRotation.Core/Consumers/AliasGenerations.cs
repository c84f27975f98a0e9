using Amazon.KeyManagementService;
using KeyRotation.Core.Protocol;

namespace KeyRotation.Core.Consumers;

/// <summary>Where a generation stands for its alias: the key it points at, one it moved on from, or one a rollback undid.</summary>
public enum GenerationRole
{
    Current,
    Earlier,
    RolledBack,
}

/// <summary>One key of an alias's chain: its generation number, key id and ARN (null for a key that no longer exists).</summary>
public sealed record ConsumerGeneration(long Generation, string KeyId, string? KeyArn, GenerationRole Role);

/// <summary>
/// Every key an alias has had, as the inventory matches references against them: the current key, the earlier
/// generations along previous-key, and the generations a rollback undid; with the alias's name and ARN (a resource may
/// store either). Read through the one chain reader (<see cref="KeyChainReader"/>): DescribeKey and ListResourceTags
/// per key, nothing written.
/// </summary>
public sealed record AliasGenerations(string AliasName, string AliasArn, ConsumerGeneration Current, IReadOnlyList<ConsumerGeneration> All)
{
    /// <summary>The generations other than the current one: what a migration moves resources away from.</summary>
    public IEnumerable<ConsumerGeneration> Old => All.Where(g => g.Role != GenerationRole.Current);

    /// <summary>Reads the chain; a missing alias is a <see cref="RotationException"/> naming it.</summary>
    public static async Task<AliasGenerations> ReadAsync(IAmazonKeyManagementService kms, string alias, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(kms);
        ArgumentException.ThrowIfNullOrWhiteSpace(alias);
        var reader = new KeyChainReader(kms);
        var key = await reader.DescribeAsync(alias, ct)
            ?? throw new RotationException($"Alias {alias} does not exist in this account and Region.");
        var tags = await reader.TagsAsync(key.KeyId, ct);
        var record = KeyRecord.From(tags);
        var currentGeneration = record.GenerationOr(1);
        var current = new ConsumerGeneration(currentGeneration, key.KeyId, key.Arn, GenerationRole.Current);
        var all = new List<ConsumerGeneration> { current };
        var seen = new HashSet<string>(StringComparer.Ordinal) { key.KeyId };

        var chain = await reader.WalkAsync(record.PreviousKeyId, key.KeyId, currentGeneration, KeyChainReader.MaxChainLength, ct);
        foreach (var link in chain)
        {
            seen.Add(link.KeyId);
            all.Add(new ConsumerGeneration(link.Generation, link.KeyId, link.Key?.Arn, GenerationRole.Earlier));
        }

        // Keys a rollback undid are off the chain but were current once: resources created then still name them.
        var restoredFrom = new[] { record.RestoredFrom }.Concat(chain.Select(l => l.Record.RestoredFrom)).OfType<string>();
        foreach (var keyId in restoredFrom.Where(seen.Add).ToList())
        {
            var (generation, _) = await reader.ReadAsync(keyId, 0, ct);
            all.Add(new ConsumerGeneration(generation.Generation, generation.KeyId, generation.Arn, GenerationRole.RolledBack));
        }

        return new AliasGenerations(alias, AliasArnOf(key.Arn, alias), current, all);
    }

    /// <summary>The alias's ARN, in the key's partition, Region and account: arn:aws:kms:REGION:ACCOUNT:alias/NAME.</summary>
    public static string AliasArnOf(string keyArn, string alias)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(keyArn);
        ArgumentException.ThrowIfNullOrWhiteSpace(alias);
        var resource = keyArn.LastIndexOf(":key/", StringComparison.Ordinal);
        return resource < 0 ? throw new ArgumentException($"'{keyArn}' is not a KMS key ARN.", nameof(keyArn)) : keyArn[..(resource + 1)] + alias;
    }
}
