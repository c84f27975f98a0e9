using Amazon.KeyManagementService.Model;
using KeyRotation.Core;
using KeyRotation.LocalKms;

namespace KeyRotation.IntegrationTests.Rotation;

/// <summary>
/// A multi-Region set in a three-Region LocalKms: the primary in us-east-1 (the function's Region) behind the alias,
/// replicated into eu-west-1 and ap-southeast-2, each replica with its own policy, description and tags, and the alias
/// in each replica Region too (unless told otherwise). Checks what a finished rotation of the set must leave behind.
/// </summary>
internal static class MultiRegionSet
{
    public const string Alias = "alias/orders";
    public const string Primary = "us-east-1";
    public static readonly string[] Replicas = ["ap-southeast-2", "eu-west-1"];

    public static string ReplicaPolicy(string region) =>
        RotationWorld.Policy.Replace("\"Id\":\"orders\"", $"\"Id\":\"orders-{region}\"", StringComparison.Ordinal);

    /// <summary>Creates the set (the old key id) and lets 30 days pass; <paramref name="aliasIn"/> limits the replica Regions that get the alias.</summary>
    public static async Task<string> CreateAsync(RotationWorld world, IReadOnlyCollection<string>? aliasIn = null)
    {
        var primary = await world.CreateAliasedKeyAsync(Alias, multiRegion: true);
        foreach (var region in Replicas)
        {
            await world.Client.ReplicateKeyAsync(new ReplicateKeyRequest
            {
                KeyId = primary.KeyId,
                ReplicaRegion = region,
                Policy = ReplicaPolicy(region),
                Description = $"Replica of orders in {region}",
                Tags = [new Tag { TagKey = "team", TagValue = "payments" }, new Tag { TagKey = "site", TagValue = region }],
            });
            if (aliasIn is null || aliasIn.Contains(region))
            {
                await world.RegionClients.For(region).CreateAliasAsync(new CreateAliasRequest { AliasName = Alias, TargetKeyId = primary.KeyId });
            }
        }

        world.Kms.ClearRecordedRequests();
        return primary.KeyId;
    }

    public static LocalKmsKeySnapshot Key(RotationWorld world, string keyIdOrAlias, string region) =>
        world.Kms.GetKeySnapshot(keyIdOrAlias, region) ?? throw new InvalidOperationException($"No key {keyIdOrAlias} in {region}");

    /// <summary>
    /// Exactly one new key for the alias; in every replica Region one replica of it, with the old replica's policy,
    /// description and tags, sealed, and the alias on it (where the alias was); every old key retired naming it.
    /// </summary>
    public static void AssertConverged(RotationWorld world, string oldKeyId, string newKeyId, IReadOnlyCollection<string>? aliasIn = null)
    {
        var created = Assert.Single(world.CreatedFor(Alias));
        Assert.Equal(newKeyId, created.KeyId);
        Assert.StartsWith("mrk-", newKeyId, StringComparison.Ordinal);
        var current = world.Key(Alias);
        Assert.Equal((newKeyId, "Enabled", true), (current.KeyId, current.KeyState, current.MultiRegion));
        Assert.Equal(("active", oldKeyId, RotationTags.SealedValue), (current.Tags[RotationTags.State], current.Tags[RotationTags.PreviousKey], current.Tags[RotationTags.Sealed]));
        Assert.Equal(("retired", newKeyId), (world.Key(oldKeyId).Tags[RotationTags.State], world.Key(oldKeyId).Tags[RotationTags.SuccessorKey]));

        foreach (var region in Replicas)
        {
            var replica = Key(world, newKeyId, region);
            Assert.Equal(("Enabled", ReplicaPolicy(region), $"Replica of orders in {region}"), (replica.KeyState, replica.Policy, replica.Description));
            Assert.Equal(("payments", region, RotationTags.SealedValue), (replica.Tags["team"], replica.Tags["site"], replica.Tags[RotationTags.Sealed]));
            Assert.Equal((Alias, oldKeyId, "2", "1"), (replica.Tags[RotationTags.Alias], replica.Tags[RotationTags.PreviousKey], replica.Tags[RotationTags.Generation], replica.Tags[RotationTags.Sequence]));
            var old = Key(world, oldKeyId, region);
            Assert.Equal(("Enabled", "retired", newKeyId), (old.KeyState, old.Tags[RotationTags.State], old.Tags[RotationTags.SuccessorKey]));
            var alias = world.Kms.GetKeySnapshot(Alias, region);
            if (aliasIn is null || aliasIn.Contains(region))
            {
                Assert.Equal(newKeyId, alias?.KeyId);
            }
            else
            {
                Assert.Null(alias);
            }
        }
    }
}
