using KeyRotation.Core.Protocol;

namespace KeyRotation.Core.Strategies;

/// <summary>
/// material: every rotation gives the alias's key new material in place (RotateKeyOnDemand, after importing new
/// material for a key with imported material); the key id stays. Refuses a key KMS cannot rotate on demand, or one
/// that has used all its on-demand rotations.
/// </summary>
internal sealed class MaterialStrategy : IGenerationStrategy
{
    public RotationStrategy Strategy => RotationStrategy.Material;

    public async Task<MethodChoice> ChooseAsync(GenerationContext context, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(context);
        var state = context.State;
        var key = state.Current!;
        var source = $"{RotationStrategyNames.Material} ({context.Source})";
        if (context.Material.WhyNot(key) is { } notPossible)
        {
            return MethodChoice.Refused($"{state.Alias} is to be rotated with strategy {source}, but {notPossible}. Use the strategy new-key or auto for it. Nothing was changed.");
        }

        var done = await context.Material.CountOnDemandRotationsAsync(key.KeyId, ct);
        if (MaterialAbility.MaxOnDemandRotations - done <= 0)
        {
            return MethodChoice.Refused($"Key {key.KeyId} behind {state.Alias} has used all {MaterialAbility.MaxOnDemandRotations} on-demand rotations KMS allows per key; strategy {source} cannot rotate it again. Use new-key or auto for it. Nothing was changed.");
        }

        return new MethodChoice(RotationMethod.Material, null, null, done);
    }
}
