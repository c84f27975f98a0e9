using Amazon.KeyManagementService;

namespace KeyRotation.Core.Protocol;

/// <summary>
/// Every alias of the account and Region with the key it points at, from one paged ListAliases: the read-only commands
/// (status, plan) read many aliases' marker aliases from it instead of one DescribeKey per marker. A snapshot is as old
/// as its listing, so only readings that change nothing use it; a rotation always reads KMS afresh.
/// </summary>
internal sealed class AliasSnapshot
{
    private readonly Dictionary<string, string?> _targets;
    private readonly Dictionary<string, DateTimeOffset> _updated;

    public AliasSnapshot(IEnumerable<KeyValuePair<string, string?>> targets, IEnumerable<KeyValuePair<string, DateTimeOffset>>? updated = null)
    {
        _targets = new Dictionary<string, string?>(targets, StringComparer.Ordinal);
        _updated = new Dictionary<string, DateTimeOffset>(updated ?? [], StringComparer.Ordinal);
    }

    /// <summary>Every alias name the listing held.</summary>
    public IEnumerable<string> Names => _targets.Keys;

    /// <summary>How many aliases the listing held.</summary>
    public int Count => _targets.Count;

    /// <summary>Lists every alias (ListAliases pages of up to 100, through the SDK's paginator).</summary>
    public static Task<AliasSnapshot> ReadAsync(IAmazonKeyManagementService kms, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(kms);
        return KmsCalls.CallAsync("ListAliases", async () =>
        {
            var targets = new List<KeyValuePair<string, string?>>();
            var updated = new List<KeyValuePair<string, DateTimeOffset>>();
            await foreach (var entry in kms.Paginators.ListAliases(new Amazon.KeyManagementService.Model.ListAliasesRequest { Limit = 100 }).Aliases.WithCancellation(ct))
            {
                targets.Add(new(entry.AliasName, entry.TargetKeyId));
                if (entry.LastUpdatedDate is { } at)
                {
                    updated.Add(new(entry.AliasName, new DateTimeOffset(DateTime.SpecifyKind(at, DateTimeKind.Utc))));
                }
            }

            return new AliasSnapshot(targets, updated);
        });
    }

    /// <summary>When KMS last pointed the alias at a key (its LastUpdatedDate), as listed; null when not listed.</summary>
    public DateTimeOffset? LastUpdatedOf(string alias) => _updated.TryGetValue(alias, out var at) ? at : null;

    /// <summary>The key id the alias pointed at when listed; null when it did not exist (or pointed at no key).</summary>
    public string? TargetOf(string alias) => _targets.GetValueOrDefault(alias);
}
