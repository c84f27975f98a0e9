using KeyRotation.Core.Protocol;

namespace KeyRotation.Core.Strategies;

/// <summary>new-key (the default): every rotation creates a new key and moves the alias to it.</summary>
internal sealed class NewKeyStrategy : IGenerationStrategy
{
    public RotationStrategy Strategy => RotationStrategy.NewKey;

    public Task<MethodChoice> ChooseAsync(GenerationContext context, CancellationToken ct) =>
        Task.FromResult(new MethodChoice(RotationMethod.NewKey, null, null, 0));
}
