using static KeyRotation.IntegrationTests.Rotation.MultiRegionSet;

namespace KeyRotation.IntegrationTests.Rotation;

/// <summary>
/// The crash matrix of a multi-Region rotation: every KMS call of one rotation of the set (in every Region), killed once
/// before it takes effect and once after; the next run must converge on one new primary, one replica of it per replica
/// Region, every Region's alias on it and every old key retired, with one notification.
/// </summary>
public sealed class MultiRegionCrashMatrixTests
{
    /// <summary>The KMS calls of one uninterrupted rotation of the set, in order, as (operation, occurrence, Region).</summary>
    public static TheoryData<string, int, int, string> CallsOfOneRotation()
    {
        using var world = new RotationWorld();
        CreateAsync(world).GetAwaiter().GetResult();
        world.InvokeAsync("{}", Alias).GetAwaiter().GetResult();

        var data = new TheoryData<string, int, int, string>();
        foreach (var (operation, occurrence, index, region) in CrashPoints.Of(world.Kms.RecordedRequests))
        {
            data.Add(operation, occurrence, index, region ?? Primary);
        }

        SuiteCoverage.CrashPoints("multi-Region", data.Count);
        return data;
    }

    [Fact]
    public void CallsOfOneRotation_ReachEveryRegionAndReplicateIntoEachReplicaRegion()
    {
        var calls = CallsOfOneRotation().Select(row => ((string)row[0], (string)row[3])).ToList();

        Assert.Equal(Replicas.Append(Primary).Order(StringComparer.Ordinal), calls.Select(c => c.Item2).Distinct().Order(StringComparer.Ordinal));
        Assert.Equal(2, calls.Count(c => c.Item1 == "ReplicateKey"));
        Assert.All(Replicas, region => Assert.Contains(("UpdateAlias", region), calls));
    }

    [Theory]
    [MemberData(nameof(CallsOfOneRotation))]
    public async Task Rotate_KilledAtCall_NextRunFinishesTheSet(string operation, int occurrence, int index, string region)
    {
        using var world = new RotationWorld();
        var old = await CreateAsync(world);
        world.Kms.Faults.ThrowNth(operation, world.Kms.Faults.CallCount(operation) + occurrence, new SimulatedCrashException($"killed at {operation} #{occurrence} in {region} (call {index})"));

        await CrashThenRunAgainAsync(world, old, index, callTookEffect: false);
    }

    [Theory]
    [MemberData(nameof(CallsOfOneRotation))]
    public async Task Rotate_KilledAfterCallTookEffect_NextRunFinishesTheSet(string operation, int occurrence, int index, string region)
    {
        using var world = new RotationWorld();
        var old = await CreateAsync(world);
        world.Kms.Faults.ThrowAfterNth(operation, world.Kms.Faults.CallCount(operation) + occurrence, new SimulatedCrashException($"lost the answer of {operation} #{occurrence} in {region} (call {index})"));

        await CrashThenRunAgainAsync(world, old, index, callTookEffect: true);
    }

    private static async Task CrashThenRunAgainAsync(RotationWorld world, string oldKeyId, int index, bool callTookEffect)
    {
        var lastIndex = CallsOfOneRotation().Count - 1;

        await Assert.ThrowsAsync<SimulatedCrashException>(() => world.InvokeAsync("{}", Alias));
        world.Time.Advance(RotationWorld.ClaimExpiry);
        var result = (await world.InvokeAsync("{}", Alias)).GetProperty("results")[0];

        if (callTookEffect && index == lastIndex)
        {
            Assert.Equal("Skipped", result.GetProperty("outcome").GetString());
            AssertConverged(world, oldKeyId, world.Key(Alias).KeyId);
            Assert.Single(world.Sns.Snapshot());
            return;
        }

        Assert.Equal("Rotated", result.GetProperty("outcome").GetString());
        AssertConverged(world, oldKeyId, result.GetProperty("newKeyId").GetString()!);
        // The last step (its fence, then retiring the old primary) comes after the notification went out: dying there
        // repeats the notification (at least once); every earlier point sends exactly one.
        Assert.Equal(index >= lastIndex - 1 ? 2 : 1, world.Sns.Snapshot().Count);
    }
}
