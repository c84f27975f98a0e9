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
        // Greedy wildcard matching with backtracking to the last '*': linear in practice, no regex cache to thrash.
        int p = 0, v = 0, star = -1, resume = 0;
        while (v < value.Length)
        {
            if (p < pattern.Length && (pattern[p] == '?' || Same(pattern[p], value[v], ignoreCase)))
            {
                p++;
                v++;
            }
            else if (p < pattern.Length && pattern[p] == '*')
            {
                star = p++;
                resume = v;
            }
            else if (star >= 0)
            {
                p = star + 1;
                v = ++resume;
            }
            else
            {
                return false;
            }
        }

        while (p < pattern.Length && pattern[p] == '*')
        {
            p++;
        }

        return p == pattern.Length;
    }

    private static bool Same(char a, char b, bool ignoreCase) =>
        a == b || (ignoreCase && char.ToUpperInvariant(a) == char.ToUpperInvariant(b));

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
