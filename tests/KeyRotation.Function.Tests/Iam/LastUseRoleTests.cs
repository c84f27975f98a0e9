using KeyRotation.Core;
using KeyRotation.Core.Retention;

namespace KeyRotation.Function.Tests.Iam;

/// <summary>
/// kms:GetKeyLastUsage, the one action the proof of non-use adds: the retention role may read the last use of the keys
/// it may already change (retired, behind a marker alias of a configured alias) and of their replicas in other Regions
/// (retired, tagged with a configured alias), and of no other key; the rotation role of no key at all.
/// </summary>
public sealed class LastUseRoleTests
{
    private const string Generation2 = "generation-2";
    private const string Replica = "generation-2-replica";
    private const string ReplicaRegion = "eu-west-2";
    private const string GetKeyLastUsage = "kms:GetKeyLastUsage";

    private static readonly StackInstance Stack = RotationRole.Stack;

    private static Dictionary<string, string> Tags(params (string Key, string Value)[] tags) => tags.ToDictionary(t => t.Key, t => t.Value, StringComparer.Ordinal);

    /// <summary>The rotation role's starting account plus a retired generation behind its marker and its replica in another Region.</summary>
    private static SimulatedAccount World()
    {
        var retired = Tags((RotationTags.Alias, RotationRole.AppData), (RotationTags.State, RotationTags.KeyStates.Retired), (RotationTags.Sealed, "true"));
        return AttackerMoves.StartingAccount(Stack)
            .WithKey(Generation2, RotationRole.DocumentedKeyPolicy(Stack), retired)
            .WithAlias("alias/keyrotation/app-data/2", Generation2)
            .WithKey(Replica, RotationRole.DocumentedKeyPolicy(Stack), retired, region: ReplicaRegion);
    }

    [Fact]
    public void RetentionRole_RetiredKeyBehindItsMarker_MayReadItsLastUse()
    {
        var world = World().As(RetentionRole.Kms(Stack));

        Assert.True(world.Allows(GetKeyLastUsage, world.Key(Generation2)));
    }

    [Fact]
    public void RetentionRole_ReplicaOfARetiredKeyInItsOwnRegion_MayReadItsLastUse()
    {
        var world = World().As(RetentionRole.Kms(Stack)).InRegion(ReplicaRegion);

        Assert.True(world.Allows(GetKeyLastUsage, world.Key(Replica)));
    }

    [Theory]
    [InlineData(AttackerMoves.Current)]
    [InlineData(AttackerMoves.Retired)]
    [InlineData(AttackerMoves.BillingKey)]
    [InlineData(AttackerMoves.Foreign)]
    [InlineData(AttackerMoves.ForeignWithoutAlias)]
    [InlineData(AttackerMoves.ForeignAccount)]
    [InlineData(AttackerMoves.ForeignRegion)]
    public void RetentionRole_KeyItMayNotChange_MayNotReadItsLastUse(string name)
    {
        // current-app-data is active; retired-app-data is tagged retired but has no marker alias and names no alias.
        var world = World().As(RetentionRole.Kms(Stack));
        var key = world.Key(name);

        Assert.False(world.InRegion(key.Region).Allows(GetKeyLastUsage, key));
    }

    [Fact]
    public void RetentionRole_KeyInItsOwnRegionTaggedLikeAReplicaButBehindNoMarker_MayNotReadItsLastUse()
    {
        // Tags alone prove nothing in the stack's Region: the rotation role can write them on any key.
        var world = World()
            .WithKey("planted", RotationRole.DocumentedKeyPolicy(Stack), Tags((RotationTags.Alias, RotationRole.AppData), (RotationTags.State, RotationTags.KeyStates.Retired)))
            .As(RetentionRole.Kms(Stack));

        Assert.False(world.Allows(GetKeyLastUsage, world.Key("planted")));
    }

    [Theory]
    [InlineData(Generation2)]
    [InlineData(AttackerMoves.Current)]
    [InlineData(AttackerMoves.Retired)]
    [InlineData(AttackerMoves.Foreign)]
    public void RotationRole_AnyKey_MayNotReadItsLastUse(string name)
    {
        var world = World();

        Assert.False(world.Allows(GetKeyLastUsage, world.Key(name)));
        Assert.False(world.InRegion(ReplicaRegion).Allows(GetKeyLastUsage, world.InRegion(ReplicaRegion).Key(Replica)));
    }

    [Fact]
    public void Permissions_GetKeyLastUsageIsTheOneReadTheRetentionRoleGainsAndTheRotationRoleHasNone()
    {
        Assert.Contains("kms:GetKeyLastUsage", RetentionPermissions.Kms);
        Assert.DoesNotContain("kms:GetKeyLastUsage", KmsPermissions.All);
        Assert.Contains(RetentionTags.DisableProof, RetentionPermissions.TagKeys);
        Assert.Contains(RetentionTags.DeletionProof, RetentionPermissions.TagKeys);
    }

    [Fact]
    public void RetentionRole_ItsProofTags_MayBeWrittenOnARetiredKeyBehindItsMarker()
    {
        var world = World().As(RetentionRole.Kms(Stack));

        Assert.True(world.TagResource(world.Key(Generation2), Tags((RetentionTags.DisableProof, "2027-01-01T00:00:00Z unused 40d of 30d: key never used"))).Allowed);
        Assert.True(world.TagResource(world.Key(Generation2), Tags((RetentionTags.DeletionProof, "2027-02-01T00:00:00Z unused 71d of 30d: key never used"))).Allowed);
    }
}
