namespace KeyRotation.Function.Tests.Iam;

/// <summary>
/// The overdue measurement and the report event run with the rotation role as it is: every read they make is allowed
/// on a key behind a configured alias, and GetKeyLastUsage, which they never call, stays denied (docs/report.md).
/// </summary>
public sealed partial class RoleRequestTests
{
    [Theory]
    [InlineData("kms:DescribeKey")]
    [InlineData("kms:ListResourceTags")]
    [InlineData("kms:ListKeyRotations")]
    public void CryptoperiodReads_OnTheKeyBehindAConfiguredAlias_AreAllowed(string action)
    {
        var world = World(RotationRole.Stack);

        Assert.True(world.Allows(action, world.Key("current")));
    }

    [Fact]
    public void GetKeyLastUsage_OnAnyKey_IsNotAllowedToTheRotationRole()
    {
        var world = World(RotationRole.Stack);

        Assert.False(world.Allows("kms:GetKeyLastUsage", world.Key("current")));
        Assert.False(world.Allows("kms:GetKeyLastUsage", world.Key("foreign")));
    }
}
