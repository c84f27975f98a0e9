using KeyRotation.Core.Configuration;

namespace KeyRotation.Core.Tests.Configuration;

public sealed class RetentionSettingsTests
{
    private static Dictionary<string, string> ValidEnvironment() => new(StringComparer.Ordinal)
    {
        [SettingNames.RotationAliases] = "alias/orders",
        [SettingNames.NotificationTopicArn] = "arn:aws:sns:eu-west-1:111122223333:key-rotation",
    };

    [Fact]
    public void Parse_MinimalEnvironment_IsOffWithConservativeDefaults()
    {
        var settings = RetentionSettings.Parse(ValidEnvironment());

        Assert.Equal(RetentionMode.Off, settings.Mode);
        Assert.Equal(1, settings.RetainGenerations);
        Assert.Equal(30, settings.DisableAfterDays);
        Assert.Equal(90, settings.DeleteAfterDays);
        Assert.Equal(30, settings.PendingWindowDays);
        Assert.Null(settings.Escrow);
    }

    [Theory]
    [InlineData("off", RetentionMode.Off)]
    [InlineData("disable", RetentionMode.Disable)]
    [InlineData("disable-then-delete", RetentionMode.DisableThenDelete)]
    public void Parse_Mode_IsRead(string text, RetentionMode expected)
    {
        var environment = ValidEnvironment();
        environment[SettingNames.RetentionMode] = text;

        Assert.Equal(expected, RetentionSettings.Parse(environment).Mode);
    }

    [Fact]
    public void Parse_ZeroDays_AreAccepted()
    {
        var environment = ValidEnvironment();
        environment[SettingNames.DisableAfterDays] = "0";
        environment[SettingNames.DeleteAfterDays] = "0";
        environment[SettingNames.PendingWindowDays] = "7";
        environment[SettingNames.RetainGenerations] = "3";
        environment[SettingNames.EscrowBucket] = "escrow-bucket";
        environment[SettingNames.EscrowPrefix] = "keys/";

        var settings = RetentionSettings.Parse(environment);

        Assert.Equal((0, 0, 7, 3), (settings.DisableAfterDays, settings.DeleteAfterDays, settings.PendingWindowDays, settings.RetainGenerations));
        Assert.Equal(("escrow-bucket", "keys/"), (settings.Escrow!.Bucket, settings.Escrow.Prefix));
    }

    [Fact]
    public void Parse_EveryBadValue_IsNamedInOneError()
    {
        var environment = ValidEnvironment();
        environment[SettingNames.RetentionMode] = "delete";
        environment[SettingNames.RetainGenerations] = "0";
        environment[SettingNames.DisableAfterDays] = "-1";
        environment[SettingNames.DeleteAfterDays] = "soon";
        environment[SettingNames.PendingWindowDays] = "6";

        var error = Assert.Throws<ConfigurationException>(() => RetentionSettings.Parse(environment));

        Assert.Contains($"{SettingNames.RetentionMode}: 'delete'", error.Message, StringComparison.Ordinal);
        Assert.Contains($"{SettingNames.RetainGenerations}: '0'", error.Message, StringComparison.Ordinal);
        Assert.Contains($"{SettingNames.DisableAfterDays}: '-1'", error.Message, StringComparison.Ordinal);
        Assert.Contains($"{SettingNames.DeleteAfterDays}: 'soon'", error.Message, StringComparison.Ordinal);
        Assert.Contains($"{SettingNames.PendingWindowDays}: '6' is not a whole number from 7 to 30", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("31")]
    [InlineData("0")]
    public void Parse_PendingWindowOutsideKmsRange_IsRefused(string days)
    {
        var environment = ValidEnvironment();
        environment[SettingNames.PendingWindowDays] = days;

        var error = Assert.Throws<ConfigurationException>(() => RetentionSettings.Parse(environment));

        Assert.Contains(SettingNames.PendingWindowDays, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_MissingAliasesAndTopic_AreNamed()
    {
        var error = Assert.Throws<ConfigurationException>(() => RetentionSettings.Parse(new Dictionary<string, string>()));

        Assert.Contains(SettingNames.RotationAliases, error.Message, StringComparison.Ordinal);
        Assert.Contains(SettingNames.NotificationTopicArn, error.Message, StringComparison.Ordinal);
    }
}
