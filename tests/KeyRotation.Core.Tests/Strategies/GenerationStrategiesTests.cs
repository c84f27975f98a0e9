using KeyRotation.Core.Strategies;

namespace KeyRotation.Core.Tests.Strategies;

public sealed class GenerationStrategiesTests
{
    [Fact]
    public void For_EveryConfigurableStrategy_HasExactlyOneRegisteredClass()
    {
        foreach (var strategy in Enum.GetValues<RotationStrategy>())
        {
            Assert.Equal(strategy, GenerationStrategies.For(strategy).Strategy);
            Assert.Single(GenerationStrategies.All, s => s.Strategy == strategy);
        }
    }

    [Fact]
    public void All_RegistersOneClassPerName()
    {
        var names = GenerationStrategies.All.Select(s => RotationStrategyNames.Name(s.Strategy)).ToList();

        Assert.Equal([RotationStrategyNames.NewKey, RotationStrategyNames.Material, RotationStrategyNames.Auto], names);
    }
}
