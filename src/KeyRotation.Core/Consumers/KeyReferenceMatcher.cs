namespace KeyRotation.Core.Consumers;

/// <summary>How a resource names a key: what it stores, as KMS's KeyId parameter accepts it.</summary>
public enum ReferenceKind
{
    /// <summary>The key id (1234abcd-... or mrk-...).</summary>
    KeyId,

    /// <summary>The key ARN (arn:aws:kms:REGION:ACCOUNT:key/ID).</summary>
    KeyArn,

    /// <summary>This alias by name (alias/NAME): the key it points at when the service resolves it.</summary>
    Alias,

    /// <summary>This alias by ARN (arn:aws:kms:REGION:ACCOUNT:alias/NAME).</summary>
    AliasArn,

    /// <summary>Another alias (by name or ARN) that points at one of this alias's generations.</summary>
    OtherAlias,
}

/// <summary>A reference that names one of the alias's generations, and how it names it.</summary>
/// <param name="OtherAliasName">For <see cref="ReferenceKind.OtherAlias"/>: the alias the resource stores.</param>
public sealed record KeyMatch(ConsumerGeneration Generation, ReferenceKind Via, string? OtherAliasName = null)
{
    /// <summary>The resource names this alias itself: it follows the alias wherever the service resolves it.</summary>
    public bool ByAlias => Via is ReferenceKind.Alias or ReferenceKind.AliasArn;

    /// <summary>How the reference is shown: "key ARN", "key id", "alias", "alias ARN", "alias alias/legacy".</summary>
    public string Describe() => Via switch
    {
        ReferenceKind.KeyId => "key id",
        ReferenceKind.KeyArn => "key ARN",
        ReferenceKind.Alias => "alias",
        ReferenceKind.AliasArn => "alias ARN",
        _ => $"alias {OtherAliasName}",
    };
}

/// <summary>
/// Decides which generation of an alias a stored key reference names: a key id or key ARN of a generation, the alias
/// by name or ARN (the current generation, by alias), or another alias of the account that points at a generation (from
/// one ListAliases). <c>alias/aws/...</c> names an AWS managed key, never one of ours; an ARN of another Region or
/// account is not ours either. Anything else is another key: no match.
/// </summary>
public sealed class KeyReferenceMatcher
{
    private const string AliasPrefix = "alias/";
    private readonly AliasGenerations _generations;
    private readonly IReadOnlyDictionary<string, string?> _otherAliases;
    private readonly string _arnPrefix;

    /// <param name="otherAliases">Every alias of the account and Region with the key id it points at; empty: other aliases are not matched.</param>
    public KeyReferenceMatcher(AliasGenerations generations, IReadOnlyDictionary<string, string?>? otherAliases = null)
    {
        ArgumentNullException.ThrowIfNull(generations);
        _generations = generations;
        _otherAliases = otherAliases ?? new Dictionary<string, string?>(StringComparer.Ordinal);
        // "arn:aws:kms:eu-west-1:111122223333:" from the alias ARN: key and alias ARNs of this account and Region start so.
        _arnPrefix = generations.AliasArn[..(generations.AliasArn.Length - generations.AliasName.Length)];
    }

    /// <summary>The generation <paramref name="reference"/> names, or null when it names no key of this alias.</summary>
    public KeyMatch? Match(string? reference)
    {
        if (string.IsNullOrWhiteSpace(reference))
        {
            return null;
        }

        reference = reference.Trim();
        if (reference.StartsWith("arn:", StringComparison.Ordinal))
        {
            if (!reference.StartsWith(_arnPrefix, StringComparison.Ordinal))
            {
                return null;
            }

            var resource = reference[_arnPrefix.Length..];
            if (resource.StartsWith("key/", StringComparison.Ordinal))
            {
                return ByKeyId(resource["key/".Length..], ReferenceKind.KeyArn);
            }

            return resource.StartsWith(AliasPrefix, StringComparison.Ordinal) ? ByAlias(resource, ReferenceKind.AliasArn) : null;
        }

        return reference.StartsWith(AliasPrefix, StringComparison.Ordinal) ? ByAlias(reference, ReferenceKind.Alias) : ByKeyId(reference, ReferenceKind.KeyId);
    }

    private KeyMatch? ByKeyId(string keyId, ReferenceKind via) =>
        _generations.All.FirstOrDefault(g => string.Equals(g.KeyId, keyId, StringComparison.Ordinal)) is { } generation ? new KeyMatch(generation, via) : null;

    private KeyMatch? ByAlias(string aliasName, ReferenceKind via)
    {
        if (aliasName.StartsWith("alias/aws/", StringComparison.Ordinal))
        {
            return null;
        }

        if (string.Equals(aliasName, _generations.AliasName, StringComparison.Ordinal))
        {
            return new KeyMatch(_generations.Current, via);
        }

        return _otherAliases.GetValueOrDefault(aliasName) is { } target && ByKeyId(target, ReferenceKind.OtherAlias) is { } match
            ? match with { OtherAliasName = aliasName }
            : null;
    }
}
