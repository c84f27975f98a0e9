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

    /// <summary>
    /// Runs the scenario once per schedule: a fresh world, <paramref name="setup"/>, the actors through the scheduler with
    /// the step invariants after every call, the end invariants, then <paramref name="end"/>. Returns the schedules run.
    /// </summary>
    public static async Task<int> ExploreAsync(RotationOptions options, Func<InterleavingWorld, Task> setup, IReadOnlyList<Func<InterleavingWorld, int, Task>> actors, Action<InterleavingWorld> end)
    {
        var explorer = new ScheduleExplorer(PreemptionBound);
        return await explorer.ExploreAsync(async pick =>
        {
            using var world = await CreateAsync(actors.Count, options);
            await setup(world);
            var picks = new List<int>();
            var spec = world.Kms.GetKeySnapshot(Alias)!;
            await world.Scheduler.RunAsync(
                [.. actors.Select((actor, index) => (Func<Task>)(() => actor(world, index)))],
                enabled =>
                {
                    var chosen = pick(enabled);
                    picks.Add(chosen);
                    return chosen;
                },
                () =>
                {
                    ProtocolInvariants.CheckStep(world.Kms, Alias, spec.KeySpec, spec.KeyUsage, string.Concat(picks));
                    Assert.True(options.Strategy == RotationStrategy.NewKey || world.Kms.GetKeySnapshot(Alias)!.KeyId == spec.KeyId, $"the alias moved; schedule {string.Concat(picks)}");
                });
            if (options.Strategy == RotationStrategy.NewKey)
            {
                ProtocolInvariants.CheckEnd(world.Kms, Alias, [.. world.Rotations], [.. world.Rollbacks], world.Notices.Count, string.Concat(picks));
            }
            else
            {
                await AssertOneMaterialAsync(world, spec.KeyId, string.Concat(picks));
            }

            end(world);
        });
    }

    private static async Task AssertOneMaterialAsync(InterleavingWorld world, string keyId, string schedule)
    {
        var results = world.Rotations.ToList();
        var rotations = (await world.Admin.ListKeyRotationsAsync(new ListKeyRotationsRequest { KeyId = keyId })).Rotations;
        Assert.True(rotations.Count == 1, $"{rotations.Count} material rotations; schedule {schedule}");
        Assert.True(results.All(r => r.Outcome != RotationOutcome.Failed), $"A run failed: {results.FirstOrDefault(r => r.Outcome == RotationOutcome.Failed)?.Reason}; schedule {schedule}");
        Assert.True(results.Count(r => r.Outcome == RotationOutcome.Rotated) == 1, $"schedule {schedule}: {string.Join(" | ", results.Select(r => r.Outcome + ": " + r.Reason))}");
        Assert.True(world.Notices.Count == 1, $"{world.Notices.Count} notifications; schedule {schedule}");
        var tags = world.Kms.GetKeySnapshot(keyId)!.Tags;
        Assert.True((tags[RotationTags.Sequence], tags[RotationTags.State]) == ("1", RotationTags.KeyStates.Active), $"schedule {schedule}");
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

    /// <summary>Exactly one run rotated (resumed as said) and the other skipped; the alias points at the rotated key.</summary>
    public static void AssertOneRotation(InterleavingWorld world, bool resumed)
    {
        ArgumentNullException.ThrowIfNull(world);
        var rotated = Assert.Single(world.Rotations, r => r.Outcome == RotationOutcome.Rotated);
        Assert.Equal(resumed, rotated.Resumed);
        Assert.Single(world.Rotations, r => r.Outcome == RotationOutcome.Skipped);
        Assert.Equal(rotated.NewKeyId, world.Kms.GetKeySnapshot(Alias)!.KeyId);
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
