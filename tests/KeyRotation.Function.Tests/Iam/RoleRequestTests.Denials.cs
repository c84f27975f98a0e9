using KeyRotation.Core;

namespace KeyRotation.Function.Tests.Iam;

/// <summary>What the role must not do even on keys it reaches: foreign tags, other origins or Regions, policy changes, forbidden actions, other aliases' keys.</summary>
public sealed partial class RoleRequestTests
{
    [Fact]
    public void CreateKey_KeyWithTheDefaultKeyPolicy_FailsTheLockoutCheck()
    {
        var world = World(RotationRole.Stack);

        var (allowed, _) = world.CreateKey(world.Key("foreign").PolicyJson, OwnTags("foreign"));

        Assert.False(allowed);
    }

    [Theory]
    [InlineData("team", "AWS_KMS", false, "eu-west-1")]
    [InlineData(null, "EXTERNAL", false, "eu-west-1")]
    [InlineData(null, "AWS_KMS", true, "eu-west-1")]
    [InlineData(null, "AWS_KMS", false, "us-east-1")]
    public void CreateKey_ForeignTagOtherOriginMultiRegionOrOtherRegion_IsDenied(string? extraTag, string origin, bool multiRegion, string region)
    {
        var stack = RotationRole.Stack;
        var world = SimulatedAccount.Empty(RotationRole.Kms(stack), region).WithKey("current", RotationRole.DocumentedKeyPolicy(stack));
        var tags = OwnTags("current");
        if (extraTag is not null)
        {
            tags[extraTag] = "red";
        }

        Assert.True(world.CreateKey(world.Key("current").PolicyJson, OwnTags("current")).Allowed || region != RotationRole.Region);
        Assert.False(world.CreateKey(world.Key("current").PolicyJson, tags, origin, multiRegion).Allowed);
    }

    [Fact]
    public void CreateKey_WithoutTheAliasTagOrForAnUnconfiguredAlias_IsDenied()
    {
        var world = World(RotationRole.Stack);
        var policy = world.Key("current").PolicyJson;

        Assert.False(world.CreateKey(policy, NoTags).Allowed);
        Assert.False(world.CreateKey(policy, new Dictionary<string, string> { [RotationTags.Alias] = "alias/other" }).Allowed);
    }

    [Fact]
    public void ForbiddenActions_OnAKeyWhosePolicyGrantsTheRoleEverything_AreDenied()
    {
        var stack = RotationRole.Stack;
        var generous = SimulatedAccount.Policy(stack.RoleArn, $$"""[{"Effect":"Allow","Principal":{"AWS":"{{stack.RoleArn}}"},"Action":"kms:*","Resource":"*"}]""");
        var world = SimulatedAccount.Empty(RotationRole.Kms(stack), RotationRole.Region).WithKey("k", generous).WithAlias(RotationRole.AppData, "k");
        var actions = KmsPermissions.Forbidden.Where(a => a != "kms:*").Select(a => a.Replace("*", "WithoutPlaintext", StringComparison.Ordinal));

        var allowed = actions.Where(a => world.Allows(a, world.Key("k"), ("kms:BypassPolicyLockoutSafetyCheck", ["false"])));

        Assert.Empty(allowed);
    }

    [Fact]
    public void PutKeyPolicy_OnAKeyWithAnAliasOrASeal_IsDenied()
    {
        var stack = RotationRole.Stack;
        var world = World(stack).WithKey("sealed-no-alias", RotationRole.DocumentedKeyPolicy(stack), new Dictionary<string, string> { [RotationTags.Sealed] = "true" });

        Assert.False(world.PutKeyPolicy(world.Key("current"), world.Key("current").PolicyJson).Allowed);
        Assert.False(world.PutKeyPolicy(world.Key("sealed-no-alias"), world.Key("current").PolicyJson).Allowed);
    }

    [Fact]
    public void TagResource_ForeignTagOnASealedKeyOrAKeyBehindTheAlias_IsDenied()
    {
        var world = World(RotationRole.Stack);

        Assert.False(world.TagResource(world.Key("current"), new Dictionary<string, string> { ["team"] = "red" }).Allowed);
        Assert.True(world.TagResource(world.Key("current"), new Dictionary<string, string> { [RotationTags.State] = "retired" }).Allowed);
    }

    [Theory]
    [InlineData("alias/other")]
    [InlineData("alias/keyrotation/other/1")]
    [InlineData("alias/keyrotation/app-data-2/1")]
    [InlineData("alias/app-data")]
    public void CreateAlias_OtherThanAMarkerOfAConfiguredAlias_IsDenied(string alias)
    {
        var world = World(RotationRole.Stack);

        Assert.False(world.CreateAlias(alias, world.Key("current")).Allowed);
        Assert.True(world.CreateAlias("alias/keyrotation/app-data/7", world.Key("current")).Allowed);
    }

    [Fact]
    public void Reads_OfAKeyWithoutAConfiguredOrMarkerAlias_AreDenied()
    {
        var world = World(RotationRole.Stack);

        Assert.All(["kms:DescribeKey", "kms:ListResourceTags", "kms:GetKeyPolicy"], action => Assert.False(world.Allows(action, world.Key("foreign"))));
    }
}
