using System.Globalization;

namespace KeyRotation.Core.Protocol;

/// <summary>
/// The names of this tool's own aliases, built and parsed here only: the marker alias each move of an alias claims
/// (alias/keyrotation/&lt;name&gt;/&lt;move&gt;), the takeover aliases of a stale claim (…/&lt;move&gt;-takeover-&lt;n&gt;)
/// and the clock alias (…/clock). Only this tool makes aliases under <see cref="Prefix"/>, so they anchor the chain.
/// </summary>
internal static class MarkerNames
{
    /// <summary>Marker aliases live under this prefix; rotating an alias below it is refused.</summary>
    public const string Prefix = "alias/keyrotation/";

    private const string TakeoverInfix = "-takeover-";

    /// <summary>
    /// The marker alias that the alias's move number <paramref name="sequence"/> claims. It points at the key being
    /// replaced, for good (earlier versions then pointed it at the new key, "recorded"): one DescribeKey finds a
    /// rotation in progress, and the role keeps reaching the old key through it after the alias moved.
    /// </summary>
    public static string Marker(string aliasName, long sequence)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(sequence, 1);
        return OwnPrefix(aliasName) + sequence.ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// The alias that claims the takeover of a stale claim on <paramref name="marker"/> (attempt 1, 2, …): taking over
    /// is a CreateAlias as well, so two runs that both find the same stale claim cannot both go on.
    /// </summary>
    public static string Takeover(string marker, int attempt) =>
        marker + TakeoverInfix + attempt.ToString(CultureInfo.InvariantCulture);

    /// <summary>The start every takeover alias of <paramref name="marker"/> shares.</summary>
    public static string TakeoverPrefix(string marker) => marker + TakeoverInfix;

    /// <summary>The alias whose last-updated time serves as KMS's clock for the claims of <paramref name="aliasName"/>.</summary>
    public static string Clock(string aliasName) => OwnPrefix(aliasName) + "clock";

    /// <summary>The start every marker, takeover and clock alias of <paramref name="aliasName"/> shares.</summary>
    public static string OwnPrefix(string aliasName) => Prefix + AliasNames.WithoutPrefix(aliasName) + "/";

    /// <summary>True for a name under <see cref="Prefix"/> (one of this tool's own aliases, never an application's).</summary>
    public static bool IsOwn(string aliasName) => aliasName.StartsWith(Prefix, StringComparison.Ordinal);

    /// <summary>
    /// Parses a marker or takeover alias of <paramref name="aliasName"/>: its move number and whether it is a takeover.
    /// False for any other name (another alias's markers, the clock alias, an application alias).
    /// </summary>
    public static bool TryParse(string aliasName, string name, out long move, out bool isTakeover)
    {
        move = 0;
        isTakeover = false;
        var prefix = OwnPrefix(aliasName);
        if (!name.StartsWith(prefix, StringComparison.Ordinal))
        {
            return false;
        }

        var rest = name[prefix.Length..];
        var takeoverAt = rest.IndexOf(TakeoverInfix, StringComparison.Ordinal);
        var moveText = takeoverAt < 0 ? rest : rest[..takeoverAt];
        var takeoverText = takeoverAt < 0 ? "1" : rest[(takeoverAt + TakeoverInfix.Length)..];
        if (!long.TryParse(moveText, NumberStyles.None, CultureInfo.InvariantCulture, out move) || move < 1
            || !int.TryParse(takeoverText, NumberStyles.None, CultureInfo.InvariantCulture, out _))
        {
            move = 0;
            return false;
        }

        isTakeover = takeoverAt >= 0;
        return true;
    }
}
