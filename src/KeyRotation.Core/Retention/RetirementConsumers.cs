using System.Globalization;
using KeyRotation.Core.Consumers;

namespace KeyRotation.Core.Retention;

/// <summary>
/// What the consumer inventory (RETIRE_CHECK_CONSUMERS) showed about one key of a retirement step: the resources that
/// reference it by key id or key ARN (a resource naming the alias follows the alias and pins no old generation), and
/// the resources the inventory could not check, which may reference it: the inventory then proves nothing.
/// </summary>
public sealed record RetirementConsumers(IReadOnlyList<ConsumerUse> Uses, IReadOnlyList<ConsumerFinding.NotChecked> NotChecked, int Seen)
{
    /// <summary>How many resources a sentence names before "and N more".</summary>
    private const int Named = 3;

    /// <summary>
    /// Set when the key is already Disabled (a deletion step): a resource that references it cannot decrypt now, which
    /// the sentence says, with how to bring it back. Retention never enables it itself.
    /// </summary>
    public (string KeyId, string Alias)? Disabled { get; init; }

    /// <summary>The evidence for a key that is already Disabled: its references are resources that cannot decrypt.</summary>
    public RetirementConsumers WhileDisabled(string keyId, string alias)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(keyId);
        ArgumentException.ThrowIfNullOrWhiteSpace(alias);
        return this with { Disabled = (keyId, alias) };
    }

    /// <summary>Nothing references the key and every resource was checked.</summary>
    public bool Clear => Uses.Count == 0 && NotChecked.Count == 0;

    /// <summary>
    /// The evidence for <paramref name="keyId"/> from one scan of its alias. A key the scan's generations do not hold
    /// (the chain read for the scan differs from the one retention planned on) had no reference matched against it:
    /// that proves nothing, so it is not checked rather than clear.
    /// </summary>
    public static RetirementConsumers For(ConsumerReport report, string keyId)
    {
        ArgumentNullException.ThrowIfNull(report);
        if (!report.Generations.All.Any(g => string.Equals(g.KeyId, keyId, StringComparison.Ordinal)))
        {
            var unmatched = new ConsumerFinding.NotChecked(
                new ConsumerResource("KMS", "listing", report.Generations.AliasName, null),
                $"{keyId} is not among the generations of {report.Generations.AliasName} the inventory matched references against");
            return new RetirementConsumers([], [.. report.NotChecked, unmatched], report.Seen);
        }

        var uses = report.Uses
            .Where(u => !u.Match.ByAlias && string.Equals(u.Match.Generation.KeyId, keyId, StringComparison.Ordinal))
            .ToList();
        return new RetirementConsumers(uses, report.NotChecked, report.Seen);
    }

    /// <summary>
    /// One sentence: "referenced by 2 consumers: dynamodb table orders, ssm parameter /app/db-password", "the consumer
    /// inventory could not check ssm parameters listing (AccessDeniedException: ...)", or "no consumer references it".
    /// </summary>
    public string Describe()
    {
        if (NotChecked.Count > 0)
        {
            var named = NotChecked.Take(Named).Select(n => $"{Name(n.Resource)} ({n.Reason})");
            return string.Create(CultureInfo.InvariantCulture, $"the consumer inventory could not check {NotChecked.Count} resource(s), which may reference it: {string.Join(", ", named)}{More(NotChecked.Count)}");
        }

        if (Uses.Count > 0 && Disabled is { } disabled)
        {
            // Kept from deletion as any referenced key is, but the resources are broken today, not at deletion: say so.
            return string.Create(CultureInfo.InvariantCulture, $"referenced by {Uses.Count} consumer(s) while disabled: they cannot decrypt until it is re-enabled: {string.Join(", ", Uses.Take(Named).Select(u => Name(u.Resource)))}{More(Uses.Count)}; re-enable it with aws kms enable-key --key-id {disabled.KeyId} and tag it {RetentionTags.ReenabledAt} so retention leaves it alone (docs/runbook.md, \"A retired key that was needed after all\"), then move them off it with keyrotation migrate {disabled.Alias}");
        }

        if (Uses.Count > 0)
        {
            return string.Create(CultureInfo.InvariantCulture, $"referenced by {Uses.Count} consumer(s): {string.Join(", ", Uses.Take(Named).Select(u => Name(u.Resource)))}{More(Uses.Count)}");
        }

        return string.Create(CultureInfo.InvariantCulture, $"no consumer references it by key id or ARN ({Seen} KMS-encrypted resource(s) checked)");
    }

    /// <summary>The evidence as the key's proof tag records it, short: "consumers none of 12".</summary>
    public string TagText() => string.Create(CultureInfo.InvariantCulture, $"consumers {(Uses.Count == 0 ? "none" : Uses.Count.ToString(CultureInfo.InvariantCulture))} of {Seen}");

    /// <summary>"dynamodb table orders", "ssm parameter /app/db-password", "ec2 volume vol-1", "s3 bucket logs".</summary>
    public static string Name(ConsumerResource resource)
    {
        ArgumentNullException.ThrowIfNull(resource);
        if (resource.Kind == "listing")
        {
            return $"the {resource.Service} listing";
        }

        var id = resource.Id;
        if (id.StartsWith("arn:", StringComparison.Ordinal))
        {
            // arn:aws:dynamodb:REGION:ACCOUNT:table/orders -> orders; arn:aws:s3:::logs -> logs.
            id = id[(id.LastIndexOf(':') + 1)..];
            var slash = id.IndexOf('/', StringComparison.Ordinal);
            id = slash >= 0 && id[..slash] == resource.Kind ? id[(slash + 1)..] : id;
        }

        return $"{resource.Service} {resource.Kind} {id}";
    }

    private static string More(int count) => count > Named ? string.Create(CultureInfo.InvariantCulture, $" and {count - Named} more") : string.Empty;
}
