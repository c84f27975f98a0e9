using KeyRotation.Core;

namespace KeyRotation.IntegrationTests.Interleaving;

/// <summary>
/// One strategy as the parameterised interleaving suite (<see cref="StrategyInterleavingTests"/>) drives it: the options
/// its runs are composed with, the call at which a run dies holding the move's claim (the first call after the claim
/// that would change something), and whether a move keeps the alias on its key (new material instead of a new key). The sibling of <see cref="Rotation.CrashMatrixStrategy"/>: adding a strategy to the
/// explorer is its line in <see cref="All"/>.
/// </summary>
internal sealed record InterleavingStrategy(RotationOptions Options, string DiesHoldingTheClaimAt, bool KeepsTheKey)
{
    /// <summary>Every strategy the explorer covers, by the name ROTATION_STRATEGY gives it.</summary>
    public static IReadOnlyDictionary<string, InterleavingStrategy> All { get; } = new Dictionary<string, InterleavingStrategy>(StringComparer.Ordinal)
    {
        [RotationStrategyNames.NewKey] = new(new RotationOptions(), "CreateKey", KeepsTheKey: false),
        [RotationStrategyNames.Material] = new(Material(RotationStrategy.Material), "TagResource", KeepsTheKey: true),

        // A fresh key has all 25 on-demand rotations left, far above the reserve: auto picks material.
        [RotationStrategyNames.Auto] = new(Material(RotationStrategy.Auto), "TagResource", KeepsTheKey: true),
    };

    /// <summary>Polls without waiting: the fake clock does not move by itself.</summary>
    private static RotationOptions Material(RotationStrategy strategy) => new() { Strategy = strategy, MaterialRotationPollDelay = TimeSpan.Zero };
}
