using System.Globalization;
using System.Net;

namespace KeyRotation.Core.KeyMaterial;

/// <summary>
/// Where escrow copies live: <c>s3://bucket/&lt;prefix&gt;&lt;alias without "alias/"&gt;/&lt;key id&gt;.json</c>.
/// A key normally has one escrow object; when a run must escrow fresh material for a key whose first object
/// already exists (a run died after writing it, before importing), later objects are numbered
/// <c>&lt;key id&gt;.2.json</c>, <c>&lt;key id&gt;.3.json</c>, …, so no object is ever overwritten.
/// </summary>
public sealed record EscrowLocation
{
    private const int MaxPrefixLength = 200;

    private static readonly string[] ReservedPrefixes = ["xn--", "sthree-", "amzn-s3-demo-"];
    private static readonly string[] ReservedSuffixes = ["-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"];

    public EscrowLocation(string bucket, string prefix)
    {
        if (ValidateBucket(bucket) is { } bucketProblem)
        {
            throw new ArgumentException(bucketProblem, nameof(bucket));
        }

        if (ValidatePrefix(prefix) is { } prefixProblem)
        {
            throw new ArgumentException(prefixProblem, nameof(prefix));
        }

        Bucket = bucket;
        Prefix = prefix;
    }

    public string Bucket { get; }

    public string Prefix { get; }

    /// <summary>The name (within the alias's folder) of escrow object number <paramref name="attempt"/> of a key.</summary>
    public static string ObjectName(string keyId, int attempt)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(attempt, 1);
        return attempt == 1 ? keyId + ".json" : string.Create(CultureInfo.InvariantCulture, $"{keyId}.{attempt}.json");
    }

    /// <summary>
    /// The name of escrow object number <paramref name="attempt"/> of the new material a key gets in its material move
    /// <paramref name="move"/> (<c>&lt;key id&gt;.move-&lt;n&gt;.json</c>, then <c>.move-&lt;n&gt;.2.json</c>, …): keyed by key and move,
    /// so a run that finishes the move finds what an earlier one wrote.
    /// </summary>
    public static string MoveObjectName(string keyId, long move, int attempt)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(attempt, 1);
        return attempt == 1
            ? string.Create(CultureInfo.InvariantCulture, $"{keyId}.move-{move}.json")
            : string.Create(CultureInfo.InvariantCulture, $"{keyId}.move-{move}.{attempt}.json");
    }

    /// <summary>The attempt number of an object name written by <see cref="ObjectName"/> for this key, or null.</summary>
    public static int? AttemptOf(string keyId, string objectName)
    {
        if (objectName == keyId + ".json")
        {
            return 1;
        }

        var prefix = keyId + ".";
        if (objectName.StartsWith(prefix, StringComparison.Ordinal) && objectName.EndsWith(".json", StringComparison.Ordinal))
        {
            var number = objectName[prefix.Length..^".json".Length];
            if (int.TryParse(number, NumberStyles.None, CultureInfo.InvariantCulture, out var attempt) && attempt >= 2)
            {
                return attempt;
            }
        }

        return null;
    }

    /// <summary>The S3 object key of an escrow object of a key behind <paramref name="aliasName"/>.</summary>
    public string ObjectKey(string aliasName, string objectName) => Prefix + AliasNames.WithoutPrefix(aliasName) + "/" + objectName;

    /// <summary>s3://bucket/key, as notifications and errors name an escrow object.</summary>
    public string Uri(string objectKey) => $"s3://{Bucket}/{objectKey}";

    /// <summary>Null when <paramref name="bucket"/> follows S3's general purpose bucket naming rules, else why not.</summary>
    public static string? ValidateBucket(string? bucket)
    {
        if (string.IsNullOrEmpty(bucket))
        {
            return "the escrow bucket name is empty";
        }

        string? why = null;
        if (bucket.Length is < 3 or > 63)
        {
            why = "it must be 3 to 63 characters long";
        }
        else if (bucket.Any(c => c is not (>= 'a' and <= 'z') and not (>= '0' and <= '9') and not '.' and not '-'))
        {
            why = "only lower-case letters, digits, '.' and '-' are allowed";
        }
        else if (!char.IsAsciiLetterOrDigit(bucket[0]) || !char.IsAsciiLetterOrDigit(bucket[^1]))
        {
            why = "it must begin and end with a letter or digit";
        }
        else if (bucket.Contains("..", StringComparison.Ordinal) || bucket.Contains(".-", StringComparison.Ordinal) || bucket.Contains("-.", StringComparison.Ordinal))
        {
            why = "dots may not be next to each other or to a hyphen";
        }
        else if (bucket.Count(c => c == '.') == 3 && IPAddress.TryParse(bucket, out _))
        {
            why = "it must not be formatted as an IP address";
        }
        else if (ReservedPrefixes.FirstOrDefault(p => bucket.StartsWith(p, StringComparison.Ordinal)) is { } reservedPrefix)
        {
            why = $"the prefix '{reservedPrefix}' is reserved";
        }
        else if (ReservedSuffixes.FirstOrDefault(s => bucket.EndsWith(s, StringComparison.Ordinal)) is { } reservedSuffix)
        {
            why = $"the suffix '{reservedSuffix}' is reserved";
        }

        return why is null ? null : $"'{bucket}' is not a valid S3 bucket name: {why}";
    }

    /// <summary>Null when <paramref name="prefix"/> is empty or a usable key prefix ending in '/', else why not.</summary>
    public static string? ValidatePrefix(string? prefix)
    {
        if (string.IsNullOrEmpty(prefix))
        {
            return null;
        }

        if (prefix.Length > MaxPrefixLength)
        {
            return $"the escrow prefix is {prefix.Length} characters long; at most {MaxPrefixLength} are allowed";
        }

        if (!prefix.EndsWith('/') || prefix.StartsWith('/') || prefix.Contains("//", StringComparison.Ordinal))
        {
            return $"'{prefix}' is not a usable escrow prefix: it must end with '/' and have no leading or doubled '/' (for example key-escrow/)";
        }

        if (prefix.Any(c => c is '*' or '?' or '\\' || char.IsControl(c) || char.IsWhiteSpace(c)))
        {
            return $"'{prefix}' is not a usable escrow prefix: no wildcards ('*', '?'), backslashes or whitespace (the role's S3 permissions are scoped to it)";
        }

        return null;
    }
}
