using Xunit.Abstractions;
using static KeyRotation.IntegrationTests.Interleaving.InterleavingWorld;

namespace KeyRotation.IntegrationTests.Interleaving;

/// <summary>
/// The interleaving explorer over every strategy (<see cref="InterleavingStrategy.All"/>): two runs of one alias through
/// every interleaving of their KMS calls with up to <see cref="PreemptionBound"/> preemptions, the protocol's invariants
/// checked after every call and at the end (exactly one new key or one new material, one Rotated, one notification).
/// </summary>
public sealed class StrategyInterleavingTests(ITestOutputHelper output)
{
    public static TheoryData<string> Strategies() => [.. InterleavingStrategy.All.Keys];

    [Theory]
    [MemberData(nameof(Strategies))]
    public async Task TwoRuns_EveryInterleaving_ExactlyOneRotationAndTheOtherSkips(string strategy)
    {
        var explored = await ExploreAsync(
            InterleavingStrategy.All[strategy],
            setup: _ => Task.CompletedTask,
            actors: [Rotate("run-a"), Rotate("run-b")],
            end: world => AssertOneRotationAsync(world, resumed: false));

        output.WriteLine($"Two fresh {strategy} runs: {explored} schedules explored.");
        Assert.True(explored > 50, $"only {explored} schedules");
    }

    [Theory]
    [MemberData(nameof(Strategies))]
    public async Task TwoRunsAfterARunDiedHoldingTheClaim_EveryInterleaving_OneTakesOverAndFinishes(string strategy)
    {
        var explored = await ExploreAsync(
            InterleavingStrategy.All[strategy],
            setup: world => world.DieAtAsync(InterleavingStrategy.All[strategy].DiesHoldingTheClaimAt),
            actors: [Rotate("run-a"), Rotate("run-b")],
            end: world => AssertOneRotationAsync(world, resumed: true));

        output.WriteLine($"Two {strategy} runs taking over a claimed move: {explored} schedules explored.");
        Assert.True(explored > 50, $"only {explored} schedules");
    }
}
