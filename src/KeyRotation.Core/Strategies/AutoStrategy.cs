using KeyRotation.Core.Protocol;

namespace KeyRotation.Core.Strategies;

/// <summary>
/// auto: new material in the same key where KMS allows it and the on-demand rotations left stay above the reserve
/// kept for a manual rotation (ROTATION_MATERIAL_RESERVE); otherwise a new key, which starts again with 25. Never refuses.
/// </summary>
internal sealed class AutoStrategy : IGenerationStrategy
{
    public RotationStrategy Strategy => RotationStrategy.Auto;

    public async Task<MethodChoice> ChooseAsync(GenerationContext context, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(context);
        var key = context.State.Current!;
        const int max = MaterialAbility.MaxOnDemandRotations;
        if (context.Material.WhyNot(key) is { } notPossible)
        {
            return new MethodChoice(RotationMethod.NewKey, $"auto: {notPossible}, so this rotation created a new key.", null, 0);
        }

        var done = await context.Material.CountOnDemandRotationsAsync(key.KeyId, ct);
        var left = max - done;
        if (left <= 0)
        {
            return new MethodChoice(RotationMethod.NewKey, $"auto: key {key.KeyId} has used all {max} on-demand rotations KMS allows, so this rotation created a new key (which starts again with {max}).", null, done);
        }

        if (left - 1 < context.Material.Reserve)
        {
            return new MethodChoice(
                RotationMethod.NewKey,
                $"auto: key {key.KeyId} has {left} of its {max} on-demand rotations left, and {context.Material.Reserve} stay in reserve for a manual rotation ({Configuration.SettingNames.RotationMaterialReserve}), so this rotation created a new key (which starts again with {max}).",
                null,
                done);
        }

        return new MethodChoice(RotationMethod.Material, null, null, done);
    }
}
