using KeyRotation.Core.Protocol;

namespace KeyRotation.Core.Tests.Retention;

public sealed class MoveInProgressTests
{
    private static AliasState State(AliasPhase phase) => new() { Alias = "alias/orders", Phase = phase };

    [Fact]
    public void Describe_AnyPhaseButIdle_NamesWhyRetentionWaits()
    {
        var waiting = Enum.GetValues<AliasPhase>().Where(p => p is not AliasPhase.Idle and not AliasPhase.Missing);

        Assert.All(waiting, phase => Assert.StartsWith("alias/orders ", MoveInProgress.Describe(State(phase)), StringComparison.Ordinal));
    }

    [Fact]
    public void Describe_Idle_IsNotInProgress() =>
        Assert.Null(MoveInProgress.Describe(State(AliasPhase.Idle)));
}
