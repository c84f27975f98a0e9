using System.Collections.Concurrent;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using KeyRotation.Core;
using KeyRotation.IntegrationTests.Rotation;
using KeyRotation.LocalKms;
using Microsoft.Extensions.Time.Testing;
using Xunit.Abstractions;

namespace KeyRotation.IntegrationTests.Interleaving;

/// <summary>
/// Two runs of the strategy material on one alias, through every interleaving of their KMS calls with up to two
/// preemptions: the key gets exactly one new material, one run reports Rotated, the other skips, nobody fails, one
/// notification, the alias never moves.
/// </summary>
public sealed class MaterialInterleavingTests(ITestOutputHelper output)
{
    private const string Alias = "alias/orders";

    [Fact]
    public async Task TwoMaterialRuns_EveryInterleaving_ExactlyOneNewMaterial()
    {
        var explored = await ExploreAsync(died: null);

        output.WriteLine($"Two fresh material runs: {explored} schedules explored.");
        Assert.True(explored > 50, $"only {explored} schedules");
    }

    [Fact]
    public async Task TwoMaterialRunsAfterARunDiedAfterRotating_EveryInterleaving_OneRecordsItWithoutRotatingAgain()
    {
        var explored = await ExploreAsync(died: "RotateKeyOnDemand");

        output.WriteLine($"Two material runs taking over a rotated move: {explored} schedules explored.");
        Assert.True(explored > 50, $"only {explored} schedules");
    }

    private static async Task<int> ExploreAsync(string? died)
    {
        var explorer = new ScheduleExplorer(2);
        return await explorer.ExploreAsync(async pick =>
        {
            var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 1, 3, 0, 0, TimeSpan.Zero));
            var kms = new LocalKmsService(new LocalKmsOptions(), time);
            using var admin = kms.CreateClient();
            var key = (await admin.CreateKeyAsync(new CreateKeyRequest { Description = "orders" })).KeyMetadata;
            await admin.CreateAliasAsync(new CreateAliasRequest { AliasName = Alias, TargetKeyId = key.KeyId });
            time.Advance(TimeSpan.FromDays(30));
            var notices = new ConcurrentQueue<RotationNotice>();
            RotationEngine Engine(IAmazonKeyManagementService client) => new(
                client,
                new QueueNotifier(notices),
                new RotationOptions { Strategy = RotationStrategy.Material, MaterialRotationPollDelay = TimeSpan.Zero },
                time,
                NullRotationLog.Instance,
                createKeyClient: client,
                keyFinder: LocalTagging.Finder(kms, time));
            if (died is not null)
            {
                kms.Faults.ThrowAfterNth(died, kms.Faults.CallCount(died) + 1, new SimulatedCrashException("died"));
                await Assert.ThrowsAsync<SimulatedCrashException>(() => Engine(admin).RunAsync(new RotationRequest { RotationId = "died", Aliases = [Alias] }, CancellationToken.None));
                kms.Faults.Clear();
                time.Advance(RotationWorld.ClaimExpiry);
            }

            var scheduler = new StepScheduler();
            var clients = Enumerable.Range(0, 2).Select(i => scheduler.ClientFor(i, kms)).ToList();
            var results = new ConcurrentBag<AliasRotationResult>();
            var picks = new List<int>();
            await scheduler.RunAsync(
                [.. clients.Select((client, index) => (Func<Task>)(async () =>
                    results.Add((await Engine(client).RunAsync(new RotationRequest { RotationId = $"run-{index}", Aliases = [Alias] }, CancellationToken.None)).Results[0])))],
                enabled =>
                {
                    var chosen = pick(enabled);
                    picks.Add(chosen);
                    return chosen;
                },
                () => Assert.Equal(key.KeyId, kms.GetKeySnapshot(Alias)!.KeyId));

            var schedule = string.Concat(picks);
            var rotations = (await admin.ListKeyRotationsAsync(new ListKeyRotationsRequest { KeyId = key.KeyId })).Rotations;
            Assert.True(rotations.Count == 1, $"{rotations.Count} material rotations; schedule {schedule}");
            Assert.True(results.All(r => r.Outcome != RotationOutcome.Failed), $"A run failed: {results.FirstOrDefault(r => r.Outcome == RotationOutcome.Failed)?.Reason}; schedule {schedule}");
            Assert.True(results.Count(r => r.Outcome == RotationOutcome.Rotated) == 1, $"schedule {schedule}: {string.Join(" | ", results.Select(r => r.Outcome + ": " + r.Reason))}");
            Assert.True(notices.Count == 1, $"{notices.Count} notifications; schedule {schedule}");
            var tags = kms.GetKeySnapshot(key.KeyId)!.Tags;
            Assert.True((tags[RotationTags.Sequence], tags[RotationTags.State]) == ("1", RotationTags.KeyStates.Active), $"schedule {schedule}");
            foreach (var client in clients)
            {
                client.Dispose();
            }
        });
    }

    private sealed class QueueNotifier(ConcurrentQueue<RotationNotice> notices) : IRotationNotifier
    {
        public Task NotifyAsync(RotationNotice notice, CancellationToken cancellationToken)
        {
            notices.Enqueue(notice);
            return Task.CompletedTask;
        }
    }
}
