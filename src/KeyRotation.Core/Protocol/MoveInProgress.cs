namespace KeyRotation.Core.Protocol;

/// <summary>
/// An unfinished rotation or rollback in words, from the protocol's own reading of the alias
/// (<see cref="AliasStateReader"/>), so status, retention and rotation agree on what "in progress" means: for retention,
/// why it leaves the alias alone; for status, what is unfinished and what finishes it.
/// </summary>
internal static class MoveInProgress
{
    /// <summary>Null when nothing is in progress for the alias (the protocol reads it as idle), else why retention waits.</summary>
    public static string? Describe(AliasState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        return state.Phase switch
        {
            AliasPhase.Idle => null,
            AliasPhase.MovedByHand => $"{state.Alias} was pointed back at an earlier key by hand; retention waits until the next rotation has recorded that.",
            _ => $"{state.Alias} is {Describe(state.Phase)}{(state.Problem is { } problem ? $" ({problem})" : string.Empty)}: retention waits until it has finished.",
        };
    }

    private static string Describe(AliasPhase phase) => phase switch
    {
        AliasPhase.Claimed or AliasPhase.Recorded or AliasPhase.Moved => "mid-rotation",
        AliasPhase.RollingBack => "mid-rollback",
        AliasPhase.Stranded => "stranded by a hand move during a rotation",
        AliasPhase.Superseded => "changing while it was read",
        AliasPhase.Foreign => "pointing at a key this tool created for another alias",
        _ => "missing",
    };

    /// <summary>What status says is unfinished, in words; null when the alias is idle.</summary>
    public static string? ForStatus(AliasState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        return state.Phase switch
        {
            AliasPhase.Claimed when MaterialRotation.IsMaterialMove(state.CurrentTags, state.Move) => $"A run claimed move {state.Move} of the alias ({state.Marker}) to give {state.Current!.KeyId} new key material and has not recorded it yet; if that run died, the first rotate after its claim expires finishes it without rotating twice.",
            AliasPhase.Claimed => $"A run claimed the next move of the alias ({state.Marker}) and has not moved the alias to a new key yet; if that run died, the first rotate after its claim expires finishes it (adopting the key it created, if any).",
            AliasPhase.Recorded => $"A run of an earlier version recorded {state.Recorded!.KeyId} as the alias's next key ({state.Marker}) but has not moved the alias yet; if that run died, the first rotate after its claim expires finishes the move.",
            AliasPhase.Moved when MaterialRotation.IsMaterialMove(state.CurrentTags, state.Move) => $"{state.Current!.KeyId} got new key material in move {state.Move} ({state.Marker}), but the notification has not been sent; if that run died, the first rotate after its claim expires sends it.",
            AliasPhase.Moved => $"The alias already points at {state.Current!.KeyId}, but the rotation's last steps (the notification, {(state.RetiresAfterMove ? $"retiring {state.FromKeyId ?? "the previous key"}" : "the active tag")}) have not run; if that run died, the first rotate after its claim expires finishes them.",
            AliasPhase.MovedByHand => $"The alias was pointed at {state.Current!.KeyId} by hand after this tool moved it to {state.MovedByHandFrom}; the next rotate goes on from {state.Current.KeyId} (move {state.Move}).",
            AliasPhase.RollingBack or AliasPhase.Stranded => state.Problem,
            AliasPhase.Superseded => $"The alias moved to {state.NowPointsAt} while it was being read; run status again.",
            _ => null,
        };
    }
}
