using KeyRotation.Core.Configuration;
using KeyRotation.Core.Pacing;

namespace KeyRotation.Core.Tests.Pacing;

public sealed class KmsRequestQuotasTests
{
    [Fact]
    public void Parse_Unset_IsKmsDefaultQuotas()
    {
        var quotas = KmsRequestQuotas.Parse(null, "KMS_REQUEST_QUOTAS", []);

        Assert.Equal(5, quotas!.RateOf("CreateKey"));
        Assert.Equal(5, quotas.RateOf("CreateAlias"));
        Assert.Equal(5, quotas.RateOf("UpdateAlias"));
        Assert.Equal(10, quotas.RateOf("TagResource"));
        Assert.Equal(100, quotas.RateOf("ListAliases"));
        Assert.Null(quotas.RateOf("Encrypt"));
    }

    [Fact]
    public void Parse_Overrides_ReplaceOnlyTheNamedOperations()
    {
        var quotas = KmsRequestQuotas.Parse(" CreateKey=20, UpdateAlias = 12.5 ", "KMS_REQUEST_QUOTAS", []);

        Assert.Equal(20, quotas!.RateOf("CreateKey"));
        Assert.Equal(12.5, quotas.RateOf("UpdateAlias"));
        Assert.Equal(5, quotas.RateOf("CreateAlias"));
        Assert.Equal("CreateKey=20,UpdateAlias=12.5", quotas.ToString());
    }

    [Theory]
    [InlineData("CreateKey", "KMS_REQUEST_QUOTAS: 'CreateKey' is not Operation=rate")]
    [InlineData("CreateKey=fast", "KMS_REQUEST_QUOTAS: CreateKey's rate 'fast' is not a number")]
    [InlineData("CreateKey=0", "KMS_REQUEST_QUOTAS: CreateKey's rate '0' is not a number")]
    [InlineData("CreateKey=-3", "KMS_REQUEST_QUOTAS: CreateKey's rate '-3' is not a number")]
    [InlineData("createkey=20", "KMS_REQUEST_QUOTAS: 'createkey' is not a KMS operation this tool paces")]
    [InlineData("CreateKey=20,CreateKey=30", "KMS_REQUEST_QUOTAS: CreateKey is given more than once")]
    public void Parse_BadEntry_NamesTheSettingAndTheEntry(string text, string expected)
    {
        var problems = new List<string>();

        var quotas = KmsRequestQuotas.Parse(text, "KMS_REQUEST_QUOTAS", problems);

        Assert.Null(quotas);
        Assert.Contains(problems, p => p.StartsWith(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void RotationSettings_BadQuotas_RefusesTheConfigurationNamingThem()
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [SettingNames.RotationAliases] = "alias/orders",
            [SettingNames.NotificationTopicArn] = "arn:aws:sns:eu-west-1:111122223333:key-rotation",
            [SettingNames.KmsRequestQuotas] = "UpdateAlias=many",
        };

        var error = Assert.Throws<ConfigurationException>(() => RotationSettings.Parse(environment));

        Assert.Contains("KMS_REQUEST_QUOTAS: UpdateAlias's rate 'many'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RotationSettings_Quotas_AreRead()
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [SettingNames.RotationAliases] = "alias/orders",
            [SettingNames.NotificationTopicArn] = "arn:aws:sns:eu-west-1:111122223333:key-rotation",
            [SettingNames.KmsRequestQuotas] = "CreateKey=20,UpdateAlias=20",
        };

        var settings = RotationSettings.Parse(environment);

        Assert.Equal(20, settings.RequestQuotas.RateOf("UpdateAlias"));
    }
}
