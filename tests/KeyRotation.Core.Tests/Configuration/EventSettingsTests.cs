using KeyRotation.Core.Configuration;

namespace KeyRotation.Core.Tests.Configuration;

/// <summary>EVENT_BUS_NAME and EVENT_SOURCE: a bus name or ARN as the EventBridge API allows, none, and a source outside aws.</summary>
public sealed class EventSettingsTests
{
    private static (EventSettings Settings, List<string> Problems) Parse(string? bus, string? source = null)
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        if (bus is not null)
        {
            environment[SettingNames.EventBusName] = bus;
        }

        if (source is not null)
        {
            environment[SettingNames.EventSource] = source;
        }

        var problems = new List<string>();
        return (EventSettings.Parse(environment, problems), problems);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("none")]
    public void Parse_UnsetOrNone_PutsNoEvents(string? bus)
    {
        var (settings, problems) = Parse(bus);

        Assert.Empty(problems);
        Assert.False(settings.Enabled);
        Assert.Equal("keyrotation", settings.Source);
    }

    [Theory]
    [InlineData("default")]
    [InlineData("key-rotation")]
    [InlineData("aws.partner/example.com/123/events")]
    [InlineData("arn:aws:events:eu-west-1:111122223333:event-bus/key-rotation")]
    [InlineData("arn:aws-us-gov:events:us-gov-west-1:111122223333:event-bus/default")]
    public void Parse_BusNameOrArn_IsTheBus(string bus)
    {
        var (settings, problems) = Parse(bus);

        Assert.Empty(problems);
        Assert.Equal(bus, settings.BusName);
    }

    [Theory]
    [InlineData("my bus")]
    [InlineData("bus!")]
    [InlineData("arn:aws:sns:eu-west-1:111122223333:key-rotation")]
    [InlineData("arn:aws:events:eu-west-1:1111:event-bus/default")]
    public void Parse_NotABusNameOrArn_IsAProblemNamingTheSetting(string bus)
    {
        var (_, problems) = Parse(bus);

        var problem = Assert.Single(problems);
        Assert.StartsWith($"EVENT_BUS_NAME: '{bus}' is not an event bus name", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_BusNameLongerThan256_IsAProblem()
    {
        Assert.Single(Parse(new string('a', 257)).Problems);
    }

    [Theory]
    [InlineData("aws.kms", "starts with aws.")]
    [InlineData("com.example key rotation", "is not an event source")]
    public void Parse_BadSource_IsAProblemNamingTheSetting(string source, string says)
    {
        var (_, problems) = Parse("default", source);

        var problem = Assert.Single(problems);
        Assert.StartsWith($"EVENT_SOURCE: '{source}'", problem, StringComparison.Ordinal);
        Assert.Contains(says, problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_OwnSource_IsUsed()
    {
        Assert.Equal("com.example.keyrotation", Parse("default", "com.example.keyrotation").Settings.Source);
    }

    [Fact]
    public void RotationSettings_BadBus_IsAConfigurationErrorNamingTheSetting()
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [SettingNames.RotationAliases] = "alias/orders",
            [SettingNames.NotificationTopicArn] = "arn:aws:sns:eu-west-1:111122223333:key-rotation",
            [SettingNames.EventBusName] = "not a bus",
        };

        var error = Assert.Throws<ConfigurationException>(() => RotationSettings.Parse(environment));

        Assert.Contains("EVENT_BUS_NAME: 'not a bus'", error.Message, StringComparison.Ordinal);
        Assert.Throws<ConfigurationException>(() => RetentionSettings.Parse(environment));
    }

    [Fact]
    public void RotationAndRetentionSettings_Bus_AreRead()
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [SettingNames.RotationAliases] = "alias/orders",
            [SettingNames.NotificationTopicArn] = "arn:aws:sns:eu-west-1:111122223333:key-rotation",
            [SettingNames.EventBusName] = "default",
        };

        Assert.Equal("default", RotationSettings.Parse(environment).Events.BusName);
        Assert.Equal("default", RetentionSettings.Parse(environment).Events.BusName);
    }
}
