using Amazon.KeyManagementService;
using KeyRotation.Core.Strategies;

namespace KeyRotation.Core.Protocol;

/// <summary>What the strategy decided for one alias this time: a method (and why, when worth saying), or a refusal.</summary>
internal sealed record MethodChoice(RotationMethod Method, string? Why, string? Refusal, int OnDemandRotationsDone)
{
    public static MethodChoice Refused(string reason) => new(RotationMethod.NewKey, null, reason, 0);
}

/// <summary>
/// Chooses how an alias is rotated: the strategy (ROTATION_STRATEGY, overridden by the strategy tag on the current key)
/// picks its registered class (<see cref="GenerationStrategies"/>), which decides from what KMS allows for the key
/// (<see cref="MaterialAbility"/>). Reads only (ListKeyRotations).
/// </summary>
internal sealed class StrategyChoice
{
    /// <summary>KMS allows at most this many on-demand rotations per key, for its whole life.</summary>
    public const int MaxOnDemandRotations = MaterialAbility.MaxOnDemandRotations;

    private readonly RotationOptions _options;
    private readonly MaterialAbility _material;

    public StrategyChoice(IAmazonKeyManagementService kms, RotationOptions options, bool canImportNewMaterial)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _material = new MaterialAbility(kms, canImportNewMaterial, options.MaterialReserve);
    }

    /// <summary>The strategy for the alias: its key's tag, else the configured one; a bad tag value is a refusal.</summary>
    public (RotationStrategy Strategy, string? Refusal) StrategyOf(AliasState state)
    {
        if (!state.CurrentTags.TryGetValue(RotationTags.Strategy, out var tagged))
        {
            return (_options.Strategy, null);
        }

        return RotationStrategyNames.TryParse(tagged, out var strategy)
            ? (strategy, null)
            : (_options.Strategy, $"Key {state.Current!.KeyId} behind {state.Alias} is tagged {RotationTags.Strategy}={tagged}, which is not a rotation strategy; use {RotationStrategyNames.Allowed} (or remove the tag to use ROTATION_STRATEGY). Nothing was changed.");
    }

    public async Task<MethodChoice> ChooseAsync(AliasState state, CancellationToken ct)
    {
        var (strategy, refusal) = StrategyOf(state);
        return refusal is not null
            ? MethodChoice.Refused(refusal)
            : await GenerationStrategies.For(strategy).ChooseAsync(new GenerationContext(state, SourceOf(state), _material), ct);
    }

    private static string SourceOf(AliasState state) =>
        state.CurrentTags.ContainsKey(RotationTags.Strategy) ? $"tag {RotationTags.Strategy} on its key" : Configuration.SettingNames.RotationStrategy;
}
