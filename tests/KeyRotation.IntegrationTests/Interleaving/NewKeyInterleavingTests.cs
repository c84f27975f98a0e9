using Amazon.KeyManagementService.Model;
using KeyRotation.Core;
using KeyRotation.Core.History;
using KeyRotation.IntegrationTests.Rotation;
using Xunit.Abstractions;
using static KeyRotation.IntegrationTests.Interleaving.InterleavingWorld;

namespace KeyRotation.IntegrationTests.Interleaving;

/// <summary>
/// The new-key strategy's interleavings that the strategy suite (<see cref="StrategyInterleavingTests"/>) does not share:
/// takeovers of a move that only a new key has (a created but unsealed key, a moved alias, a key an earlier version
/// recorded) and a run racing a rollback (which puts the alias back on an earlier key).
/// </summary>
public sealed class NewKeyInterleavingTests(ITestOutputHelper output)
{
    private static readonly InterleavingStrategy NewKey = InterleavingStrategy.All[RotationStrategyNames.NewKey];

    [Fact]
    public async Task TwoRunsAfterARunDiedWithTheKeyCreated_EveryInterleaving_OneAdoptsAndFinishesWithThatKey()
    {
        var explored = await ExploreAsync(
            NewKey,
            setup: world => world.DieAtAsync("TagResource"),
            actors: [Rotate("run-a"), Rotate("run-b")],
            end: world => AssertOneRotationAsync(world, resumed: true));

        output.WriteLine($"Two runs taking over a move with an unsealed key: {explored} schedules explored.");
        Assert.True(explored > 50, $"only {explored} schedules");
    }

    [Fact]
    public async Task TwoRunsAfterARunDiedAfterTheMove_EveryInterleaving_OneNotifiesAndRetiresTheOldKey()
    {
        var explored = await ExploreAsync(
            NewKey,
            setup: world => world.DieAtAsync("TagResource", occurrence: 2),
            actors: [Rotate("run-a"), Rotate("run-b")],
            end: world => AssertOneRotationAsync(world, resumed: true));

        output.WriteLine($"Two runs taking over a moved alias: {explored} schedules explored.");
        Assert.True(explored > 50, $"only {explored} schedules");
    }

    [Fact]
    public async Task TwoRunsAfterAnEarlierVersionRecordedItsKey_EveryInterleaving_OneFinishesWithThatKey()
    {
        var explored = await ExploreAsync(
            NewKey,
            setup: RecordAsAnEarlierVersionDidAsync,
            actors: [Rotate("run-a"), Rotate("run-b")],
            end: async world =>
            {
                await AssertOneRotationAsync(world, resumed: true);
                var recorded = world.Kms.GetKeySnapshot("alias/keyrotation/orders/1")!;
                Assert.Equal(recorded.KeyId, world.Kms.GetKeySnapshot(Alias)!.KeyId);
            });

        output.WriteLine($"Two runs finishing a move an earlier version recorded: {explored} schedules explored.");
        Assert.True(explored > 50, $"only {explored} schedules");
    }

    [Fact]
    public async Task RunAndRollback_EveryInterleaving_InvariantsHold()
    {
        var explored = await ExploreAsync(
            NewKey,
            setup: async world =>
            {
                await world.Engine(world.Admin).RunAsync(new RotationRequest { RotationId = "setup", Aliases = [Alias] }, CancellationToken.None);
                world.Notices.Clear();
                world.Time.Advance(TimeSpan.FromDays(30));
            },
            actors: [Rotate("run-a"), RollBack("rollback-b")],
            end: world =>
            {
                var rollback = Assert.Single(world.Rollbacks);
                Assert.True(rollback.Outcome == RollbackOutcome.RolledBack || rollback.Reason.Contains("in progress", StringComparison.Ordinal) || rollback.Reason.Contains("while this rollback was reading it", StringComparison.Ordinal), rollback.Reason);
                return Task.CompletedTask;
            });

        output.WriteLine($"A run and a rollback: {explored} schedules explored.");
        Assert.True(explored > 50, $"only {explored} schedules");
    }

    /// <summary>
    /// What an earlier version left when it died after recording its new key: the marker points at the new key (pending,
    /// sealed, with the copied tags), the alias still at the old key, which is not retired yet. The claim then expires.
    /// </summary>
    private static async Task RecordAsAnEarlierVersionDidAsync(InterleavingWorld world)
    {
        var old = world.Kms.GetKeySnapshot(Alias)!;
        var tags = new Dictionary<string, string>
        {
            [RotationTags.Alias] = Alias,
            [RotationTags.RotationId] = "earlier-version",
            [RotationTags.PreviousKey] = old.KeyId,
            [RotationTags.CreatedAt] = "2026-12-31T03:00:00Z",
            [RotationTags.Generation] = "2",
            [RotationTags.Sequence] = "1",
            [RotationTags.State] = RotationTags.KeyStates.Pending,
            [RotationTags.Sealed] = RotationTags.SealedValue,
        };
        var created = (await world.Admin.CreateKeyAsync(new CreateKeyRequest { Description = "orders", Tags = [.. tags.Select(t => new Tag { TagKey = t.Key, TagValue = t.Value })] })).KeyMetadata;
        await world.Admin.CreateAliasAsync(new CreateAliasRequest { AliasName = "alias/keyrotation/orders/1", TargetKeyId = created.KeyId });
        world.Time.Advance(RotationWorld.ClaimExpiry);
    }
}
