using System.Collections.Concurrent;
using Amazon.KeyManagementService.Model;
using KeyRotation.Core;
using KeyRotation.Core.History;
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
    public async Task TwoRunsAfterARunDiedWithTheKeyRecorded_EveryInterleaving_OneFinishesWithThatKey()
    {
        var explored = await ExploreAsync(
            setup: world => DieAtAsync(world, "TagResource"),
            actors: [Rotate("run-a"), Rotate("run-b")],
            end: world => AssertOneRotation(world, resumed: true));

        output.WriteLine($"Two runs taking over a recorded move: {explored} schedules explored.");
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

    /// <summary>A run that dies (no cleanup) at the first call of <paramref name="operation"/> after its claim; its claim then expires.</summary>
    private static async Task DieAtAsync(World world, string operation)
    {
        world.Kms.Faults.ThrowNth(operation, world.Kms.Faults.CallCount(operation) + 1, new SimulatedCrashException("died"));
        await Assert.ThrowsAsync<SimulatedCrashException>(() => world.Engine(world.Admin).RunAsync(new RotationRequest { RotationId = "died", Aliases = [Alias] }, CancellationToken.None));
        world.Kms.Faults.Clear();
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
