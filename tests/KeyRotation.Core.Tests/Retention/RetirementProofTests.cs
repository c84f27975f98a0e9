using Amazon.KeyManagementService.Model;
using KeyRotation.Core.Retention;

namespace KeyRotation.Core.Tests.Retention;

/// <summary>
/// The proof of non-use before each retirement step, in GetKeyLastUsage's three documented cases: a key is disabled
/// (and later scheduled for deletion) only when it and every replica are proven unused for RETIRE_UNUSED_FOR_DAYS.
/// </summary>
public sealed class RetirementProofTests
{
    [Fact]
    public async Task Run_KeyNeverUsed_IsDisabledWithItsProofTaggedBeforeDisableKey()
    {
        var world = await RetentionMockWorld.RotatedAsync();

        var result = RetentionMockWorld.ResultFor(await world.RunAsync(), world.Second);

        Assert.Equal((RetentionAction.Disable, RetentionOutcome.Done), (result.Step.Action, result.Outcome));
        Assert.Equal(RetirementVerdict.Proven, result.Step.Proof!.Verdict);
        Assert.Equal(KeyUseFinding.NeverUsed, Assert.Single(result.Step.Proof.Keys).Finding);
        var order = world.Kms.Calls.Select(c => c.Request).ToList();
        var read = order.FindIndex(r => r is GetKeyLastUsageRequest g && g.KeyId == world.Second);
        var tag = order.FindIndex(r => r is TagResourceRequest t && t.KeyId == world.Second && t.Tags.Any(x => x.TagKey == RetentionTags.DisableProof));
        var disable = order.FindIndex(r => r is DisableKeyRequest d && d.KeyId == world.Second);
        Assert.True(read >= 0 && read < tag && tag < disable, $"GetKeyLastUsage {read}, TagResource {tag}, DisableKey {disable}");
        var proofTag = world.TagsWrittenOn(world.Second).SelectMany(t => t.Tags).Single(t => t.TagKey == RetentionTags.DisableProof).TagValue;
        Assert.Equal("2026-09-29T03:00:00Z unused 120d of 30d: key never used", proofTag);
    }

    [Fact]
    public async Task Run_KeyUsedOneDayAgo_IsKeptAndReportsTheUseWithItsCloudTrailEvent()
    {
        var world = await RetentionMockWorld.RotatedAsync();
        world.Kms.Use(world.Second, "Decrypt", TimeSpan.FromDays(1));

        var report = await world.RunAsync();

        var result = RetentionMockWorld.ResultFor(report, world.Second);
        Assert.Equal((RetentionAction.Keep, RetentionOutcome.Kept, RetentionAction.Disable), (result.Step.Action, result.Outcome, result.Step.Refused));
        Assert.Contains($"used by Decrypt at 2026-09-28T03:00:00Z (CloudTrail event event-{world.Second})", result.Step.Reason, StringComparison.Ordinal);
        Assert.Equal(result, Assert.Single(report.Refused));
        Assert.Empty(world.StateChangesOf(world.Second));
        Assert.Empty(world.TagsWrittenOn(world.Second));
    }

    [Fact]
    public async Task Run_KeyUsedLongerAgoThanTheWindow_IsDisabled()
    {
        var world = await RetentionMockWorld.RotatedAsync();
        world.Kms.Use(world.Second, "GenerateDataKey", TimeSpan.FromDays(31));

        var result = RetentionMockWorld.ResultFor(await world.RunAsync(), world.Second);

        Assert.Equal(RetentionOutcome.Done, result.Outcome);
        Assert.Equal(KeyUseFinding.Used, Assert.Single(result.Step.Proof!.Keys).Finding);
        Assert.Equal(["DisableKey"], world.StateChangesOf(world.Second));
    }

    [Fact]
    public async Task Run_KeyOlderThanTrackingWhoseWindowSinceTrackingIsShorter_IsKept()
    {
        var world = await RetentionMockWorld.RotatedAsync();
        world.Kms.TrackingStart = world.Time.GetUtcNow().AddDays(-10);

        var result = RetentionMockWorld.ResultFor(await world.RunAsync(), world.Second);

        Assert.Equal(RetentionAction.Disable, result.Step.Refused);
        Assert.Equal(KeyUseFinding.UnusedSinceTracking, Assert.Single(result.Step.Proof!.Keys).Finding);
        Assert.Contains("tracking covers only 10 day(s)", result.Step.Reason, StringComparison.Ordinal);
        Assert.Empty(world.StateChangesOf(world.Second));
    }

    [Fact]
    public async Task Run_KeyOlderThanTrackingWhoseWindowSinceTrackingCoversTheSetting_IsDisabled()
    {
        var world = await RetentionMockWorld.RotatedAsync();
        world.Kms.TrackingStart = world.Time.GetUtcNow().AddDays(-31);

        var result = RetentionMockWorld.ResultFor(await world.RunAsync(), world.Second);

        Assert.Equal(RetentionOutcome.Done, result.Outcome);
        Assert.Equal(KeyUseFinding.UnusedSinceTracking, Assert.Single(result.Step.Proof!.Keys).Finding);
        Assert.Equal(["DisableKey"], world.StateChangesOf(world.Second));
    }

    [Fact]
    public async Task Run_BeforeScheduleKeyDeletion_ReadsTheProofAgainAndKeepsAKeyUsedWithinTheWindow()
    {
        var world = await RetentionMockWorld.RotatedAsync();
        await world.RunAsync();
        world.Time.Advance(TimeSpan.FromDays(11));
        world.Kms.Use(world.Second, "Decrypt", TimeSpan.FromDays(12));
        world.Kms.Calls.Clear();

        var result = RetentionMockWorld.ResultFor(await world.RunAsync(), world.Second);

        Assert.Equal(RetentionAction.ScheduleDeletion, result.Step.Refused);
        Assert.Contains(world.Kms.Requests<GetKeyLastUsageRequest>(), r => r.KeyId == world.Second);
        Assert.Empty(world.StateChangesOf(world.Second));
    }

    [Fact]
    public async Task Run_DisabledKeyStillProvenUnused_SchedulesDeletionWithTheNewProofTaggedFirst()
    {
        var world = await RetentionMockWorld.RotatedAsync();
        await world.RunAsync();
        world.Time.Advance(TimeSpan.FromDays(11));
        world.Kms.Calls.Clear();

        var result = RetentionMockWorld.ResultFor(await world.RunAsync(), world.Second);

        Assert.Equal((RetentionAction.ScheduleDeletion, RetentionOutcome.Done), (result.Step.Action, result.Outcome));
        var tag = Assert.Single(world.TagsWrittenOn(world.Second));
        Assert.StartsWith("2026-10-10T03:00:00Z unused 131d", tag.Tags.Single(t => t.TagKey == RetentionTags.DeletionProof).TagValue, StringComparison.Ordinal);
        Assert.Equal(["ScheduleKeyDeletion"], world.StateChangesOf(world.Second));
    }

    [Fact]
    public async Task Plan_KeyJustUsed_ShowsTheRefusalAndChangesNothing()
    {
        var world = await RetentionMockWorld.RotatedAsync();
        world.Kms.Use(world.Second, "Decrypt", TimeSpan.FromHours(2));

        var plan = Assert.Single(await world.Runner().PlanAsync([RetentionMockWorld.Alias], CancellationToken.None));

        var step = plan.Steps.Single(s => s.KeyId == world.Second);
        Assert.Equal((RetentionAction.Keep, RetentionAction.Disable), (step.Action, step.Refused));
        Assert.Contains("used by Decrypt", step.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain(world.Kms.Operations, o => o is "TagResource" or "DisableKey" or "ScheduleKeyDeletion");
    }

    [Fact]
    public async Task Run_KeyJustUsed_NotifiesThatARetiredKeyIsStillInUse()
    {
        var world = await RetentionMockWorld.RotatedAsync();
        world.Kms.Use(world.Second, "Decrypt", TimeSpan.FromHours(2));

        await world.RunAsync();

        var notice = Assert.Single(world.Notifier.Notices);
        Assert.Contains("still in use", notice.Subject, StringComparison.Ordinal);
        Assert.Contains($"Kept (Disable refused, still in use): {world.Second}", notice.Body, StringComparison.Ordinal);
    }
}
