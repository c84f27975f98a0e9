using KeyRotation.Core;

namespace KeyRotation.IntegrationTests.Rotation;

/// <summary>
/// Kills a material rotation at every KMS call it makes, before the call takes effect and after, then runs again as
/// the next invocation would: the two runs together give the key exactly one new material, and the alias never moves.
/// </summary>
public sealed class MaterialCrashMatrixTests
{
    private const string Alias = "alias/orders";

    /// <summary>The KMS calls of one uninterrupted material rotation, in order, as (operation, occurrence, index).</summary>
    public static TheoryData<string, int, int> CallsOfOneMaterialRotation()
    {
        using var world = new RotationWorld();
        world.CreateAliasedKeyAsync(Alias).GetAwaiter().GetResult();
        world.UseStrategy("material");
        world.Kms.ClearRecordedRequests();
        world.InvokeAsync("{}", Alias).GetAwaiter().GetResult();

        var data = new TheoryData<string, int, int>();
        foreach (var (operation, occurrence, index, _) in CrashPoints.Of(world.Kms.RecordedRequests))
        {
            data.Add(operation, occurrence, index);
        }

        SuiteCoverage.CrashPoints("material", data.Count);
        return data;
    }

    [Fact]
    public void CallsOfOneMaterialRotation_CoverEveryStep()
    {
        var operations = CallsOfOneMaterialRotation().Select(row => (string)row[0]).Distinct().ToList();

        Assert.Equal(["DescribeKey", "ListResourceTags", "ListKeyRotations", "CreateAlias", "TagResource", "GetKeyRotationStatus", "RotateKeyOnDemand"], operations);
    }

    [Theory]
    [MemberData(nameof(CallsOfOneMaterialRotation))]
    public async Task Rotate_KilledAtCall_NextRunFinishesWithExactlyOneNewMaterial(string operation, int occurrence, int index)
    {
        using var world = new RotationWorld();
        var key = await world.CreateAliasedKeyAsync(Alias);
        world.UseStrategy("material");
        world.Kms.Faults.ThrowNth(operation, world.Kms.Faults.CallCount(operation) + occurrence, new SimulatedCrashException($"killed at {operation} #{occurrence} (call {index})"));

        await CrashThenRunAgainAsync(world, key.KeyId, index, callTookEffect: false);
    }

    [Theory]
    [MemberData(nameof(CallsOfOneMaterialRotation))]
    public async Task Rotate_KilledAfterCallTookEffect_NextRunFinishesWithExactlyOneNewMaterial(string operation, int occurrence, int index)
    {
        using var world = new RotationWorld();
        var key = await world.CreateAliasedKeyAsync(Alias);
        world.UseStrategy("material");
        world.Kms.Faults.ThrowAfterNth(operation, world.Kms.Faults.CallCount(operation) + occurrence, new SimulatedCrashException($"lost the answer of {operation} #{occurrence} (call {index})"));

        await CrashThenRunAgainAsync(world, key.KeyId, index, callTookEffect: true);
    }

    [Fact]
    public async Task Rotate_KilledAfterRotateKeyOnDemand_NextRunDoesNotRotateAgain()
    {
        using var world = new RotationWorld();
        var key = await world.CreateAliasedKeyAsync(Alias);
        world.UseStrategy("material");
        world.Kms.Faults.ThrowAfterNth("RotateKeyOnDemand", world.Kms.Faults.CallCount("RotateKeyOnDemand") + 1, new SimulatedCrashException("lost the answer"));
        await Assert.ThrowsAsync<SimulatedCrashException>(() => world.InvokeAsync("{}", Alias));
        world.Time.Advance(RotationWorld.ClaimExpiry);
        world.Kms.ClearRecordedRequests();

        var response = await world.InvokeAsync("{}", Alias);

        Assert.StartsWith("Finished an interrupted rotation", response.GetProperty("results")[0].GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain(world.Kms.RecordedRequests, r => r.Operation == "RotateKeyOnDemand");
        Assert.Single(await world.OnDemandRotationsAsync(key.KeyId));
    }

    private static async Task CrashThenRunAgainAsync(RotationWorld world, string keyId, int index, bool callTookEffect)
    {
        var calls = CallsOfOneMaterialRotation();
        var claimIndex = calls.Select(row => (string)row[0]).ToList().IndexOf("CreateAlias");
        var lastIndex = calls.Count - 1;

        await Assert.ThrowsAsync<SimulatedCrashException>(() => world.InvokeAsync("{}", Alias));
        world.Time.Advance(RotationWorld.ClaimExpiry);
        var response = await world.InvokeAsync("{}", Alias);

        var result = response.GetProperty("results")[0];
        var key = world.Key(keyId);
        Assert.Single(await world.OnDemandRotationsAsync(keyId));
        Assert.Equal(keyId, world.Key(Alias).KeyId);
        Assert.Empty(world.CreatedFor(Alias));
        Assert.Equal(("1", "active", "1"), (key.Tags[RotationTags.Sequence], key.Tags[RotationTags.State], key.Tags[RotationTags.MaterialMove]));
        Assert.Equal(await world.CurrentMaterialAsync(keyId), key.Tags[RotationTags.KeyMaterialId]);
        if (callTookEffect && index == lastIndex)
        {
            // Everything was done; only the answer of the last tag was lost. The next run finds the key freshly rotated.
            Assert.Equal("Skipped", result.GetProperty("outcome").GetString());
            Assert.Single(world.Sns.Snapshot());
            return;
        }

        Assert.Equal(("Rotated", "material"), (result.GetProperty("outcome").GetString(), result.GetProperty("method").GetString()));
        var claimed = index > claimIndex || (index == claimIndex && callTookEffect);
        var reason = result.GetProperty("reason").GetString()!;
        Assert.True(!claimed || reason.StartsWith("Finished an interrupted rotation", StringComparison.Ordinal), reason);
        // The last step (its fence, then the active tag) comes after the notification: dying there repeats the notification.
        Assert.Equal(index >= lastIndex - 1 ? 2 : 1, world.Sns.Snapshot().Count);
    }
}
