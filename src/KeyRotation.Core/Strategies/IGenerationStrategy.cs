using KeyRotation.Core.Protocol;

namespace KeyRotation.Core.Strategies;

/// <summary>
/// How an alias's next generation is made: one implementation per value of ROTATION_STRATEGY (and of the strategy tag
/// on a key), registered in <see cref="GenerationStrategies"/>. A strategy only decides, from what the protocol read,
/// whether this rotation makes a new key or new material in the same key, or refuses; the protocol then runs that
/// method's steps with their claims and crash points, so every strategy shares the same fencing.
/// </summary>
internal interface IGenerationStrategy
{
    /// <summary>The configured strategy this class stands for.</summary>
    RotationStrategy Strategy { get; }

    /// <summary>The method for this rotation of the alias, or a refusal saying why and what to do.</summary>
    Task<MethodChoice> ChooseAsync(GenerationContext context, CancellationToken ct);
}

/// <summary>What a strategy decides from: the protocol's reading of the alias, where its strategy came from, and what KMS allows for its key.</summary>
/// <param name="State">The alias as the protocol read it (its current key described).</param>
/// <param name="Source">Where the strategy was set, in words (the key's tag or ROTATION_STRATEGY), for messages.</param>
/// <param name="Material">Whether and how often KMS can give the current key new material in place.</param>
internal sealed record GenerationContext(AliasState State, string Source, MaterialAbility Material);
