using System.Text.RegularExpressions;
using KeyRotation.Core.Protocol;

namespace KeyRotation.Core;

/// <summary>Validation of KMS alias names as the KMS API reference states the rules, plus this tool's own.</summary>
public static partial class AliasNames
{
    public const string Prefix = "alias/";

    /// <summary>
    /// Longest alias this tool rotates: its marker aliases ("alias/keyrotation/" + name without "alias/" + "/" +
    /// a move number of up to 10 digits + "-takeover-" and one digit) must fit KMS's limit of 256 characters.
    /// </summary>
    public const int MaxLength = 256 - 18 + 6 - 1 - 10 - 11;

    [GeneratedRegex("^alias/[a-zA-Z0-9/_-]+$", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();

    /// <summary>Returns null when <paramref name="name"/> is an alias this tool can rotate, else why not.</summary>
    public static string? Validate(string? name)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            return "an alias name is empty";
        }

        if (!name.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return $"'{name}' is not an alias name: alias names start with \"alias/\"";
        }

        if (name.Length == Prefix.Length)
        {
            return $"'{name}' has nothing after \"alias/\"";
        }

        if (name.StartsWith("alias/aws/", StringComparison.Ordinal))
        {
            return $"'{name}' is reserved for AWS managed keys, which cannot be rotated by this tool";
        }

        if (name.StartsWith(MarkerNames.Prefix, StringComparison.Ordinal))
        {
            return $"'{name}' is one of this tool's own marker aliases ({MarkerNames.Prefix}*), not an application alias";
        }

        if (!Pattern().IsMatch(name))
        {
            return $"'{name}' has characters KMS does not allow in alias names (letters, digits, '/', '_' and '-' only)";
        }

        if (name.Length > MaxLength)
        {
            return $"'{name}' is {name.Length} characters long; this tool handles alias names up to {MaxLength} characters, so that its marker aliases stay within KMS's limit of 256";
        }

        return null;
    }

    /// <summary>The alias name without its "alias/" prefix.</summary>
    public static string WithoutPrefix(string name) =>
        name.StartsWith(Prefix, StringComparison.Ordinal) ? name[Prefix.Length..] : name;
}
