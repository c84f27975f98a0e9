using KeyRotation.Core;

namespace KeyRotation.IntegrationTests.Rotation;

/// <summary>
/// Kills a rotation at every KMS call it makes (an exception the engine does not catch, so no cleanup runs),
/// then runs again as the next invocation would, and checks that the two runs together did exactly one rotation.
/// </summary>
public sealed class CrashMatrixTests
{
    private const string Alias = "alias/orders";

    /// <summary>The KMS calls of one uninterrupted rotation, in order, as (operation, occurrence).</summary>
    public static TheoryData<string, int, int> CallsOfOneRotation()
    {
        using var world = new RotationWorld();
        world.CreateAliasedKeyAsync(Alias).GetAwaiter().GetResult();
        world.Kms.ClearRecordedRequests();
        world.InvokeAsync("{}", Alias).GetAwaiter().GetResult();

        var data = new TheoryData<string, int, int>();
        foreach (var (operation, occurrence, index, _) in CrashPoints.Of(world.Kms.RecordedRequests))
        {
            data.Add(operation, occurrence, index);
        }

        SuiteCoverage.CrashPoints("rotation", data.Count);
        return data;
    }

    [Fact]
    public void CallsOfOneRotation_CoverEveryStep()
    {
        var operations = CallsOfOneRotation().Select(row => (string)row[0]).Distinct().ToList();

        // TagResource first appears right after CreateKey: the new key gets its copied tags, its seal and its final state
        // in one request, before any alias points at it. The marker never moves: UpdateAlias is the alias's move alone.
        // GetKeyRotationStatus asks whether the old key's automatic rotation is to be carried over.
        Assert.Equal(["DescribeKey", "ListResourceTags", "CreateAlias", "GetKeyPolicy", "CreateKey", "TagResource", "GetKeyRotationStatus", "UpdateAlias", "ListGrants"], operations);
    }

    [Theory]
    [MemberData(nameof(CallsOfOneRotation))]
    public async Task Rotate_KilledAtCall_NextRunFinishesWithExactlyOneNewKey(string operation, int occurrence, int index)
    {
        using var world = new RotationWorld();
        var old = await world.CreateAliasedKeyAsync(Alias);
        world.Kms.Faults.ThrowNth(operation, world.Kms.Faults.CallCount(operation) + occurrence, new SimulatedCrashException($"killed at {operation} #{occurrence} (call {index})"));

        await CrashThenRunAgainAsync(world, old.KeyId, index, callTookEffect: false);
    }

    /// <summary>The realistic timeout: KMS did the work, the run died before hearing back (an orphaned key, a moved alias).</summary>
    [Theory]
    [MemberData(nameof(CallsOfOneRotation))]
    public async Task Rotate_KilledAfterCallTookEffect_NextRunFinishesWithExactlyOneNewKey(string operation, int occurrence, int index)
    {
        using var world = new RotationWorld();
        var old = await world.CreateAliasedKeyAsync(Alias);
        world.Kms.Faults.ThrowAfterNth(operation, world.Kms.Faults.CallCount(operation) + occurrence, new SimulatedCrashException($"lost the answer of {operation} #{occurrence} (call {index})"));

        await CrashThenRunAgainAsync(world, old.KeyId, index, callTookEffect: true);
    }

    [Fact]
    public async Task Rotate_KilledAfterClaim_SecondRunSaysItFinishedTheInterruptedRotation()
    {
        using var world = new RotationWorld();
        await world.CreateAliasedKeyAsync(Alias);
        KillAt(world, "CreateKey", 1, "killed at CreateKey");
        await Assert.ThrowsAsync<SimulatedCrashException>(() => world.InvokeAsync("{}", Alias));
        world.Time.Advance(RotationWorld.ClaimExpiry);

        var response = await world.InvokeAsync("{}", Alias);

        Assert.StartsWith("Finished an interrupted rotation", response.GetProperty("results")[0].GetProperty("reason").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rotate_KilledAfterClaimAndRetriedAtOnce_SkipsUntilTheClaimTimesOut()
    {
        using var world = new RotationWorld();
        var old = await world.CreateAliasedKeyAsync(Alias);
        KillAt(world, "CreateKey", 1, "killed at CreateKey");
        await Assert.ThrowsAsync<SimulatedCrashException>(() => world.InvokeAsync("{}", Alias));

        var response = await world.InvokeAsync("{}", Alias);

        var result = response.GetProperty("results")[0];
        Assert.Equal("Skipped", result.GetProperty("outcome").GetString());
        Assert.Contains("If that run died, a run after", result.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Equal(old.KeyId, world.Key(Alias).KeyId);
        Assert.Empty(world.CreatedFor(Alias));
    }

    [Fact]
    public async Task Rotate_KilledAfterAliasMovedBeforeNotification_NextRunNotifiesWithoutRotatingAgain()
    {
        using var world = new RotationWorld();
        var old = await world.CreateAliasedKeyAsync(Alias);
        world.Sns.CrashNext = new SimulatedCrashException("killed while publishing");
        await Assert.ThrowsAsync<SimulatedCrashException>(() => world.InvokeAsync("{}", Alias));
        var moved = world.Key(Alias).KeyId;
        Assert.False(world.Key(old.KeyId).Tags.ContainsKey(RotationTags.State), "the old key is retired only after the notification");
        world.Time.Advance(RotationWorld.ClaimExpiry);

        var response = await world.InvokeAsync("{}", Alias);

        var result = response.GetProperty("results")[0];
        Assert.Equal(("Rotated", moved), (result.GetProperty("outcome").GetString(), result.GetProperty("newKeyId").GetString()));
        Assert.StartsWith("Finished an interrupted rotation", result.GetProperty("reason").GetString(), StringComparison.Ordinal);
        AssertConverged(world, old.KeyId, moved);
        Assert.Single(world.Sns.Snapshot());
    }

    private static async Task CrashThenRunAgainAsync(RotationWorld world, string oldKeyId, int index, bool callTookEffect)
    {
        var calls = CallsOfOneRotation();
        var claimIndex = calls.Select(row => (string)row[0]).ToList().IndexOf("CreateAlias");
        var lastIndex = calls.Count - 1;

        await Assert.ThrowsAsync<SimulatedCrashException>(() => world.InvokeAsync("{}", Alias));
        world.Time.Advance(RotationWorld.ClaimExpiry);
        var response = await world.InvokeAsync("{}", Alias);

        var result = response.GetProperty("results")[0];
        if (callTookEffect && index == lastIndex)
        {
            // Everything was done; only the answer of the last tag was lost. Nothing is left to do.
            Assert.Equal("Skipped", result.GetProperty("outcome").GetString());
            AssertConverged(world, oldKeyId, world.Key(Alias).KeyId);
            Assert.Single(world.Sns.Snapshot());
            return;
        }

        Assert.Equal("Rotated", result.GetProperty("outcome").GetString());
        var newKeyId = result.GetProperty("newKeyId").GetString()!;
        AssertConverged(world, oldKeyId, newKeyId);

        // Once the claim exists, the second run says it finished the first run's rotation.
        var claimed = index > claimIndex || (index == claimIndex && callTookEffect);
        var reason = result.GetProperty("reason").GetString()!;
        Assert.True(!claimed || reason.StartsWith("Finished an interrupted rotation", StringComparison.Ordinal), reason);

        // The last step (its fence, then retiring the old key) comes after the notification went out: dying there repeats
        // the notification (at least once); every earlier point sends exactly one.
        Assert.Equal(index >= lastIndex - 1 ? 2 : 1, world.Sns.Snapshot().Count);
    }

    /// <summary>Crashes the rotation's <paramref name="occurrence"/>-th call of the operation (set-up calls not counted).</summary>
    private static void KillAt(RotationWorld world, string operation, int occurrence, string message) =>
        world.Kms.Faults.ThrowNth(operation, world.Kms.Faults.CallCount(operation) + occurrence, new SimulatedCrashException(message));

    private static void AssertConverged(RotationWorld world, string oldKeyId, string newKeyId)
    {
        var created = Assert.Single(world.CreatedFor(Alias));
        Assert.Equal(newKeyId, created.KeyId);
        var current = world.Key(Alias);
        Assert.Equal((newKeyId, "Enabled", "SYMMETRIC_DEFAULT"), (current.KeyId, current.KeyState, current.KeySpec));
        Assert.Equal(("active", oldKeyId), (current.Tags[RotationTags.State], current.Tags[RotationTags.PreviousKey]));
        Assert.Equal(("1", "2"), (current.Tags[RotationTags.Sequence], current.Tags[RotationTags.Generation]));
        Assert.Equal(("payments", "cc-42", RotationTags.SealedValue), (current.Tags["team"], current.Tags["cost-centre"], current.Tags[RotationTags.Sealed]));
        var old = world.Key(oldKeyId);
        Assert.Contains("alias/keyrotation/orders/1", old.Aliases);
        Assert.Equal(("Enabled", "retired", newKeyId), (old.KeyState, old.Tags[RotationTags.State], old.Tags[RotationTags.SuccessorKey]));
        Assert.Equal(RotationTags.SealedValue, old.Tags[RotationTags.Sealed]);
    }
}

internal sealed class SimulatedCrashException : Exception
{
    public SimulatedCrashException(string message)
        : base(message)
    {
    }

    public SimulatedCrashException()
    {
    }

    public SimulatedCrashException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
