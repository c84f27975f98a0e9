using KeyRotation.Core;
using KeyRotation.IntegrationTests.KeyMaterial;

namespace KeyRotation.IntegrationTests.Rotation;

/// <summary>
/// Ties <see cref="KmsPermissions"/> (which the template grants exactly) to the KMS calls the code really makes, as
/// the local endpoint records them: every call is in the list, and every action in the list is called somewhere.
/// </summary>
public sealed class PermissionsTests
{
    private const string Alias = "alias/orders";

    [Fact]
    public async Task KmsCalls_OfEveryKindOfRotation_AreExactlyTheActionsTheRoleIsGranted()
    {
        var called = new HashSet<string>(StringComparer.Ordinal);

        // A plain rotation, then one resumed after a crash between CreateKey and recording the key (the account scan).
        using (var world = new RotationWorld())
        {
            await world.CreateAliasedKeyAsync(Alias);
            world.Kms.ClearRecordedRequests();
            await world.InvokeAsync("{}", Alias);
            world.Time.Advance(TimeSpan.FromDays(40));
            world.Kms.Faults.ThrowNth("UpdateAlias", world.Kms.Faults.CallCount("UpdateAlias") + 1, new SimulatedCrashException("killed before recording"));
            await Assert.ThrowsAsync<SimulatedCrashException>(() => world.InvokeAsync("{}", Alias));
            world.Time.Advance(RotationWorld.ClaimExpiry);
            await world.InvokeAsync("{}", Alias);
            called.UnionWith(world.Kms.RecordedRequests.Select(r => IamAction(r.Operation)));
        }

        // A multi-Region set: the replica steps, in every Region.
        using (var world = new RotationWorld())
        {
            await MultiRegionSet.CreateAsync(world);
            await world.InvokeAsync("{}", MultiRegionSet.Alias);
            called.UnionWith(world.Kms.RecordedRequests.Select(r => IamAction(r.Operation)));
        }

        // A material rotation (waiting once for a rotation in progress), then a new key from a key with automatic rotation.
        using (var world = new RotationWorld())
        {
            var key = await world.CreateAliasedKeyAsync(Alias);
            world.Kms.ClearRecordedRequests();
            world.Kms.Faults.FailNth("RotateKeyOnDemand", world.Kms.Faults.CallCount("RotateKeyOnDemand") + 1, "ConflictException", "in progress");
            await world.RunEngineAsync(Alias, RotationStrategy.Material);
            called.UnionWith(world.Kms.RecordedRequests.Select(r => IamAction(r.Operation)));
            world.Time.Advance(TimeSpan.FromDays(40));
            await world.Client.EnableKeyRotationAsync(new Amazon.KeyManagementService.Model.EnableKeyRotationRequest { KeyId = key.KeyId, RotationPeriodInDays = 180 });
            world.Kms.ClearRecordedRequests();
            await world.RunEngineAsync(Alias, RotationStrategy.NewKey);
            called.UnionWith(world.Kms.RecordedRequests.Select(r => IamAction(r.Operation)));
        }

        // A rotation to imported key material.
        using (var byok = new ByokHarness())
        {
            await byok.CreateAliasedKeyAsync();
            byok.Service.ClearRecordedRequests();
            await byok.RotateAsync();
            called.UnionWith(byok.Service.RecordedRequests.Select(r => IamAction(r.Operation)));
        }

        Assert.Equal(
            KmsPermissions.Rotation.Concat(KmsPermissions.ReplicateMultiRegionKeys).Concat(KmsPermissions.MaterialRotation).Concat(KmsPermissions.ImportKeyMaterial).Concat(KmsPermissions.FindKeysByTag).Order(StringComparer.Ordinal),
            called.Order(StringComparer.Ordinal));
    }

    /// <summary>The IAM action of a recorded call: KMS's own, or the Resource Groups Tagging query (prefix tag:).</summary>
    private static string IamAction(string operation) =>
        operation == LocalKms.LocalKmsService.TaggingGetResources ? "tag:GetResources" : "kms:" + operation;
}
