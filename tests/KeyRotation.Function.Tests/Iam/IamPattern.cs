using System.Text.RegularExpressions;

namespace KeyRotation.Function.Tests.Iam;

/// <summary>
/// IAM's wildcard matching: <c>*</c> any run of characters, <c>?</c> one character. Actions compare case-insensitively;
/// ARNs compare each of their six colon-separated parts on its own (a wildcard never spans a colon between parts),
/// as the IAM documentation describes for Resource elements and the Arn condition operators.
/// </summary>
internal static class IamPattern
{
    public static bool Like(string pattern, string value, bool ignoreCase = false)
    {
        var regex = "^" + Regex.Escape(pattern).Replace("\\*", ".*", StringComparison.Ordinal).Replace("\\?", ".", StringComparison.Ordinal) + "$";
        var options = RegexOptions.Singleline | RegexOptions.CultureInvariant | (ignoreCase ? RegexOptions.IgnoreCase : RegexOptions.None);
        return Regex.IsMatch(value, regex, options, TimeSpan.FromSeconds(1));
    }

    public static bool ActionLike(string pattern, string action) => Like(pattern, action, ignoreCase: true);

    public static bool ArnLike(string pattern, string arn)
    {
        if (pattern == "*")
        {
            return true;
        }

        var patternParts = pattern.Split(':', 6);
        var arnParts = arn.Split(':', 6);
        if (patternParts.Length != 6 || arnParts.Length != 6)
        {
            return false;
        }

        return patternParts.Zip(arnParts).All(pair => Like(pair.First, pair.Second));
    }
}
