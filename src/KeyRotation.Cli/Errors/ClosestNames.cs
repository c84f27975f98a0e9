namespace KeyRotation.Cli.Errors;

/// <summary>
/// "Did you mean": the known names nearest to a mistyped one by edit distance (optimal string alignment, that is
/// Damerau-Levenshtein where a swap of two neighbouring characters counts once), as git suggests commands. Only names
/// within a quarter of the typed length (at least 2 edits) count, so an unrelated name is never offered.
/// </summary>
internal static class ClosestNames
{
    /// <summary>At most this many names are offered (all at the same, smallest distance).</summary>
    private const int MaxSuggestions = 5;

    public static IReadOnlyList<string> Of(string typed, IEnumerable<string> known)
    {
        ArgumentNullException.ThrowIfNull(typed);
        ArgumentNullException.ThrowIfNull(known);
        var threshold = Math.Max(2, typed.Length / 4);
        var scored = known
            .Where(name => !string.Equals(name, typed, StringComparison.Ordinal))
            .Distinct(StringComparer.Ordinal)
            .Select(name => (Name: name, Distance: Distance(typed, name)))
            .Where(s => s.Distance <= threshold)
            .ToList();
        if (scored.Count == 0)
        {
            return [];
        }

        var best = scored.Min(s => s.Distance);
        return [.. scored.Where(s => s.Distance == best).Select(s => s.Name).Order(StringComparer.Ordinal).Take(MaxSuggestions)];
    }

    /// <summary>" (did you mean X?)" or " (did you mean one of X, Y?)"; empty when nothing is close.</summary>
    public static string Hint(IReadOnlyList<string> suggestions)
    {
        ArgumentNullException.ThrowIfNull(suggestions);
        return suggestions.Count switch
        {
            0 => string.Empty,
            1 => $" (did you mean {suggestions[0]}?)",
            _ => $" (did you mean one of {string.Join(", ", suggestions)}?)",
        };
    }

    /// <summary>Edits (insert, delete, substitute, swap neighbours) that turn <paramref name="a"/> into <paramref name="b"/>; case counts.</summary>
    internal static int Distance(string a, string b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        var d = Enumerable.Range(0, a.Length + 1).Select(_ => new int[b.Length + 1]).ToArray();
        for (var i = 0; i <= a.Length; i++)
        {
            d[i][0] = i;
        }

        for (var j = 0; j <= b.Length; j++)
        {
            d[0][j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i][j] = Math.Min(Math.Min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                {
                    d[i][j] = Math.Min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }

        return d[a.Length][b.Length];
    }
}
