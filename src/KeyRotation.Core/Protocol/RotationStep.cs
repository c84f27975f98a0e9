namespace KeyRotation.Core.Protocol;

/// <summary>
/// Where an alias's rotation stands, as Secrets Manager shows a secret's pending stage (docs/hooks.md, "Where a rotation
/// stands"). Derived from the protocol's one reading (<see cref="AliasState"/>), so status and the rotation agree.
/// </summary>
public enum RotationStep
{
    /// <summary>A run claimed the move; the new generation is being made or is made, and the pre-move hook has not accepted it.</summary>
    Created,

    /// <summary>The pre-move hook accepted the new generation (<see cref="RotationTags.Tested"/>); the alias has not moved yet.</summary>
    Tested,

    /// <summary>The alias points at the new key (a material move is recorded); the notification and the last step are left.</summary>
    Moved,

    /// <summary>Nothing is in progress and the alias's last move (made by this tool) finished.</summary>
    Finished,
}

/// <summary>Reads the <see cref="RotationStep"/> from an alias's state.</summary>
internal static class RotationSteps
{
    /// <summary>The step, or null where the alias has none (never rotated, moved by hand, rolling back, stranded, unreadable).</summary>
    public static RotationStep? Of(AliasState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        return state.Phase switch
        {
            AliasPhase.Claimed or AliasPhase.Recorded => KeyRecord.From(state.CurrentTags).TestedMove == state.Move ? RotationStep.Tested : RotationStep.Created,
            AliasPhase.Moved => RotationStep.Moved,
            AliasPhase.Idle when KeyRecord.From(state.CurrentTags).Sequence > 0 => RotationStep.Finished,
            _ => null,
        };
    }

    /// <summary>The step as status and the docs spell it (lower case).</summary>
    public static string Name(RotationStep step) => step switch
    {
        RotationStep.Created => "created",
        RotationStep.Tested => "tested",
        RotationStep.Moved => "moved",
        _ => "finished",
    };
}
