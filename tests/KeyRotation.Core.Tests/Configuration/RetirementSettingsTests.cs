using KeyRotation.Core.Configuration;

namespace KeyRotation.Core.Tests.Configuration;

/// <summary>RETIRE_UNUSED_FOR_DAYS and RETIRE_ORIGINAL_KEY: their defaults, and a bad value refused by name.</summary>
public sealed class RetirementSettingsTests
{
    private static Dictionary<string, string> Environment(string? name = null, string? value = null)
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [SettingNames.RotationAliases] = "alias/orders",
            [SettingNames.NotificationTopicArn] = "arn:aws:sns:eu-west-1:111122223333:key-rotation",
            [SettingNames.RetentionMode] = "disable-then-delete",
        };
        if (name is not null)
        {
            environment[name] = value!;
        }

        return environment;
    }

    [Fact]
    public void Parse_Unset_Needs30DaysOfProvenNonUseAndLeavesTheOriginalKey()
    {
        var settings = RetentionSettings.Parse(Environment());

        Assert.Equal(30, settings.RetireUnusedForDays);
        Assert.False(settings.RetireOriginalKey);
    }

    [Theory]
    [InlineData("0", 0)]
    [InlineData("90", 90)]
    [InlineData("3650", 3650)]
    public void Parse_RetireUnusedForDays_IsRead(string text, int expected) =>
        Assert.Equal(expected, RetentionSettings.Parse(Environment(SettingNames.RetireUnusedForDays, text)).RetireUnusedForDays);

    [Theory]
    [InlineData("true", true)]
    [InlineData("TRUE", true)]
    [InlineData("false", false)]
    public void Parse_RetireOriginalKey_IsRead(string text, bool expected) =>
        Assert.Equal(expected, RetentionSettings.Parse(Environment(SettingNames.RetireOriginalKey, text)).RetireOriginalKey);

    [Theory]
    [InlineData("true", true)]
    [InlineData("True", true)]
    [InlineData("false", false)]
    public void Parse_RetireCheckConsumers_IsRead(string text, bool expected) =>
        Assert.Equal(expected, RetentionSettings.Parse(Environment(SettingNames.RetireCheckConsumers, text)).CheckConsumers);

    [Fact]
    public void Parse_RetireCheckConsumersUnset_IsOff() =>
        Assert.False(RetentionSettings.Parse(Environment()).CheckConsumers);

    [Theory]
    [InlineData(SettingNames.RetireCheckConsumers, "yes")]
    [InlineData(SettingNames.RetireCheckConsumers, "on")]
    [InlineData(SettingNames.RetireUnusedForDays, "thirty")]
    [InlineData(SettingNames.RetireUnusedForDays, "-1")]
    [InlineData(SettingNames.RetireUnusedForDays, "3651")]
    [InlineData(SettingNames.RetireUnusedForDays, "30.5")]
    [InlineData(SettingNames.RetireOriginalKey, "yes")]
    [InlineData(SettingNames.RetireOriginalKey, "1")]
    public void Parse_MalformedValue_IsAConfigurationErrorNamingTheSettingAndTheValue(string name, string value)
    {
        var error = Assert.Throws<ConfigurationException>(() => RetentionSettings.Parse(Environment(name, value)));

        Assert.Contains($"{name}: '{value}'", error.Message, StringComparison.Ordinal);
    }
}
