namespace KeyRotation.Core.Strategies;

/// <summary>
/// The registration of every strategy: ROTATION_STRATEGY's values (new-key, material, auto) map to one class each.
/// Adding a strategy is its class, its line here, its name in <see cref="RotationStrategyNames"/> and its tests.
/// </summary>
internal static class GenerationStrategies
{
    /// <summary>Every registered strategy, in the order the names are documented.</summary>
    public static IReadOnlyList<IGenerationStrategy> All { get; } = [new NewKeyStrategy(), new MaterialStrategy(), new AutoStrategy()];

    /// <summary>The class of a configured strategy.</summary>
    public static IGenerationStrategy For(RotationStrategy strategy) =>
        All.FirstOrDefault(s => s.Strategy == strategy) ?? throw new ArgumentOutOfRangeException(nameof(strategy), strategy, "No strategy is registered for this value.");
}
