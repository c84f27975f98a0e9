using KeyRotation.Core;

namespace KeyRotation.Function.Tests.Iam;

/// <summary>
/// The rotation role on a multi-Region set, with ReplicaRegions set: every request of a rotation of the set (the
/// primary's Region, then each replica Region) is allowed; replicating into, or acting in, any other Region is denied,
/// whatever a key policy says; without ReplicaRegions nothing multi-Region is allowed.
/// </summary>
public sealed class MultiRegionRoleTests
{
    private const string Home = RotationRole.Region;
    private const string Replica = "eu-central-1";
    private const string Unlisted = "us-east-1";
    private const string Old = "mrk-old";
    private const string Marker = "alias/keyrotation/app-data/1";

    private static readonly Lazy<StackInstance> WithReplicas = new(() => new StackInstance(SamTranslation.Template, new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["AliasNames"] = $"{RotationRole.AppData},{RotationRole.Billing}",
        ["ReplicaRegions"] = $"{Replica},ap-southeast-2",
    }));

    private static StackInstance Stack => WithReplicas.Value;

    /// <summary>The old set: the primary here and a replica in <paramref name="replicaRegion"/>, each behind the alias in its Region, sealed.</summary>
    private static SimulatedAccount World(StackInstance stack, string replicaRegion = Replica, string? replicaPolicy = null)
    {
        var policy = RotationRole.DocumentedKeyPolicy(stack);
        return SimulatedAccount.Empty(RotationRole.Kms(stack), replicaRegion)
            .WithKey(Old, replicaPolicy ?? policy, new Dictionary<string, string>(StringComparer.Ordinal) { ["site"] = replicaRegion, [RotationTags.Sealed] = "true" })
            .WithAlias(RotationRole.AppData, Old)
            .InRegion(Home)
            .WithKey(Old, policy, new Dictionary<string, string>(StringComparer.Ordinal) { ["team"] = "payments", [RotationTags.Sealed] = "true" })
            .WithAlias(RotationRole.AppData, Old);
    }

    private static Dictionary<string, string> ChainTags() => new(StringComparer.Ordinal)
    {
        [RotationTags.Alias] = RotationRole.AppData,
        [RotationTags.RotationId] = "rot-1",
        [RotationTags.PreviousKey] = Old,
        [RotationTags.CreatedAt] = "2026-12-01T03:00:00Z",
        [RotationTags.Generation] = "2",
        [RotationTags.Sequence] = "1",
    };

    /// <summary>One rotation of the set, request by request in the order the code makes them (AliasRotation, ReplicaSet).</summary>
    private static List<(string Step, bool Allowed)> RotateSet(StackInstance stack)
    {
        var steps = new List<(string, bool)>();
        var world = World(stack);
        void Step(string name, bool allowed) => steps.Add((name, allowed));
        SimulatedAccount Apply(string name, (bool Allowed, SimulatedAccount After) result)
        {
            Step(name, result.Allowed);
            return result.After;
        }

        Step("DescribeKey primary", world.Allows("kms:DescribeKey", world.Key(Old)));
        Step("ListResourceTags primary", world.Allows("kms:ListResourceTags", world.Key(Old)));
        world = Apply("CreateAlias marker -> primary (claim)", world.CreateAlias(Marker, world.Key(Old)));
        Step("GetKeyPolicy primary", world.Allows("kms:GetKeyPolicy", world.Key(Old)));
        var own = new Dictionary<string, string>(ChainTags()) { [RotationTags.State] = RotationTags.KeyStates.Pending };
        world = Apply("CreateKey multi-Region primary", world.CreateKey(world.Key(Old).PolicyJson, own, multiRegion: true));
        var created = world.NewestCreated!.Name;
        world = Apply("TagResource new primary: copied tags and seal", world.TagResource(world.Key(created), new Dictionary<string, string> { ["team"] = "payments", [RotationTags.Sealed] = "true" }));
        world = Apply("UpdateAlias marker -> new primary (record)", world.UpdateAlias(Marker, world.Key(created)));
        Step("DescribeKey new primary", world.Allows("kms:DescribeKey", world.Key(created)));
        Step("ListResourceTags new primary (chain tags)", world.Allows("kms:ListResourceTags", world.Key(created)));

        var there = world.InRegion(Replica);
        Step("DescribeKey old replica", there.Allows("kms:DescribeKey", there.Key(Old)));
        Step("GetKeyPolicy old replica", there.Allows("kms:GetKeyPolicy", there.Key(Old)));
        world = Apply("ReplicateKey new primary", world.ReplicateKey(world.Key(created), Replica, there.Key(Old).PolicyJson, ChainTags()));
        there = world.InRegion(Replica);
        Step("DescribeKey new replica", there.Allows("kms:DescribeKey", there.Key(created)));
        Step("ListResourceTags new replica", there.Allows("kms:ListResourceTags", there.Key(created)));
        Step("ListResourceTags old replica", there.Allows("kms:ListResourceTags", there.Key(Old)));
        there = Apply("TagResource new replica: copied tags and seal", there.TagResource(there.Key(created), new Dictionary<string, string> { ["site"] = Replica, [RotationTags.Sealed] = "true" }));
        Step("DescribeKey alias in the replica Region", there.Allows("kms:DescribeKey", there.Key(Old)));
        there = Apply("TagResource old replica: retire", there.TagResource(there.Key(Old), Retired(created)));
        there = Apply("UpdateAlias alias -> new replica", there.UpdateAlias(RotationRole.AppData, there.Key(created)));

        world = there.InRegion(Home);
        world = Apply("TagResource old primary: retire", world.TagResource(world.Key(Old), Retired(created)));
        world = Apply("UpdateAlias alias -> new primary (move)", world.UpdateAlias(RotationRole.AppData, world.Key(created)));
        Apply("TagResource new primary: active", world.TagResource(world.Key(created), new Dictionary<string, string> { [RotationTags.State] = RotationTags.KeyStates.Active }));
        return steps;
    }

    private static Dictionary<string, string> Retired(string successor) => new(StringComparer.Ordinal)
    {
        [RotationTags.Alias] = RotationRole.AppData,
        [RotationTags.State] = RotationTags.KeyStates.Retired,
        [RotationTags.RetiredAt] = "2026-12-01T03:00:05Z",
        [RotationTags.SuccessorKey] = successor,
        [RotationTags.Sealed] = "true",
    };

    [Fact]
    public void RotateSet_EveryRequestInEveryRegion_IsAllowed()
    {
        var denied = RotateSet(Stack).Where(s => !s.Allowed).Select(s => s.Step);

        Assert.Empty(denied);
    }

    [Fact]
    public void RotateSet_RequestsEvaluated_IncludeReplicateKey()
    {
        var evaluated = RotateSet(Stack).Select(s => "kms:" + s.Step.Split(' ')[0]).ToHashSet(StringComparer.Ordinal);

        Assert.Superset(KmsPermissions.ReplicateMultiRegionKeys.ToHashSet(StringComparer.Ordinal), evaluated);
    }

    [Fact]
    public void CreateKey_MultiRegionPrimary_IsAllowedOnlyWithReplicaRegions()
    {
        var own = new Dictionary<string, string>(ChainTags()) { [RotationTags.State] = RotationTags.KeyStates.Pending };

        Assert.True(World(Stack).CreateKey(World(Stack).Key(Old).PolicyJson, own, multiRegion: true).Allowed);
        Assert.False(World(RotationRole.Stack).CreateKey(World(RotationRole.Stack).Key(Old).PolicyJson, own, multiRegion: true).Allowed);
    }

    [Fact]
    public void ReplicateKey_IntoAnUnlistedRegion_IsDeniedEvenWhenTheKeyPolicyGrantsEverything()
    {
        var generous = SimulatedAccount.Policy(Stack.RoleArn, $$"""[{"Effect":"Allow","Principal":{"AWS":"{{Stack.RoleArn}}"},"Action":"kms:*","Resource":"*"}]""");
        var world = World(Stack).WithKey("mrk-new", generous).WithAlias(Marker, "mrk-new");

        Assert.True(world.ReplicateKey(world.Key("mrk-new"), Replica, generous, ChainTags()).Allowed);
        Assert.False(world.ReplicateKey(world.Key("mrk-new"), Unlisted, generous, ChainTags()).Allowed);
        Assert.False(world.ReplicateKey(world.Key("mrk-new"), Unlisted, generous, new Dictionary<string, string>()).Allowed);
    }

    [Fact]
    public void ReplicateKey_WithoutReplicaRegions_IsDeniedEverywhere()
    {
        var world = World(RotationRole.Stack).WithAlias(Marker, Old);

        Assert.False(world.ReplicateKey(world.Key(Old), Replica, world.Key(Old).PolicyJson, ChainTags()).Allowed);
    }

    [Fact]
    public void KeyActions_InAnUnlistedRegion_AreDeniedEvenBehindAConfiguredAlias()
    {
        var world = World(Stack, replicaRegion: Unlisted).InRegion(Unlisted);

        Assert.False(world.Allows("kms:DescribeKey", world.Key(Old)));
        Assert.False(world.TagResource(world.Key(Old), Retired("mrk-new")).Allowed);
        Assert.True(World(Stack).InRegion(Replica).Allows("kms:DescribeKey", World(Stack).InRegion(Replica).Key(Old)));
    }

    [Fact]
    public void CreateKey_SingleRegionKeyInAReplicaRegion_IsDenied()
    {
        var world = World(Stack).InRegion(Replica);
        var own = new Dictionary<string, string>(ChainTags()) { [RotationTags.State] = RotationTags.KeyStates.Pending };

        Assert.False(world.CreateKey(world.Key(Old).PolicyJson, own).Allowed);
        Assert.False(world.CreateKey(world.Key(Old).PolicyJson, own, multiRegion: true).Allowed);
    }
}
