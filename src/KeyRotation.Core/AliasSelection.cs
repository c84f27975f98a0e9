using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using Amazon.Runtime;
using KeyRotation.Core.Protocol;

namespace KeyRotation.Core;

/// <summary>
/// The aliases a configuration selects: explicit names (<c>alias/orders</c>) and prefix patterns (<c>alias/prod/*</c>:
/// every alias whose name starts with <c>alias/prod/</c>, at any depth). Patterns are resolved with one paged
/// ListAliases per run; a pattern never selects <c>alias/aws/*</c>, this tool's own <c>alias/keyrotation/*</c>
/// markers, or a name this tool could not rotate (<see cref="AliasNames.Validate"/>).
/// </summary>
public sealed class AliasSelection
{
    /// <summary>What ends a prefix pattern: a slash and a star.</summary>
    public const string PatternSuffix = "/*";

    public AliasSelection(IEnumerable<string> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        Entries = [.. entries];
        var problems = Entries.Select(Validate).OfType<string>().ToList();
        if (problems.Count > 0)
        {
            throw new ArgumentException(string.Join("; ", problems), nameof(entries));
        }

        Names = [.. Entries.Where(e => !IsPattern(e))];
        Prefixes = [.. Entries.Where(IsPattern).Select(e => e[..^1])];
    }

    /// <summary>The entries as configured, in order.</summary>
    public IReadOnlyList<string> Entries { get; }

    /// <summary>The explicit alias names.</summary>
    public IReadOnlyList<string> Names { get; }

    /// <summary>The prefixes of the patterns, each ending in "/" (alias/prod/* gives alias/prod/).</summary>
    public IReadOnlyList<string> Prefixes { get; }

    public static bool IsPattern(string entry) => entry?.EndsWith(PatternSuffix, StringComparison.Ordinal) == true;

    /// <summary>Null when <paramref name="entry"/> is an alias name this tool rotates or a prefix pattern, else why not.</summary>
    public static string? Validate(string entry)
    {
        if (!IsPattern(entry))
        {
            return entry?.Contains('*', StringComparison.Ordinal) == true
                ? $"'{entry}' has a '*' that does not end a prefix pattern: a pattern is a prefix ending in /*, like alias/prod/*"
                : AliasNames.Validate(entry);
        }

        var prefix = entry[..^1];
        if (prefix.Length <= AliasNames.Prefix.Length)
        {
            return $"'{entry}' would select every alias of the account: a pattern names a prefix below alias/, like alias/prod/*";
        }

        // A name with the prefix must be one this tool rotates: not alias/aws/, not alias/keyrotation/, allowed characters.
        return AliasNames.Validate(prefix + "x") is { } problem
            ? $"the pattern '{entry}' cannot select rotatable aliases: {problem.Replace($"'{prefix}x'", $"'{prefix}...'", StringComparison.Ordinal)}"
            : null;
    }

    /// <summary>True when the alias is one of the names or a valid alias below one of the prefixes.</summary>
    public bool Matches(string alias)
    {
        ArgumentNullException.ThrowIfNull(alias);
        return Names.Contains(alias, StringComparer.Ordinal)
            || (Prefixes.Any(p => alias.StartsWith(p, StringComparison.Ordinal)) && AliasNames.Validate(alias) is null);
    }

    /// <summary>
    /// The aliases to work on: the explicit names in configured order, then the aliases the patterns select in ordinal
    /// order, each once. ListAliases is called (all pages, through the SDK's paginator) only when there is a pattern.
    /// </summary>
    public async Task<IReadOnlyList<string>> ResolveAsync(IAmazonKeyManagementService kms, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(kms);
        if (Prefixes.Count == 0)
        {
            return Names;
        }

        var listed = new List<string>();
        try
        {
            await foreach (var alias in kms.Paginators.ListAliases(new ListAliasesRequest { Limit = 100 }).Aliases.WithCancellation(ct))
            {
                if (alias.AliasName is { } name)
                {
                    listed.Add(name);
                }
            }
        }
        catch (AmazonServiceException ex)
        {
            throw KmsCalls.StepFailed("ListAliases", ex);
        }

        return Resolve(listed);
    }

    /// <summary>The aliases to work on, given every alias name of the account and Region (already listed).</summary>
    public IReadOnlyList<string> Resolve(IEnumerable<string> listed)
    {
        ArgumentNullException.ThrowIfNull(listed);
        var matched = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var name in listed)
        {
            if (Prefixes.Count > 0 && Matches(name) && !Names.Contains(name, StringComparer.Ordinal))
            {
                matched.Add(name);
            }
        }

        return [.. Names, .. matched];
    }
}
