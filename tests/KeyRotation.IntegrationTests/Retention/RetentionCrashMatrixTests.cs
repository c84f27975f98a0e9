using KeyRotation.Core.Configuration;
using KeyRotation.IntegrationTests.Rotation;

namespace KeyRotation.IntegrationTests.Retention;

/// <summary>
/// Kills a retention run at every KMS call it makes, once before the call takes effect and once after (its answer lost),
/// then runs again: the two runs together must end exactly where one uninterrupted run ends.
/// </summary>
public sealed class RetentionCrashMatrixTests
{
    /// <summary>
    /// Six generations; generations 2 and 3 disabled by a first run; one more rotation and a day. The next run schedules deletion of
    /// 2 and 3 and disables 4 (5 and 6 are kept behind the current key 7, 1 is the alias's own first key).
    /// </summary>
    private static async Task<RetentionHarness> ReadyAsync()
    {
        var h = new RetentionHarness();
        h.Environment[SettingNames.DisableAfterDays] = "0";
        h.Environment[SettingNames.DeleteAfterDays] = "1";
        h.Environment[SettingNames.RetainGenerations] = "2";
        await h.WithGenerationsAsync(6);
        await h.InvokeAsync();
        Assert.Equal(["Enabled", "Disabled", "Disabled", "Enabled", "Enabled", "Enabled"], h.States());
        await h.RotateAsync();
        h.World.Time.Advance(TimeSpan.FromDays(1));
        return h;
    }

    private static readonly string[] Expected = ["Enabled", "PendingDeletion", "PendingDeletion", "Disabled", "Enabled", "Enabled", "Enabled"];

    public static TheoryData<string, int> CallsOfOneRun()
    {
        using var h = ReadyAsync().GetAwaiter().GetResult();
        h.World.Kms.ClearRecordedRequests();
        h.InvokeAsync().GetAwaiter().GetResult();
        Assert.Equal(Expected, h.States());

        var data = new TheoryData<string, int>();
        foreach (var (operation, occurrence, _, _) in CrashPoints.Of(h.World.Kms.RecordedRequests))
        {
            data.Add(operation, occurrence);
        }

        SuiteCoverage.CrashPoints("retention", data.Count);
        return data;
    }

    [Fact]
    public void CallsOfOneRun_CoverEveryStep()
    {
        var operations = CallsOfOneRun().Select(row => (string)row[0]).Distinct().Order(StringComparer.Ordinal).ToList();

        Assert.Equal(["DescribeKey", "DisableKey", "GetKeyLastUsage", "ListAliases", "ListResourceTags", "ScheduleKeyDeletion", "TagResource"], operations);
    }

    [Fact]
    public void CallsOfOneRun_AreAllGrantedToTheRetentionRole()
    {
        var operations = CallsOfOneRun().Select(row => "kms:" + (string)row[0]).Distinct();

        Assert.Empty(operations.Except(Core.Retention.RetentionPermissions.Kms, StringComparer.Ordinal));
    }

    [Theory]
    [MemberData(nameof(CallsOfOneRun))]
    public async Task Run_KilledAtCall_NextRunConverges(string operation, int occurrence)
    {
        using var h = await ReadyAsync();
        h.World.Kms.Faults.ThrowNth(operation, h.World.Kms.Faults.CallCount(operation) + occurrence, new SimulatedCrashException($"killed at {operation} #{occurrence}"));

        await Assert.ThrowsAsync<SimulatedCrashException>(() => h.InvokeAsync());
        await h.InvokeAsync();

        Assert.Equal(Expected, h.States());
    }

    [Theory]
    [MemberData(nameof(CallsOfOneRun))]
    public async Task Run_KilledAfterCallTookEffect_NextRunConverges(string operation, int occurrence)
    {
        using var h = await ReadyAsync();
        h.World.Kms.Faults.ThrowAfterNth(operation, h.World.Kms.Faults.CallCount(operation) + occurrence, new SimulatedCrashException($"lost the answer of {operation} #{occurrence}"));

        await Assert.ThrowsAsync<SimulatedCrashException>(() => h.InvokeAsync());
        await h.InvokeAsync();

        Assert.Equal(Expected, h.States());
        Assert.All(h.Generations[1..4], id => Assert.True(h.World.Key(id).Tags.ContainsKey(Core.Retention.RetentionTags.DisabledAt)));
    }
}
