using System.Collections.Concurrent;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using KeyRotation.Core;
using KeyRotation.Core.History;
using KeyRotation.Core.Protocol;
using KeyRotation.IntegrationTests.Rotation;
using KeyRotation.LocalKms;
using Microsoft.Extensions.Time.Testing;

namespace KeyRotation.IntegrationTests.Interleaving;

/// <summary>
/// One schedule's world for the interleaving suites: a fresh LocalKms with the alias on a 30-day-old key, one gated
/// client per actor, and the engine composed with one strategy's options. <see cref="ExploreAsync"/> runs a scenario
/// through every schedule up to <see cref="PreemptionBound"/> and checks the protocol's invariants after every call.
/// </summary>
internal sealed class InterleavingWorld : IDisposable
{
    public const string Alias = "alias/orders";
    public const int PreemptionBound = 2;

    private InterleavingWorld(int actors, RotationOptions options)
    {
        Options = options;
        Kms = new LocalKmsService(new LocalKmsOptions(), Time);
        Admin = Kms.CreateClient();
        Clients = [.. Enumerable.Range(0, actors).Select(i => Scheduler.ClientFor(i, Kms))];
        Notifier = new RecordingNotifier(Notices);
    }

    public RotationOptions Options { get; }

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 12, 1, 3, 0, 0, TimeSpan.Zero));

    public LocalKmsService Kms { get; }

    public AmazonKeyManagementServiceClient Admin { get; }

    public StepScheduler Scheduler { get; } = new();

    public IReadOnlyList<AmazonKeyManagementServiceClient> Clients { get; }

    public ConcurrentQueue<RotationNotice> Notices { get; } = new();

    public IRotationNotifier Notifier { get; }

    public ConcurrentBag<AliasRotationResult> Rotations { get; } = [];

    public ConcurrentBag<RollbackResult> Rollbacks { get; } = [];

    /// <summary>The scheduler's picks so far: the schedule, as failures name it.</summary>
    public List<int> Picks { get; } = [];

    /// <summary>
    /// Runs the scenario once per schedule: a fresh world, <paramref name="setup"/>, the actors through the scheduler with
    /// the step invariants after every call, the end invariants, then <paramref name="end"/>. Returns the schedules run.
    /// </summary>
    public static async Task<int> ExploreAsync(InterleavingStrategy strategy, Func<InterleavingWorld, Task> setup, IReadOnlyList<Func<InterleavingWorld, int, Task>> actors, Func<InterleavingWorld, Task> end)
    {
        ArgumentNullException.ThrowIfNull(strategy);
        var explorer = new ScheduleExplorer(PreemptionBound);
        return await explorer.ExploreAsync(async pick =>
        {
            using var world = await CreateAsync(actors.Count, strategy.Options);
            await setup(world);
            var picks = world.Picks;
            var spec = world.Kms.GetKeySnapshot(Alias)!;
            await world.Scheduler.RunAsync(
                [.. actors.Select((actor, index) => (Func<Task>)(() => actor(world, index)))],
                enabled =>
                {
                    var chosen = pick(enabled);
                    picks.Add(chosen);
                    return chosen;
                },
                () => ProtocolInvariants.CheckStep(world.Kms, Alias, spec.KeySpec, spec.KeyUsage, string.Concat(picks), strategy.KeepsTheKey ? spec.KeyId : null));
            await ProtocolInvariants.CheckEndAsync(world.Kms, Alias, [.. world.Rotations], [.. world.Rollbacks], world.Notices.Count, string.Concat(picks));
            await end(world);
        });
    }

    /// <summary>An actor that runs one rotation of the alias with the world's strategy.</summary>
    public static Func<InterleavingWorld, int, Task> Rotate(string runId) => async (world, actor) =>
    {
        var report = await world.Engine(world.Clients[actor]).RunAsync(new RotationRequest { RotationId = runId, Aliases = [Alias] }, CancellationToken.None);
        world.Rotations.Add(report.Results[0]);
    };

    /// <summary>An actor that rolls the alias back.</summary>
    public static Func<InterleavingWorld, int, Task> RollBack(string rollbackId) => async (world, actor) =>
        world.Rollbacks.Add(await new AliasRollback(world.Clients[actor], world.Notifier, world.Time).RollBackAsync(new RollbackRequest { Alias = Alias, RollbackId = rollbackId }, CancellationToken.None));

    /// <summary>The runs raced over one move (<see cref="ProtocolInvariants.CheckOneMoveAsync"/>); the one that rotated resumed it as said.</summary>
    public static async Task AssertOneRotationAsync(InterleavingWorld world, bool resumed)
    {
        ArgumentNullException.ThrowIfNull(world);
        await ProtocolInvariants.CheckOneMoveAsync(world.Kms, Alias, [.. world.Rotations], world.Notices.Count, string.Concat(world.Picks));
        Assert.Equal(resumed, Assert.Single(world.Rotations, r => r.Outcome == RotationOutcome.Rotated).Resumed);
    }

    /// <summary>
    /// A run that dies (no cleanup) at the given call of <paramref name="operation"/>, before it takes effect or, with
    /// <paramref name="afterTookEffect"/>, after KMS did it; its claim then expires.
    /// </summary>
    public async Task DieAtAsync(string operation, int occurrence = 1, bool afterTookEffect = false)
    {
        var nth = Kms.Faults.CallCount(operation) + occurrence;
        if (afterTookEffect)
        {
            Kms.Faults.ThrowAfterNth(operation, nth, new SimulatedCrashException("died"));
        }
        else
        {
            Kms.Faults.ThrowNth(operation, nth, new SimulatedCrashException("died"));
        }

        await Assert.ThrowsAsync<SimulatedCrashException>(() => Engine(Admin).RunAsync(new RotationRequest { RotationId = "died", Aliases = [Alias] }, CancellationToken.None));
        Kms.Faults.Clear();
        Notices.Clear(); // a run that died after notifying: the run that finishes notifies again (at least once)
        Time.Advance(RotationWorld.ClaimExpiry);
    }

    /// <summary>The engine as the function composes it; RotateKeyOnDemand and CreateKey go through the same gated client.</summary>
    public RotationEngine Engine(IAmazonKeyManagementService client) =>
        new(client, Notifier, Options, Time, NullRotationLog.Instance, createKeyClient: client, keyFinder: LocalTagging.Finder(Kms, Time));

    public void Dispose()
    {
        Admin.Dispose();
        foreach (var client in Clients)
        {
            client.Dispose();
        }
    }

    private static async Task<InterleavingWorld> CreateAsync(int actors, RotationOptions options)
    {
        var world = new InterleavingWorld(actors, options);
        var key = (await world.Admin.CreateKeyAsync(new CreateKeyRequest { Description = "orders" })).KeyMetadata;
        await world.Admin.CreateAliasAsync(new CreateAliasRequest { AliasName = Alias, TargetKeyId = key.KeyId });
        world.Time.Advance(TimeSpan.FromDays(30));
        return world;
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
