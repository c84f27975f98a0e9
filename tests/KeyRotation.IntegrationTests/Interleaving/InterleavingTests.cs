using System.Collections.Concurrent;
using Amazon.KeyManagementService.Model;
using KeyRotation.Core;
using KeyRotation.Core.History;
using KeyRotation.Core.Protocol;
using KeyRotation.IntegrationTests.Rotation;
using KeyRotation.LocalKms;
using Microsoft.Extensions.Time.Testing;
using Xunit.Abstractions;

namespace KeyRotation.IntegrationTests.Interleaving;

/// <summary>
/// Two runs, or a run and a rollback, on one alias, through every interleaving of their KMS calls with up to
/// <see cref="PreemptionBound"/> preemptions; the protocol's invariants are checked after every call and at the end.
/// </summary>
public sealed class InterleavingTests(ITestOutputHelper output)
{
    private const string Alias = "alias/orders";
    private const int PreemptionBound = 2;

    [Fact]
    public async Task TwoRuns_EveryInterleaving_ExactlyOneRotationAndTheOtherSkips()
    {
        var explored = await ExploreAsync(
            setup: _ => Task.CompletedTask,
            actors: [Rotate("run-a"), Rotate("run-b")],
            end: world => AssertOneRotation(world, resumed: false));

        output.WriteLine($"Two fresh runs: {explored} schedules explored.");
        Assert.True(explored > 50, $"only {explored} schedules");
    }

    [Fact]
    public async Task TwoRunsAfterARunDiedHoldingTheClaim_EveryInterleaving_OneTakesOverAndFinishes()
    {
        var explored = await ExploreAsync(
            setup: world => DieAtAsync(world, "CreateKey"),
            actors: [Rotate("run-a"), Rotate("run-b")],
            end: world => AssertOneRotation(world, resumed: true));

        output.WriteLine($"Two runs taking over a claimed move: {explored} schedules explored.");
        Assert.True(explored > 50, $"only {explored} schedules");
    }

    [Fact]
    public async Task TwoRunsAfterARunDiedWithTheKeyCreated_EveryInterleaving_OneAdoptsAndFinishesWithThatKey()
    {
        var explored = await ExploreAsync(
            setup: world => DieAtAsync(world, "TagResource"),
            actors: [Rotate("run-a"), Rotate("run-b")],
            end: world => AssertOneRotation(world, resumed: true));

        output.WriteLine($"Two runs taking over a move with an unsealed key: {explored} schedules explored.");
        Assert.True(explored > 50, $"only {explored} schedules");
    }

    [Fact]
    public async Task TwoRunsAfterARunDiedAfterTheMove_EveryInterleaving_OneNotifiesAndRetiresTheOldKey()
    {
        var explored = await ExploreAsync(
            setup: world => DieAtAsync(world, "TagResource", occurrence: 2),
            actors: [Rotate("run-a"), Rotate("run-b")],
            end: world => AssertOneRotation(world, resumed: true));

        output.WriteLine($"Two runs taking over a moved alias: {explored} schedules explored.");
        Assert.True(explored > 50, $"only {explored} schedules");
    }

    [Fact]
    public async Task TwoRunsAfterAnEarlierVersionRecordedItsKey_EveryInterleaving_OneFinishesWithThatKey()
    {
        var explored = await ExploreAsync(
            setup: RecordAsAnEarlierVersionDidAsync,
            actors: [Rotate("run-a"), Rotate("run-b")],
            end: world =>
            {
                AssertOneRotation(world, resumed: true);
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
            });

        output.WriteLine($"A run and a rollback: {explored} schedules explored.");
        Assert.True(explored > 50, $"only {explored} schedules");
    }

    private static Func<World, int, Task> Rotate(string runId) => async (world, actor) =>
    {
        var report = await world.Engine(world.Clients[actor]).RunAsync(new RotationRequest { RotationId = runId, Aliases = [Alias] }, CancellationToken.None);
        world.Rotations.Add(report.Results[0]);
    };

    private static Func<World, int, Task> RollBack(string rollbackId) => async (world, actor) =>
        world.Rollbacks.Add(await new AliasRollback(world.Clients[actor], world.Notifier, world.Time).RollBackAsync(new RollbackRequest { Alias = Alias, RollbackId = rollbackId }, CancellationToken.None));

    /// <summary>A run that dies (no cleanup) at the given call of <paramref name="operation"/>; its claim then expires.</summary>
    private static async Task DieAtAsync(World world, string operation, int occurrence = 1)
    {
        world.Kms.Faults.ThrowNth(operation, world.Kms.Faults.CallCount(operation) + occurrence, new SimulatedCrashException("died"));
        await Assert.ThrowsAsync<SimulatedCrashException>(() => world.Engine(world.Admin).RunAsync(new RotationRequest { RotationId = "died", Aliases = [Alias] }, CancellationToken.None));
        world.Kms.Faults.Clear();
        world.Notices.Clear(); // a run that died after notifying: the run that finishes notifies again (at least once)
        world.Time.Advance(RotationWorld.ClaimExpiry);
    }

    /// <summary>
    /// What an earlier version left when it died after recording its new key: the marker points at the new key (pending,
    /// sealed, with the copied tags), the alias still at the old key, which is not retired yet. The claim then expires.
    /// </summary>
    private static async Task RecordAsAnEarlierVersionDidAsync(World world)
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

    private static void AssertOneRotation(World world, bool resumed)
    {
        var rotated = Assert.Single(world.Rotations, r => r.Outcome == RotationOutcome.Rotated);
        Assert.Equal(resumed, rotated.Resumed);
        Assert.Single(world.Rotations, r => r.Outcome == RotationOutcome.Skipped);
        Assert.Equal(rotated.NewKeyId, world.Kms.GetKeySnapshot(Alias)!.KeyId);
    }

    private static async Task<int> ExploreAsync(Func<World, Task> setup, IReadOnlyList<Func<World, int, Task>> actors, Action<World> end)
    {
        var explorer = new ScheduleExplorer(PreemptionBound);
        return await explorer.ExploreAsync(async pick =>
        {
            using var world = await World.CreateAsync(actors.Count);
            await setup(world);
            var picks = new List<int>();
            var scheduler = world.Scheduler;
            var spec = world.Kms.GetKeySnapshot(Alias)!;
            await scheduler.RunAsync(
                [.. actors.Select((actor, index) => (Func<Task>)(() => actor(world, index)))],
                enabled =>
                {
                    var chosen = pick(enabled);
                    picks.Add(chosen);
                    return chosen;
                },
                () => ProtocolInvariants.CheckStep(world.Kms, Alias, spec.KeySpec, spec.KeyUsage, string.Concat(picks)));
            ProtocolInvariants.CheckEnd(world.Kms, Alias, [.. world.Rotations], [.. world.Rollbacks], world.Notices.Count, string.Concat(picks));
            end(world);
        });
    }

    /// <summary>One schedule's world: a fresh LocalKms with the alias on a 30-day-old key, one gated client per actor.</summary>
    private sealed class World : IDisposable
    {
        private World(int actors)
        {
            Kms = new LocalKmsService(new LocalKmsOptions(), Time);
            Admin = Kms.CreateClient();
            Clients = [.. Enumerable.Range(0, actors).Select(i => Scheduler.ClientFor(i, Kms))];
            Notifier = new RecordingNotifier(Notices);
        }

        public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 12, 1, 3, 0, 0, TimeSpan.Zero));

        public LocalKmsService Kms { get; }

        public Amazon.KeyManagementService.AmazonKeyManagementServiceClient Admin { get; }

        public StepScheduler Scheduler { get; } = new();

        public IReadOnlyList<Amazon.KeyManagementService.AmazonKeyManagementServiceClient> Clients { get; }

        public ConcurrentQueue<RotationNotice> Notices { get; } = new();

        public IRotationNotifier Notifier { get; }

        public ConcurrentBag<AliasRotationResult> Rotations { get; } = [];

        public ConcurrentBag<RollbackResult> Rollbacks { get; } = [];

        public static async Task<World> CreateAsync(int actors)
        {
            var world = new World(actors);
            var key = (await world.Admin.CreateKeyAsync(new CreateKeyRequest { Description = "orders" })).KeyMetadata;
            await world.Admin.CreateAliasAsync(new CreateAliasRequest { AliasName = Alias, TargetKeyId = key.KeyId });
            world.Time.Advance(TimeSpan.FromDays(30));
            return world;
        }

        public RotationEngine Engine(Amazon.KeyManagementService.IAmazonKeyManagementService client) =>
            new(client, Notifier, new RotationOptions(), Time, NullRotationLog.Instance, keyFinder: LocalTagging.Finder(Kms, Time));

        public void Dispose()
        {
            Admin.Dispose();
            foreach (var client in Clients)
            {
                client.Dispose();
            }
        }
    }

    private sealed class RecordingNotifier(ConcurrentQueue<RotationNotice> notices) : IRotationNotifier
    {
        public Task NotifyAsync(RotationNotice notice, CancellationToken cancellationToken)
        {
            notices.Enqueue(notice);
            return Task.CompletedTask;
        }
    }
}
