using Amazon.KeyManagementService.Model;
using KeyRotation.Core.Retention;

namespace KeyRotation.Core.Tests.Retention;

/// <summary>
/// RETIRE_ORIGINAL_KEY: the alias's first key is retired only when the setting is on, under the same proof of non-use,
/// and only when the marker alias of this tool's first move shows it was behind the alias before that move.
/// </summary>
public sealed class OriginalKeyRetentionTests
{
    [Fact]
    public async Task Run_SettingOff_NeverTouchesTheOriginalKey()
    {
        var world = await RetentionMockWorld.RotatedAsync();

        var result = RetentionMockWorld.ResultFor(await world.RunAsync(), world.Original);

        Assert.Equal(RetentionAction.Keep, result.Step.Action);
        Assert.Equal(OriginalKey.NeverTouched, result.Step.Reason);
        Assert.Empty(world.StateChangesOf(world.Original));
        Assert.DoesNotContain(world.Kms.Requests<GetKeyLastUsageRequest>(), r => r.KeyId == world.Original);
    }

    [Fact]
    public async Task Run_SettingOn_DisablesTheOriginalKeyProvenUnusedAndShownBehindTheAliasByTheFirstMovesMarker()
    {
        var world = await RetentionMockWorld.RotatedAsync();
        world.Settings = world.Settings with { RetireOriginalKey = true };

        var result = RetentionMockWorld.ResultFor(await world.RunAsync(), world.Original);

        Assert.Equal((RetentionAction.Disable, RetentionOutcome.Done), (result.Step.Action, result.Outcome));
        Assert.Contains("alias/keyrotation/orders/1 shows it was behind alias/orders", result.Step.Reason, StringComparison.Ordinal);
        Assert.Equal(RetirementVerdict.Proven, result.Step.Proof!.Verdict);
        Assert.Equal(["DisableKey"], world.StateChangesOf(world.Original));
    }

    [Fact]
    public async Task Run_SettingOnButOriginalKeyUsedRecently_KeepsIt()
    {
        var world = await RetentionMockWorld.RotatedAsync();
        world.Settings = world.Settings with { RetireOriginalKey = true };
        world.Kms.Use(world.Original, "Decrypt", TimeSpan.FromDays(3));

        var result = RetentionMockWorld.ResultFor(await world.RunAsync(), world.Original);

        Assert.Equal(RetentionAction.Disable, result.Step.Refused);
        Assert.Empty(world.StateChangesOf(world.Original));
    }

    [Fact]
    public async Task Run_SettingOnButFirstMovesMarkerPointsElsewhere_KeepsTheOriginalKey()
    {
        var world = await RetentionMockWorld.RotatedAsync();
        world.Settings = world.Settings with { RetireOriginalKey = true };
        // An earlier version's marker, on the new key: it anchors generation 2 but says nothing about the original key.
        world.Kms.Aliases["alias/keyrotation/orders/1"] = (world.Second, world.Time.GetUtcNow());

        var report = await world.RunAsync();

        var result = RetentionMockWorld.ResultFor(report, world.Original);
        Assert.Equal(RetentionAction.Keep, result.Step.Action);
        Assert.Contains("does not point at it", result.Step.Reason, StringComparison.Ordinal);
        Assert.Empty(world.StateChangesOf(world.Original));
        Assert.Equal(RetentionOutcome.Done, RetentionMockWorld.ResultFor(report, world.Second).Outcome);
    }
}
