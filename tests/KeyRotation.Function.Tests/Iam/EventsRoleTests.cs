namespace KeyRotation.Function.Tests.Iam;

/// <summary>
/// events:PutEvents in the translated, resolved template: both roles may put events on the configured bus only (the
/// default bus by default, a named bus, or the bus an ARN names), and neither may put any with EventBusName none.
/// </summary>
public sealed class EventsRoleTests
{
    private const string DefaultBus = $"arn:aws:events:{StackInstance.Region}:{StackInstance.AccountId}:event-bus/default";
    private const string NamedBus = $"arn:aws:events:{StackInstance.Region}:{StackInstance.AccountId}:event-bus/key-rotation";
    private const string CentralBus = "arn:aws:events:eu-west-1:444455556666:event-bus/central-security";

    private static StackInstance With(string eventBusName) => new(SamTranslation.Template, new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["AliasNames"] = RotationRole.AppData,
        ["EventBusName"] = eventBusName,
    });

    private static bool Allows(KmsAuthorization role, string bus) =>
        role.AllowsByIam(new IamRequest(role.RoleArn, "events:PutEvents", bus, new Dictionary<string, IReadOnlyList<string>>()));

    public static TheoryData<string, string> Buses => new()
    {
        { "default", DefaultBus },
        { "key-rotation", NamedBus },
        { CentralBus, CentralBus },
    };

    [Theory]
    [MemberData(nameof(Buses))]
    public void PutEvents_ConfiguredBus_IsAllowedToBothRolesOnThatBusOnly(string parameter, string bus)
    {
        var stack = parameter == "default" ? RotationRole.Stack : With(parameter);
        var roles = new[] { RotationRole.Kms(stack), RetentionRole.Kms(stack) };

        Assert.All(roles, role => Assert.True(Allows(role, bus)));
        Assert.All(roles, role => Assert.All(new[] { DefaultBus, NamedBus, CentralBus }.Where(b => b != bus), other => Assert.False(Allows(role, other))));
        Assert.All(roles, role => Assert.False(Allows(role, "*")));
    }

    [Fact]
    public void PutEvents_EventBusNameNone_IsAllowedToNeitherRoleAndNoStatementNamesIt()
    {
        var stack = With("none");

        Assert.False(Allows(RotationRole.Kms(stack), DefaultBus));
        Assert.False(Allows(RetentionRole.Kms(stack), DefaultBus));
        Assert.False(stack.Condition("PutsEvents"));
        Assert.DoesNotContain("events:", stack.Properties(StackInstance.RoleId).ToJsonString(), StringComparison.Ordinal);
        Assert.DoesNotContain("events:", stack.Properties(RetentionRole.RoleId).ToJsonString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("RotationFunction")]
    [InlineData("RetentionFunction")]
    public void Environment_BothFunctions_GetTheBusAndTheSource(string function)
    {
        var stack = With(CentralBus);
        var variables = stack.Properties(function)["Environment"]!["Variables"]!;

        Assert.Equal(CentralBus, (string?)variables["EVENT_BUS_NAME"]);
        Assert.Equal("keyrotation", (string?)variables["EVENT_SOURCE"]);
    }
}
