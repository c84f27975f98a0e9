namespace KeyRotation.Core.Tagging;

/// <summary>Finds KMS keys by their tags in one query, without listing every key of the account.</summary>
public interface ITaggedKeyFinder
{
    /// <summary>
    /// The ARNs of the KMS keys of this Region that carry every one of <paramref name="tags"/> (key and value). The
    /// answer may lag tag changes by a few minutes (it is eventually consistent).
    /// </summary>
    Task<IReadOnlyList<string>> FindKeyArnsAsync(IReadOnlyDictionary<string, string> tags, CancellationToken ct);
}
