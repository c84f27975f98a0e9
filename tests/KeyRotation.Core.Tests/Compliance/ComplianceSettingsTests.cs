using KeyRotation.Core.Compliance;
using KeyRotation.Core.Configuration;
using KeyRotation.Core.Protocol;

namespace KeyRotation.Core.Tests.Compliance;

public sealed class ComplianceSettingsTests
{
    private static Dictionary<string, string> Environment(params (string Name, string Value)[] settings)
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [SettingNames.RotationAliases] = "alias/orders",
            [SettingNames.NotificationTopicArn] = "arn:aws:sns:eu-west-1:111122223333:key-rotation",
        };
        foreach (var (name, value) in settings)
        {
            environment[name] = value;
        }

        return environment;
    }

    [Fact]
    public void Parse_NothingSet_Is365DaysOnTheMonthlySchedule()
    {
        var compliance = RotationSettings.Parse(Environment()).Compliance;

        Assert.Equal(365, compliance.MaxKeyAgeDays);
        Assert.Equal((RotationSchedule.DefaultExpression, "UTC"), (compliance.Schedule.Expression, compliance.Schedule.TimeZone));
    }

    [Fact]
    public void Parse_MaxKeyAgeShorterThanTheSchedulesPeriod_IsAnErrorNamingBothValues()
    {
        var error = Assert.Throws<ConfigurationException>(() => RotationSettings.Parse(Environment(
            (SettingNames.MaxKeyAgeDays, "60"), (SettingNames.RotationSchedule, "cron(0 3 1 1,4,7,10 ? *)"))));

        Assert.Contains("MAX_KEY_AGE_DAYS: a cryptoperiod of 60 day(s) is shorter than the schedule's period of 92 day(s)", error.Message, StringComparison.Ordinal);
        Assert.Contains("cron(0 3 1 1,4,7,10 ? *)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_MaxKeyAgeEqualToThePeriod_IsAccepted()
    {
        Assert.Equal(31, RotationSettings.Parse(Environment((SettingNames.MaxKeyAgeDays, "31"))).Compliance.MaxKeyAgeDays);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("abc")]
    [InlineData("3651")]
    [InlineData("-5")]
    public void Parse_MalformedMaxKeyAge_NamesTheSetting(string value)
    {
        var error = Assert.Throws<ConfigurationException>(() => RotationSettings.Parse(Environment((SettingNames.MaxKeyAgeDays, value))));

        Assert.Contains($"MAX_KEY_AGE_DAYS: '{value}' is not a whole number from 1 to 3650", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CryptoperiodOf_KeyTaggedWithItsOwn_OverridesTheSetting()
    {
        var record = KeyRecord.From(new Dictionary<string, string> { [RotationTags.MaxKeyAgeDays] = "90" });

        Assert.Equal((90, "tag keyrotation:max-key-age-days", (string?)null), ComplianceSettings.Default.CryptoperiodOf("alias/orders", "k1", record));
    }

    [Theory]
    [InlineData("ninety")]
    [InlineData("0")]
    [InlineData("7")]
    public void CryptoperiodOf_MalformedOrTooShortTag_IsAProblemNamingTheAliasAndTheTag(string value)
    {
        var record = KeyRecord.From(new Dictionary<string, string> { [RotationTags.MaxKeyAgeDays] = value });

        var (days, _, problem) = ComplianceSettings.Default.CryptoperiodOf("alias/orders", "k1", record);

        Assert.Null(days);
        Assert.StartsWith($"alias/orders: key k1 is tagged keyrotation:max-key-age-days={value}", problem, StringComparison.Ordinal);
    }
}
