using KeyRotation.Core;
using Xunit.Abstractions;
using static KeyRotation.IntegrationTests.Interleaving.InterleavingWorld;

namespace KeyRotation.IntegrationTests.Interleaving;

/// <summary>
/// The interleavings that only a material move has, which the strategy suite (<see cref="StrategyInterleavingTests"/>)
/// does not share: two runs take over a move whose run died after RotateKeyOnDemand took effect, for every strategy
/// that rotates the material of a fresh key. Neither may rotate again.
/// </summary>
public sealed class MaterialInterleavingTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(RotationStrategyNames.Material)]
    [InlineData(RotationStrategyNames.Auto)]
    public async Task TwoMaterialRunsAfterARunDiedAfterRotating_EveryInterleaving_OneRecordsItWithoutRotatingAgain(string strategy)
    {
        var explored = await ExploreAsync(
            InterleavingStrategy.All[strategy],
            setup: world => world.DieAtAsync("RotateKeyOnDemand", afterTookEffect: true),
            actors: [Rotate("run-0"), Rotate("run-1")],
            end: world => AssertOneRotationAsync(world, resumed: true));

        output.WriteLine($"Two {strategy} runs taking over a rotated move: {explored} schedules explored.");
        Assert.True(explored > 50, $"only {explored} schedules");
    }
}
