using KeyRotation.Core.Configuration;

namespace KeyRotation.Core.Tests.Configuration;

public sealed class RotationSettingsTests
{
    private static Dictionary<string, string> ValidEnvironment() => new(StringComparer.Ordinal)
    {
        [SettingNames.RotationAliases] = "alias/orders, alias/billing",
        [SettingNames.NotificationTopicArn] = "arn:aws:sns:eu-west-1:111122223333:key-rotation",
    };

    [Fact]
    public void Parse_MinimalEnvironment_UsesDocumentedDefaults()
    {
        var config = RotationSettings.Parse(ValidEnvironment());

        Assert.Equal(["alias/orders", "alias/billing"], config.Aliases);
        Assert.Equal(TimeSpan.FromHours(24), config.Options.MinKeyAge);
        Assert.Equal(RotationSettings.DefaultMaxConcurrency, config.Options.MaxConcurrency);
        Assert.Same(Core.Pacing.KmsRequestQuotas.Default, config.RequestQuotas);
        Assert.Equal(KeyMaterialOrigin.AwsKms, config.Options.KeyMaterialOrigin);
        Assert.False(config.DryRun);
        Assert.Null(config.Timeout);
        Assert.Equal(0, config.KeyMaterialExpirationDays);
        Assert.Equal((RotationStrategy.NewKey, 2), (config.Options.Strategy, config.Options.MaterialReserve));
    }

    [Theory]
    [InlineData("new-key", RotationStrategy.NewKey)]
    [InlineData("material", RotationStrategy.Material)]
    [InlineData("auto", RotationStrategy.Auto)]
    public void Parse_RotationStrategy_IsRead(string text, RotationStrategy expected)
    {
        var environment = ValidEnvironment();
        environment[SettingNames.RotationStrategy] = text;
        environment[SettingNames.RotationMaterialReserve] = "5";

        var config = RotationSettings.Parse(environment);

        Assert.Equal((expected, 5), (config.Options.Strategy, config.Options.MaterialReserve));
    }

    [Fact]
    public void Parse_EverySetting_IsRead()
    {
        var environment = ValidEnvironment();
        environment[SettingNames.MinKeyAgeHours] = "0";
        environment[SettingNames.MaxConcurrency] = "8";
        environment[SettingNames.DryRun] = "TRUE";
        environment[SettingNames.FunctionTimeoutSeconds] = "900";
        environment[SettingNames.KeyMaterialOrigin] = "EXTERNAL";
        environment[SettingNames.KeyMaterialExpirationDays] = "365";
        environment[SettingNames.EscrowBucket] = "escrow-bucket";
        environment[SettingNames.EscrowPrefix] = "keys/";
        environment[SettingNames.EscrowPublicKey] = EscrowKeys.EscrowPublicBase64Der;
        environment[SettingNames.EscrowDisabled] = "false";

        var config = RotationSettings.Parse(environment);

        Assert.Equal(TimeSpan.Zero, config.Options.MinKeyAge);
        Assert.Equal(8, config.Options.MaxConcurrency);
        Assert.True(config.DryRun);
        Assert.Equal(TimeSpan.FromSeconds(900), config.Timeout);
        Assert.Equal(KeyMaterialOrigin.External, config.Options.KeyMaterialOrigin);
        Assert.Equal(365, config.KeyMaterialExpirationDays);
        Assert.Equal(("escrow-bucket", "keys/"), (config.EscrowBucket, config.EscrowPrefix));
        Assert.Equal(EscrowKeys.EscrowPublicBase64Der, config.EscrowPublicKey);
    }

    [Theory]
    [InlineData(SettingNames.RotationAliases, null, "ROTATION_ALIASES is not set")]
    [InlineData(SettingNames.RotationAliases, " , ", "ROTATION_ALIASES names no alias")]
    [InlineData(SettingNames.RotationAliases, "orders", "'orders' is not an alias name")]
    [InlineData(SettingNames.RotationAliases, "alias/aws/ebs", "reserved for AWS managed keys")]
    [InlineData(SettingNames.NotificationTopicArn, null, "NOTIFICATION_TOPIC_ARN is not set")]
    [InlineData(SettingNames.NotificationTopicArn, "arn:aws:sqs:eu-west-1:111122223333:queue", "NOTIFICATION_TOPIC_ARN:")]
    [InlineData(SettingNames.KeyMaterialOrigin, "AWS_CLOUDHSM", "'AWS_CLOUDHSM' is not a key material origin")]
    [InlineData(SettingNames.MinKeyAgeHours, "-1", "MIN_KEY_AGE_HOURS: '-1' is not a whole number")]
    [InlineData(SettingNames.MinKeyAgeHours, "1.5", "MIN_KEY_AGE_HOURS: '1.5'")]
    [InlineData(SettingNames.MaxConcurrency, "0", "MAX_CONCURRENCY: '0' is not a whole number from 1 to 32")]
    [InlineData(SettingNames.DryRun, "yes", "DRY_RUN: 'yes' is not true or false")]
    [InlineData(SettingNames.FunctionTimeoutSeconds, "901", "FUNCTION_TIMEOUT_SECONDS: '901'")]
    [InlineData(SettingNames.KeyMaterialExpirationDays, "366", "KEY_MATERIAL_EXPIRATION_DAYS: '366'")]
    [InlineData(SettingNames.EscrowDisabled, "maybe", "ESCROW_DISABLED: 'maybe'")]
    [InlineData(SettingNames.RotationStrategy, "Material", "ROTATION_STRATEGY: 'Material' is not a rotation strategy; use new-key, material or auto.")]
    [InlineData(SettingNames.RotationStrategy, "newkey", "ROTATION_STRATEGY: 'newkey' is not a rotation strategy; use new-key, material or auto.")]
    [InlineData(SettingNames.RotationMaterialReserve, "25", "ROTATION_MATERIAL_RESERVE: '25' is not a whole number from 0 to 24")]
    public void Parse_BadValue_ThrowsNamingTheVariable(string name, string? value, string expected)
    {
        var environment = ValidEnvironment();
        if (value is null)
        {
            environment.Remove(name);
        }
        else
        {
            environment[name] = value;
        }

        var error = Assert.Throws<ConfigurationException>(() => RotationSettings.Parse(environment));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_SeveralBadValues_NamesEachOne()
    {
        var environment = ValidEnvironment();
        environment[SettingNames.DryRun] = "yes";
        environment[SettingNames.MaxConcurrency] = "many";

        var error = Assert.Throws<ConfigurationException>(() => RotationSettings.Parse(environment));

        Assert.Contains("DRY_RUN", error.Message, StringComparison.Ordinal);
        Assert.Contains("MAX_CONCURRENCY", error.Message, StringComparison.Ordinal);
    }
}
