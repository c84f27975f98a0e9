using KeyRotation.Core;

namespace KeyRotation.Function.Tests.Iam;

/// <summary>
/// The role built from an AliasNames with a prefix pattern (alias/prod/*), evaluated like the explicit names: the same
/// StringLike conditions and ARN patterns admit every alias below the prefix and its markers, and nothing beside it.
/// </summary>
public sealed class AliasPatternRoleTests
{
    private const string Selected = "alias/prod/orders";

    private static readonly Lazy<StackInstance> PatternStack = new(() => new StackInstance(SamTranslation.Template, new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["AliasNames"] = "alias/prod/*,alias/billing",
    }));

    private static SimulatedAccount World()
    {
        var stack = PatternStack.Value;
        return SimulatedAccount.Empty(RotationRole.Kms(stack), RotationRole.Region)
            .WithKey("current", RotationRole.DocumentedKeyPolicy(stack), new Dictionary<string, string>(StringComparer.Ordinal) { [RotationTags.Sealed] = "true" })
            .WithAlias(Selected, "current")
            .WithKey("beside", SimulatedAccount.Policy(stack.RoleArn, RotationRole.DefaultKeyPolicyStatements(RotationRole.Account)))
            .WithAlias("alias/production/orders", "beside");
    }

    private static Dictionary<string, string> OwnTags(string alias) => new(StringComparer.Ordinal)
    {
        [RotationTags.Alias] = alias,
        [RotationTags.State] = RotationTags.KeyStates.Pending,
    };

    [Fact]
    public void ResourceAliases_WithAPattern_AreThePatternAndItsMarkersPattern()
    {
        var aliases = PatternStack.Value.RolePolicy().Statements.Single(s => s.Sid == "ManageKeysBehindConfiguredAliases")
            .Conditions.Single(c => c.Key == "kms:ResourceAliases").PolicyValues;

        Assert.Equal(["alias/prod/*", "alias/billing", "alias/keyrotation/prod/*/*", "alias/keyrotation/billing/*"], aliases);
    }

    [Fact]
    public void Rotation_OfAnAliasThePatternSelects_EveryStepIsAllowed()
    {
        var world = World();
        var current = world.Key("current");
        Assert.True(world.Allows("kms:DescribeKey", current));
        Assert.True(world.Allows("kms:ListResourceTags", current));
        Assert.True(world.Allows("kms:GetKeyPolicy", current));
        (var claimed, world) = world.CreateAlias("alias/keyrotation/prod/orders/1", current);
        Assert.True(claimed);
        (var created, world) = world.CreateKey(current.PolicyJson, OwnTags(Selected));
        Assert.True(created);
        var newKey = world.NewestCreated!;
        (var recorded, world) = world.UpdateAlias("alias/keyrotation/prod/orders/1", newKey);
        Assert.True(recorded);
        (var retired, world) = world.TagResource(world.Key("current"), new Dictionary<string, string> { [RotationTags.State] = RotationTags.KeyStates.Retired });
        Assert.True(retired);
        (var moved, _) = world.UpdateAlias(Selected, world.Key(newKey.Name));
        Assert.True(moved);
    }

    [Fact]
    public void Requests_ForAnAliasBesideThePrefix_AreDenied()
    {
        var world = World();
        var beside = world.Key("beside");

        Assert.False(world.Allows("kms:DescribeKey", beside));
        Assert.False(world.CreateAlias("alias/keyrotation/production/orders/1", beside).Allowed);
        // The documented key policy passes the lockout check, so only the alias tag decides.
        var policy = world.Key("current").PolicyJson;
        Assert.True(world.CreateKey(policy, OwnTags(Selected)).Allowed);
        Assert.False(world.CreateKey(policy, OwnTags("alias/production/orders")).Allowed);
        Assert.False(world.CreateKey(policy, OwnTags("alias/prod")).Allowed);
        Assert.False(world.UpdateAlias("alias/production/orders", world.Key("current")).Allowed);
    }
}
