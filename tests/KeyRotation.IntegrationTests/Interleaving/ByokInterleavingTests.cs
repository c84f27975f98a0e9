using Amazon.KeyManagementService.Model;
using KeyRotation.Core;
using KeyRotation.Core.KeyMaterial;
using KeyRotation.IntegrationTests.KeyMaterial;
using KeyRotation.IntegrationTests.Rotation;
using Xunit.Abstractions;
using KeyRotation.Integrations.Composition;

namespace KeyRotation.IntegrationTests.Interleaving;

/// <summary>
/// Imported material: two runs race to take over a move whose run died before importing, through every schedule
/// with one preemption (each import generates an RSA wrapping key, so the bound is lower than for AWS_KMS keys).
/// Besides the protocol's invariants: the escrow tag names the material that was imported (KMS accepts it again).
/// </summary>
public sealed class ByokInterleavingTests(ITestOutputHelper output)
{
    [Fact]
    public async Task TwoRunsTakingOverAnImport_EveryInterleaving_EscrowTagNamesTheImportedMaterial()
    {
        var explored = await new ScheduleExplorer(preemptionBound: 1).ExploreAsync(async pick =>
        {
            using var byok = new ByokHarness();
            await byok.CreateAliasedKeyAsync();
            byok.Service.Faults.ThrowNth("GetParametersForImport", 1, new KeyMaterial.SimulatedCrashException("died before importing"));
            await Assert.ThrowsAsync<KeyMaterial.SimulatedCrashException>(byok.RotateAsync);
            byok.Service.Faults.Clear();
            byok.Time.Advance(RotationWorld.ClaimExpiry);
            var notices = byok.Notifier.Notices.Count;

            var scheduler = new StepScheduler();
            using var first = scheduler.ClientFor(0, byok.Service);
            using var second = scheduler.ClientFor(1, byok.Service);
            var results = new AliasRotationResult[2];
            var picks = new List<int>();
            await scheduler.RunAsync(
                [
                    async () => results[0] = await RunAsync(byok, first),
                    async () => results[1] = await RunAsync(byok, second),
                ],
                enabled =>
                {
                    picks.Add(pick(enabled));
                    return picks[^1];
                },
                () => ProtocolInvariants.CheckStep(byok.Service, ByokHarness.Alias, "SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT", string.Concat(picks)));

            var schedule = string.Concat(picks);
            await ProtocolInvariants.CheckEndAsync(byok.Service, ByokHarness.Alias, results, [], byok.Notifier.Notices.Count - notices, schedule);
            var target = byok.AliasTarget();
            Assert.True(target.Origin == "EXTERNAL" && target.Tags.ContainsKey(RotationTags.EscrowObject), $"schedule {schedule}");

            // KMS accepts only the key's own material again: restoring from the tagged escrow object proves it names that material.
            await byok.Kms.DeleteImportedKeyMaterialAsync(new DeleteImportedKeyMaterialRequest { KeyId = target.KeyId });
            var restored = await byok.ReimportAsync(target.KeyId);
            Assert.True(restored.KeyState == "Enabled", $"schedule {schedule}");
        });

        output.WriteLine($"Two runs taking over an import: {explored} schedules explored.");
        Assert.True(explored > 10, $"only {explored} schedules");
    }

    private static async Task<AliasRotationResult> RunAsync(ByokHarness byok, Amazon.KeyManagementService.IAmazonKeyManagementService client)
    {
        var engine = RotationComposition.Engine(
            client,
            byok.Notifier,
            new RotationOptions { KeyMaterialOrigin = KeyMaterialOrigin.External },
            byok.Time,
            NullRotationLog.Instance,
            new EscrowedKeyMaterialImporter(client, byok.S3.Store, byok.Options, byok.Time),
            keyFinder: LocalTagging.Finder(byok.Service, byok.Time));
        var report = await engine.RunAsync(new RotationRequest { RotationId = "race", Aliases = [ByokHarness.Alias], Force = true, ChangeOrigin = true }, CancellationToken.None);
        return Assert.Single(report.Results);
    }
}
