using KeyRotation.Core;

namespace KeyRotation.IntegrationTests.Rotation;

/// <summary>
/// The crash matrix over every strategy (<see cref="CrashMatrixStrategy.All"/>): kills a rotation at every KMS call it
/// makes (an exception the engine does not catch, so no cleanup runs), once before the call takes effect and once after,
/// then runs again as the next invocation would, and checks that the two runs together did exactly one rotation.
/// </summary>
public sealed class StrategyCrashMatrixTests
{
    private const string Alias = CrashMatrixStrategy.Alias;

    public static TheoryData<string> Strategies() => [.. CrashMatrixStrategy.All.Keys];

    /// <summary>Every strategy's KMS calls of one uninterrupted rotation, in order, as (strategy, operation, occurrence, index).</summary>
    public static TheoryData<string, string, int, int> CallsOfOneRotation()
    {
        var data = new TheoryData<string, string, int, int>();
        foreach (var strategy in CrashMatrixStrategy.All.Keys)
        {
            var calls = Calls(strategy);
            foreach (var (operation, occurrence, index) in calls)
            {
                data.Add(strategy, operation, occurrence, index);
            }

            SuiteCoverage.CrashPoints(strategy, calls.Count);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Strategies))]
    public void CallsOfOneRotation_CoverEveryStep(string strategy)
    {
        var operations = Calls(strategy).Select(call => call.Operation).Distinct().ToList();

        Assert.Equal(CrashMatrixStrategy.All[strategy].Operations, operations);
    }

    [Theory]
    [MemberData(nameof(CallsOfOneRotation))]
    public async Task Rotate_KilledAtCall_NextRunFinishesWithExactlyOneRotation(string strategy, string operation, int occurrence, int index)
    {
        using var world = new RotationWorld();
        var old = await CrashMatrixStrategy.All[strategy].SetUpAsync(world);
        world.Kms.Faults.ThrowNth(operation, world.Kms.Faults.CallCount(operation) + occurrence, new SimulatedCrashException($"killed at {operation} #{occurrence} (call {index})"));

        await CrashThenRunAgainAsync(strategy, world, old, index, callTookEffect: false);
    }

    /// <summary>The realistic timeout: KMS did the work, the run died before hearing back (an orphaned key, a moved alias, a rotated key).</summary>
    [Theory]
    [MemberData(nameof(CallsOfOneRotation))]
    public async Task Rotate_KilledAfterCallTookEffect_NextRunFinishesWithExactlyOneRotation(string strategy, string operation, int occurrence, int index)
    {
        using var world = new RotationWorld();
        var old = await CrashMatrixStrategy.All[strategy].SetUpAsync(world);
        world.Kms.Faults.ThrowAfterNth(operation, world.Kms.Faults.CallCount(operation) + occurrence, new SimulatedCrashException($"lost the answer of {operation} #{occurrence} (call {index})"));

        await CrashThenRunAgainAsync(strategy, world, old, index, callTookEffect: true);
    }

    private static async Task CrashThenRunAgainAsync(string strategy, RotationWorld world, string oldKeyId, int index, bool callTookEffect)
    {
        var calls = Calls(strategy);
        var claimIndex = calls.Select(call => call.Operation).ToList().IndexOf("CreateAlias");
        var lastIndex = calls.Count - 1;

        await Assert.ThrowsAsync<SimulatedCrashException>(() => world.InvokeAsync("{}", Alias));
        world.Time.Advance(RotationWorld.ClaimExpiry);
        var response = await world.InvokeAsync("{}", Alias);

        var result = response.GetProperty("results")[0];
        await CrashMatrixStrategy.All[strategy].AssertConvergedAsync(world, oldKeyId, result, index, lastIndex, callTookEffect);
        if (callTookEffect && index == lastIndex)
        {
            return;
        }

        // Once the claim exists, the second run says it finished the first run's rotation.
        var claimed = index > claimIndex || (index == claimIndex && callTookEffect);
        var reason = result.GetProperty("reason").GetString()!;
        Assert.True(!claimed || reason.StartsWith("Finished an interrupted rotation", StringComparison.Ordinal), reason);

        // The last step (its fence, then retiring the old key or the active tag) comes after the notification went out:
        // dying there repeats the notification (at least once); every earlier point sends exactly one.
        Assert.Equal(index >= lastIndex - 1 ? 2 : 1, world.Sns.Snapshot().Count);
        if (CrashMatrixStrategy.All[strategy].PreMoveTest)
        {
            AssertTestedOnceUnlessKilledBeforeItsTag(strategy, world, oldKeyId, index, callTookEffect);
        }
    }

    /// <summary>
    /// The hook is asked right before the tested tag is written. A run killed at that TagResource before it took effect
    /// asked the hook without recording the answer, so the next run asks again; killed after it took effect (after the
    /// test, before the move), the next run moves without asking; at every other point the hook is asked exactly once.
    /// </summary>
    private static void AssertTestedOnceUnlessKilledBeforeItsTag(string strategy, RotationWorld world, string oldKeyId, int index, bool callTookEffect)
    {
        var testedTag = TestedTagIndex(strategy);
        var asked = world.Hooks.Of(Core.Hooks.MoveHookPayload.TestNewKey).Count;

        Assert.Equal(index == testedTag && !callTookEffect ? 2 : 1, asked);
        // The tag is on the key the move started from (for a material move, the key itself).
        Assert.Equal("1", world.Key(oldKeyId).Tags[RotationTags.Tested]);
    }

    /// <summary>The index of the TagResource that records the test, in one uninterrupted rotation with the strategy (recorded once per strategy).</summary>
    private static int TestedTagIndex(string strategy) => TestedTagIndexes.GetOrAdd(strategy, RecordTestedTagIndex);

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, int> TestedTagIndexes = new(StringComparer.Ordinal);

    private static int RecordTestedTagIndex(string strategy)
    {
        using var world = new RotationWorld();
        CrashMatrixStrategy.All[strategy].SetUpAsync(world).GetAwaiter().GetResult();
        world.Kms.ClearRecordedRequests();
        world.InvokeAsync("{}", Alias).GetAwaiter().GetResult();
        return world.Kms.RecordedRequests.Select((r, i) => (r, i)).Single(x => x.r.Operation == "TagResource" && x.r.Body.Contains(RotationTags.Tested, StringComparison.Ordinal)).i;
    }

    /// <summary>The calls of one uninterrupted rotation with the strategy, recorded against a fresh world.</summary>
    private static List<(string Operation, int Occurrence, int Index)> Calls(string strategy)
    {
        using var world = new RotationWorld();
        CrashMatrixStrategy.All[strategy].SetUpAsync(world).GetAwaiter().GetResult();
        world.Kms.ClearRecordedRequests();
        world.InvokeAsync("{}", Alias).GetAwaiter().GetResult();
        return [.. CrashPoints.Of(world.Kms.RecordedRequests).Select(call => (call.Operation, call.Occurrence, call.Index))];
    }
}
