namespace KeyRotation.Core.Retention;

/// <summary>
/// The one place retention asks whether an alias is mid-rotation or mid-rollback. It reads only what the retention
/// reader already gathered, so it can be re-pointed at the rotation protocol's own state reader without touching the
/// planner or the executor.
/// </summary>
internal static class MoveInProgress
{
    /// <summary>
    /// Null when no move of <paramref name="alias"/> is in progress, else a description. In progress: the current key is
    /// tagged pending or restoring, or a marker alias of the alias points at a key tagged pending or restoring, or a marker alias claims a move after the current key's.
    /// </summary>
    public static string? Describe(string alias, RetentionKey current, IEnumerable<(MarkerAliasEntry Marker, IReadOnlyDictionary<string, string>? TargetTags)> markers)
    {
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(markers);
        if (current.Tags.GetValueOrDefault(RotationTags.State) is RotationTags.KeyStates.Pending or RotationTags.KeyStates.Restoring)
        {
            return $"{alias}'s current key {current.KeyId} is tagged {current.Tags[RotationTags.State]}: a rotation or rollback has not finished.";
        }

        var sequence = current.Tags.TryGetValue(RotationTags.Sequence, out var text) && long.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, out var s) ? s : 0;
        foreach (var (marker, tags) in markers)
        {
            if (marker.Move > sequence)
            {
                return $"{marker.Name} claims move {marker.Move} of {alias}, after the current key's move {sequence}: a rotation or rollback has not finished.";
            }

            if (tags?.GetValueOrDefault(RotationTags.State) is RotationTags.KeyStates.Pending or RotationTags.KeyStates.Restoring)
            {
                return $"{marker.Name} points at {marker.TargetKeyId}, which is tagged {tags[RotationTags.State]}: a rotation or rollback of {alias} has not finished.";
            }
        }

        return null;
    }
}
