namespace KeyRotation.Core.Consumers;

/// <summary>
/// One pass over every source, before any alias is matched: the KMS-encrypted resources seen, with the reference each
/// stores, and the resources (or whole listings) that could not be read. A run that checks several aliases lists the
/// account once and matches each alias against this, instead of listing the account again per alias.
/// </summary>
public sealed record ConsumerListing(IReadOnlyList<ConsumerResource> Found, IReadOnlyList<ConsumerFinding.NotChecked> NotChecked)
{
    /// <summary>
    /// What the listing shows for one alias: the resources whose reference names one of its generations. What could not
    /// be read applies to every alias alike, since any of it may reference any key.
    /// </summary>
    public ConsumerReport Match(KeyReferenceMatcher matcher, AliasGenerations generations)
    {
        ArgumentNullException.ThrowIfNull(matcher);
        ArgumentNullException.ThrowIfNull(generations);
        var uses = new List<ConsumerUse>();
        foreach (var resource in Found)
        {
            if (matcher.Match(resource.KeyReference) is { } match)
            {
                uses.Add(new ConsumerUse(resource, match));
            }
        }

        return new ConsumerReport(generations, uses, NotChecked, Found.Count);
    }
}
