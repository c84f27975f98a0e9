using KeyRotation.Core.Configuration;
using KeyRotation.Core.Protocol;

namespace KeyRotation.Core.Retention;

/// <summary>
/// Whether retention may retire the alias's first key, the one that existed before this tool (RETIRE_ORIGINAL_KEY, off by
/// default): besides the proof of non-use and the chain checks every key passes, the key must have been behind the
/// alias before this tool's first move, as that move's marker alias shows (it points at the key being replaced, and
/// only this tool makes aliases under alias/keyrotation/).
/// </summary>
internal static class OriginalKey
{
    /// <summary>What the plan says of the first key while RETIRE_ORIGINAL_KEY is off (unchanged from earlier versions).</summary>
    public const string NeverTouched = "the alias's first key, which this tool did not create: retention never touches it";

    /// <summary>Null when <paramref name="key"/>, the alias's first key, may be retired as any other; else why it is kept.</summary>
    public static string? Refuse(RetentionView view, RetentionKey key, RetentionSettings settings)
    {
        if (!settings.RetireOriginalKey)
        {
            return NeverTouched;
        }

        // The chain reader and Verify ensure the oldest key this tool created names this key as its previous key.
        if (key.Index == 0 || key.Index != view.Keys.Count - 1 || view.Keys[key.Index - 1].Record.PreviousKeyId != key.KeyId)
        {
            return $"the alias's first key, but not the oldest key of a chain this tool wrote: kept although {SettingNames.RetireOriginalKey} is on";
        }

        var firstMove = view.Keys[key.Index - 1].Record.Sequence;
        var marker = firstMove < 1 ? null : MarkerNames.Marker(view.Alias, firstMove);
        return marker is not null && view.Markers.Any(m => m.Name == marker && !m.IsTakeover && m.TargetKeyId == key.KeyId)
            ? null
            : $"the alias's first key; {SettingNames.RetireOriginalKey} is on, but the marker alias of this tool's first move ({marker ?? "no move number"}) does not point at it, so nothing shows it was behind {view.Alias} before that move: kept";
    }

    /// <summary>What a retirement step of the first key adds to its reason.</summary>
    public static string Note(RetentionView view, RetentionKey key) =>
        $" (the alias's first key: {SettingNames.RetireOriginalKey} is on, and {MarkerNames.Marker(view.Alias, view.Keys[key.Index - 1].Record.Sequence)} shows it was behind {view.Alias} before this tool's first move)";
}
