using KeyRotation.Core.Protocol;

namespace KeyRotation.Core.Retention;

/// <summary>
/// Whether retention must leave an alias alone because a rotation or rollback of it has not finished. It asks the
/// rotation protocol's own reading of the alias (<see cref="AliasStateReader"/>), so retention and rotation agree
/// on what "in progress" means.
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
}
