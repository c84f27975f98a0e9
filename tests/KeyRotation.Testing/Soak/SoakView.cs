using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;

namespace KeyRotation.Testing.Soak;

/// <summary>One key as the SDK describes it: metadata and tags.</summary>
internal sealed record SoakKey(KeyMetadata Metadata, IReadOnlyDictionary<string, string> Tags);

/// <summary>What KMS holds for the soak's account, read through the SDK's paginators: alias targets and every key.</summary>
internal sealed record SoakView(IReadOnlyDictionary<string, string> Targets, IReadOnlyDictionary<string, SoakKey> Keys)
{
    public static async Task<SoakView> ReadAsync(IAmazonKeyManagementService kms, CancellationToken ct)
    {
        var targets = new Dictionary<string, string>(StringComparer.Ordinal);
        await foreach (var alias in kms.Paginators.ListAliases(new ListAliasesRequest()).Aliases.WithCancellation(ct))
        {
            if (alias.AliasName.StartsWith(SoakWorld.AliasPrefix, StringComparison.Ordinal) && alias.TargetKeyId is { } target)
            {
                targets[alias.AliasName] = target;
            }
        }

        var ids = new List<string>();
        await foreach (var key in kms.Paginators.ListKeys(new ListKeysRequest()).Keys.WithCancellation(ct))
        {
            ids.Add(key.KeyId);
        }

        var keys = new SoakKey[ids.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, ids.Count), new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = ct }, async (i, token) =>
        {
            var metadata = (await kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = ids[i] }, token)).KeyMetadata;
            var tags = new Dictionary<string, string>(StringComparer.Ordinal);
            await foreach (var tag in kms.Paginators.ListResourceTags(new ListResourceTagsRequest { KeyId = ids[i] }).Tags.WithCancellation(token))
            {
                tags[tag.TagKey] = tag.TagValue;
            }

            keys[i] = new SoakKey(metadata, tags);
        });
        return new SoakView(targets, keys.ToDictionary(k => k.Metadata.KeyId, StringComparer.Ordinal));
    }
}
