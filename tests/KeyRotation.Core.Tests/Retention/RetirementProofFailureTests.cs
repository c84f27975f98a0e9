using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using KeyRotation.Core.Retention;
using Moq;

namespace KeyRotation.Core.Tests.Retention;

/// <summary>
/// A proof that cannot be read proves nothing: the key is not touched (no tag, no DisableKey, no ScheduleKeyDeletion)
/// and the step fails with the reason. And a multi-Region key is proven only when every replica is.
/// </summary>
public sealed class RetirementProofFailureTests
{
    public static TheoryData<string, string> Failures() => new()
    {
        { "AccessDeniedException", "is not authorized to perform: kms:GetKeyLastUsage" },
        { "ThrottlingException", "Rate exceeded" },
        { "UnknownOperationException", "Unknown operation GetKeyLastUsage" },
    };

    [Theory]
    [MemberData(nameof(Failures))]
    public async Task Run_GetKeyLastUsageFails_FailsTheStepWithTheReasonAndNeverTouchesTheKey(string errorCode, string message)
    {
        var world = await RetentionMockWorld.RotatedAsync();
        world.Kms.FailNext["GetKeyLastUsage"] = new AmazonKeyManagementServiceException(message) { ErrorCode = errorCode };

        var report = await world.RunAsync();

        var result = RetentionMockWorld.ResultFor(report, world.Second);
        Assert.Equal((RetentionAction.Disable, RetentionOutcome.Failed), (result.Step.Action, result.Outcome));
        Assert.Contains(errorCode, result.Error, StringComparison.Ordinal);
        Assert.Contains("was not touched", result.Error, StringComparison.Ordinal);
        Assert.Equal(RetirementVerdict.Unreadable, result.Step.Proof!.Verdict);
        Assert.Empty(world.StateChangesOf(world.Second));
        Assert.Empty(world.TagsWrittenOn(world.Second));
    }

    [Fact]
    public async Task Run_OnlyOneReadFails_TheOtherKeysAreStillJudgedOnTheirOwnProof()
    {
        var world = await RetentionMockWorld.RotatedAsync();
        world.Settings = world.Settings with { RetireOriginalKey = true };
        world.Kms.FailNext["GetKeyLastUsage"] = new AmazonKeyManagementServiceException("denied") { ErrorCode = "AccessDeniedException" };

        var report = await world.RunAsync();

        Assert.Equal(RetentionOutcome.Failed, RetentionMockWorld.ResultFor(report, world.Second).Outcome);
        Assert.Equal(RetentionOutcome.Done, RetentionMockWorld.ResultFor(report, world.Original).Outcome);
        Assert.Empty(world.StateChangesOf(world.Second));
    }

    [Fact]
    public async Task Run_ReplicaUsedWhilePrimaryWasNot_KeepsTheKeyNamingTheReplicaRegion()
    {
        var world = await RetentionMockWorld.RotatedAsync();
        var replica = Replica(world, "us-west-2", used: TimeSpan.FromDays(2));

        var result = RetentionMockWorld.ResultFor(await world.RunAsync(), world.Second);

        Assert.Equal(RetentionAction.Disable, result.Step.Refused);
        Assert.Contains("replica in us-west-2: used by Decrypt", result.Step.Reason, StringComparison.Ordinal);
        Assert.Equal([KeyUseFinding.NeverUsed, KeyUseFinding.Used], result.Step.Proof!.Keys.Select(k => k.Finding));
        Assert.Equal(world.Second, Assert.Single(replica.Invocations).Arguments.OfType<GetKeyLastUsageRequest>().Single().KeyId);
        Assert.Empty(world.StateChangesOf(world.Second));
    }

    [Fact]
    public async Task Run_PrimaryAndReplicaUnused_DisablesWithBothInTheProof()
    {
        var world = await RetentionMockWorld.RotatedAsync();
        Replica(world, "us-west-2", used: null);

        var result = RetentionMockWorld.ResultFor(await world.RunAsync(), world.Second);

        Assert.Equal(RetentionOutcome.Done, result.Outcome);
        Assert.Equal([null, "us-west-2"], result.Step.Proof!.Keys.Select(k => k.Region));
        Assert.EndsWith("key never used / us-west-2 never used", world.TagsWrittenOn(world.Second).SelectMany(t => t.Tags).Single(t => t.TagKey == RetentionTags.DisableProof).TagValue, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_ReplicaWithoutAClientForItsRegion_FailsWithoutTouchingTheKey()
    {
        var world = await RetentionMockWorld.RotatedAsync();
        Replica(world, "us-west-2", used: null);
        world.Regions = null;

        var result = RetentionMockWorld.ResultFor(await world.RunAsync(), world.Second);

        Assert.Equal(RetentionOutcome.Failed, result.Outcome);
        Assert.Contains("no KMS client for the replica Region us-west-2", result.Error, StringComparison.Ordinal);
        Assert.Empty(world.StateChangesOf(world.Second));
    }

    /// <summary>Makes the second generation a multi-Region primary with a replica in <paramref name="region"/>, answered by its own client.</summary>
    private static Mock<IAmazonKeyManagementService> Replica(RetentionMockWorld world, string region, TimeSpan? used)
    {
        var key = world.Kms.Keys[world.Second];
        key.MultiRegion = true;
        key.MultiRegionConfiguration = new MultiRegionConfiguration
        {
            MultiRegionKeyType = MultiRegionKeyType.PRIMARY,
            PrimaryKey = new MultiRegionKey { Arn = key.Arn, Region = KmsMock.Region },
            ReplicaKeys = [new MultiRegionKey { Arn = key.Arn.Replace(KmsMock.Region, region, StringComparison.Ordinal), Region = region }],
        };
        var now = world.Time.GetUtcNow();
        var replica = new Mock<IAmazonKeyManagementService>(MockBehavior.Strict);
        replica.Setup(k => k.GetKeyLastUsageAsync(It.IsAny<GetKeyLastUsageRequest>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync((GetKeyLastUsageRequest r, CancellationToken _) => new GetKeyLastUsageResponse
            {
                KeyId = r.KeyId,
                KeyCreationDate = key.CreationDate,
                TrackingStartDate = key.CreationDate,
                KeyLastUsage = used is { } ago ? new KeyLastUsageData { Operation = "Decrypt", Timestamp = (now - ago).UtcDateTime, CloudTrailEventId = "replica-event" } : null,
            });
        world.Regions = new KmsRegionClients(r => r == region ? replica.Object : throw new InvalidOperationException($"No client for {r}."));
        return replica;
    }
}
