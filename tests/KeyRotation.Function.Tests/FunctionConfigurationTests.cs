using KeyRotation.Core;

namespace KeyRotation.Function.Tests;

public sealed class FunctionConfigurationTests
{
    internal static Dictionary<string, string> ValidEnvironment() => new(StringComparer.Ordinal)
    {
        [FunctionEnvironment.RotationAliases] = "alias/orders, alias/billing",
        [FunctionEnvironment.NotificationTopicArn] = "arn:aws:sns:eu-west-1:111122223333:key-rotation",
    };

    [Fact]
    public void Parse_MinimalEnvironment_UsesDocumentedDefaults()
    {
        var config = FunctionConfiguration.Parse(ValidEnvironment());

        Assert.Equal(["alias/orders", "alias/billing"], config.Aliases);
        Assert.Equal(TimeSpan.FromHours(24), config.Options.MinKeyAge);
        Assert.Equal(4, config.Options.MaxConcurrency);
        Assert.Equal(KeyMaterialOrigin.AwsKms, config.Options.KeyMaterialOrigin);
        Assert.False(config.DryRun);
        Assert.Null(config.Timeout);
        Assert.Equal(0, config.KeyMaterialExpirationDays);
    }

    [Fact]
    public void Parse_EverySetting_IsRead()
    {
        var environment = ValidEnvironment();
        environment[FunctionEnvironment.MinKeyAgeHours] = "0";
        environment[FunctionEnvironment.MaxConcurrency] = "8";
        environment[FunctionEnvironment.DryRun] = "TRUE";
        environment[FunctionEnvironment.FunctionTimeoutSeconds] = "900";
        environment[FunctionEnvironment.KeyMaterialOrigin] = "EXTERNAL";
        environment[FunctionEnvironment.KeyMaterialExpirationDays] = "365";
        environment[FunctionEnvironment.EscrowBucket] = "escrow-bucket";
        environment[FunctionEnvironment.EscrowPrefix] = "keys/";
        environment[FunctionEnvironment.EscrowDisabled] = "false";

        var config = FunctionConfiguration.Parse(environment);

        Assert.Equal(TimeSpan.Zero, config.Options.MinKeyAge);
        Assert.Equal(8, config.Options.MaxConcurrency);
        Assert.True(config.DryRun);
        Assert.Equal(TimeSpan.FromSeconds(900), config.Timeout);
        Assert.Equal(KeyMaterialOrigin.External, config.Options.KeyMaterialOrigin);
        Assert.Equal(365, config.KeyMaterialExpirationDays);
        Assert.Equal(("escrow-bucket", "keys/"), (config.EscrowBucket, config.EscrowPrefix));
    }

    [Theory]
    [InlineData(FunctionEnvironment.RotationAliases, null, "ROTATION_ALIASES is not set")]
    [InlineData(FunctionEnvironment.RotationAliases, " , ", "ROTATION_ALIASES names no alias")]
    [InlineData(FunctionEnvironment.RotationAliases, "orders", "'orders' is not an alias name")]
    [InlineData(FunctionEnvironment.RotationAliases, "alias/aws/ebs", "reserved for AWS managed keys")]
    [InlineData(FunctionEnvironment.NotificationTopicArn, null, "NOTIFICATION_TOPIC_ARN is not set")]
    [InlineData(FunctionEnvironment.NotificationTopicArn, "arn:aws:sqs:eu-west-1:111122223333:queue", "NOTIFICATION_TOPIC_ARN:")]
    [InlineData(FunctionEnvironment.KeyMaterialOrigin, "AWS_CLOUDHSM", "'AWS_CLOUDHSM' is not a key material origin")]
    [InlineData(FunctionEnvironment.MinKeyAgeHours, "-1", "MIN_KEY_AGE_HOURS: '-1' is not a whole number")]
    [InlineData(FunctionEnvironment.MinKeyAgeHours, "1.5", "MIN_KEY_AGE_HOURS: '1.5'")]
    [InlineData(FunctionEnvironment.MaxConcurrency, "0", "MAX_CONCURRENCY: '0' is not a whole number from 1 to 32")]
    [InlineData(FunctionEnvironment.DryRun, "yes", "DRY_RUN: 'yes' is not true or false")]
    [InlineData(FunctionEnvironment.FunctionTimeoutSeconds, "901", "FUNCTION_TIMEOUT_SECONDS: '901'")]
    [InlineData(FunctionEnvironment.KeyMaterialExpirationDays, "366", "KEY_MATERIAL_EXPIRATION_DAYS: '366'")]
    [InlineData(FunctionEnvironment.EscrowDisabled, "maybe", "ESCROW_DISABLED: 'maybe'")]
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

        var error = Assert.Throws<ConfigurationException>(() => FunctionConfiguration.Parse(environment));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_SeveralBadValues_NamesEachOne()
    {
        var environment = ValidEnvironment();
        environment[FunctionEnvironment.DryRun] = "yes";
        environment[FunctionEnvironment.MaxConcurrency] = "many";

        var error = Assert.Throws<ConfigurationException>(() => FunctionConfiguration.Parse(environment));

        Assert.Contains("DRY_RUN", error.Message, StringComparison.Ordinal);
        Assert.Contains("MAX_CONCURRENCY", error.Message, StringComparison.Ordinal);
    }
}
