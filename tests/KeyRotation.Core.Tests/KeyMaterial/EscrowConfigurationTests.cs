using System.Security.Cryptography;
using KeyRotation.Core.Configuration;
using KeyRotation.Core.KeyMaterial;

namespace KeyRotation.Core.Tests.KeyMaterial;

public sealed class EscrowConfigurationTests
{
    private static Dictionary<string, string> External(params (string Name, string Value)[] settings)
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [SettingNames.RotationAliases] = "alias/orders",
            [SettingNames.NotificationTopicArn] = "arn:aws:sns:eu-west-1:111122223333:key-rotation",
            [SettingNames.KeyMaterialOrigin] = "EXTERNAL",
        };
        foreach (var (name, value) in settings)
        {
            environment[name] = value;
        }

        return environment;
    }

    private static Dictionary<string, string> Escrowed(params (string Name, string Value)[] overrides) =>
        External([(SettingNames.EscrowBucket, "escrow-bucket"), (SettingNames.EscrowPublicKey, EscrowKeys.EscrowPublicBase64Der), .. overrides]);

    [Fact]
    public void Parse_ExternalWithoutEscrow_RefusesNamingTheMissingSettingsAndTheWayOut()
    {
        var error = Assert.Throws<ConfigurationException>(() => RotationSettings.Parse(External()));

        Assert.Contains("EXTERNAL but escrow is not configured (ESCROW_BUCKET and ESCROW_PUBLIC_KEY not set)", error.Message, StringComparison.Ordinal);
        Assert.Contains("ESCROW_DISABLED=true", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_ExternalWithBucketButNoPublicKey_RefusesNamingThePublicKey()
    {
        var error = Assert.Throws<ConfigurationException>(() => RotationSettings.Parse(External((SettingNames.EscrowBucket, "escrow-bucket"))));

        Assert.Contains("(ESCROW_PUBLIC_KEY not set)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_ExternalWithEscrowDisabledOnPurpose_IsAcceptedWithoutEscrow()
    {
        var settings = RotationSettings.Parse(External((SettingNames.EscrowDisabled, "true")));

        Assert.Null(KeyMaterialOptions.FromSettings(settings).Escrow);
    }

    [Fact]
    public void Parse_EscrowDisabledAndBucketSet_RefusesTheContradiction()
    {
        var error = Assert.Throws<ConfigurationException>(() => RotationSettings.Parse(Escrowed((SettingNames.EscrowDisabled, "true"))));

        Assert.Contains("ESCROW_DISABLED is true but ESCROW_BUCKET or ESCROW_PUBLIC_KEY is set", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_ExternalWithEscrow_BuildsOptionsWithLocationKeyAndExpiration()
    {
        var settings = RotationSettings.Parse(Escrowed((SettingNames.EscrowPrefix, "key-escrow/"), (SettingNames.KeyMaterialExpirationDays, "30")));

        var options = KeyMaterialOptions.FromSettings(settings);

        Assert.Equal(("escrow-bucket", "key-escrow/"), (options.Escrow!.Location.Bucket, options.Escrow.Location.Prefix));
        Assert.Equal(EscrowPublicKey.Fingerprint(EscrowKeys.Escrow.ExportSubjectPublicKeyInfo()), options.Escrow.PublicKey.Sha256);
        Assert.Equal(30, options.ExpirationDays);
    }

    [Theory]
    [InlineData("Escrow_Bucket", "only lower-case letters")]
    [InlineData("ab", "3 to 63 characters")]
    [InlineData("-escrow", "begin and end with a letter or digit")]
    [InlineData("escrow..bucket", "dots may not be next to each other")]
    [InlineData("192.168.5.4", "IP address")]
    [InlineData("xn--escrow", "prefix 'xn--' is reserved")]
    [InlineData("escrow-s3alias", "suffix '-s3alias' is reserved")]
    public void Parse_BadBucketName_NamesTheRuleBroken(string bucket, string rule)
    {
        var error = Assert.Throws<ConfigurationException>(() => RotationSettings.Parse(Escrowed((SettingNames.EscrowBucket, bucket))));

        Assert.Contains($"ESCROW_BUCKET: '{bucket}' is not a valid S3 bucket name", error.Message, StringComparison.Ordinal);
        Assert.Contains(rule, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("key-escrow")]
    [InlineData("/key-escrow/")]
    [InlineData("escrow/*/")]
    public void Parse_BadPrefix_NamesThePrefix(string prefix)
    {
        var error = Assert.Throws<ConfigurationException>(() => RotationSettings.Parse(Escrowed((SettingNames.EscrowPrefix, prefix))));

        Assert.Contains($"ESCROW_PREFIX: '{prefix}' is not a usable escrow prefix", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_PemGarbage_SaysItIsNotAKey()
    {
        var error = Assert.Throws<ConfigurationException>(() => RotationSettings.Parse(Escrowed((SettingNames.EscrowPublicKey, "-----BEGIN PUBLIC KEY-----\nnot base64 at all!\n-----END PUBLIC KEY-----"))));

        Assert.Contains("ESCROW_PUBLIC_KEY: the escrow public key looks like PEM but is not valid PEM", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_TextThatIsNeitherPemNorBase64_SaysSo()
    {
        var error = Assert.Throws<ConfigurationException>(() => RotationSettings.Parse(Escrowed((SettingNames.EscrowPublicKey, "my escrow key"))));

        Assert.Contains("ESCROW_PUBLIC_KEY: the escrow public key is neither PEM nor base64 DER SubjectPublicKeyInfo", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_2048BitKey_SaysTheSizeAndTheMinimum()
    {
        var error = Assert.Throws<ConfigurationException>(() => RotationSettings.Parse(Escrowed((SettingNames.EscrowPublicKey, EscrowKeys.Rsa2048.ExportSubjectPublicKeyInfoPem()))));

        Assert.Contains("ESCROW_PUBLIC_KEY: the escrow public key is a 2048-bit RSA key; at least 3072 bits are required", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_PrivateKeyPem_RefusesWithoutEchoingIt()
    {
        var pem = EscrowKeys.Escrow.ExportPkcs8PrivateKeyPem();

        var error = Assert.Throws<ConfigurationException>(() => RotationSettings.Parse(Escrowed((SettingNames.EscrowPublicKey, pem))));

        Assert.Contains("ESCROW_PUBLIC_KEY: the escrow public key is a private key", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(pem.Split('\n')[1], error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_PublicKeyPemFollowedByPrivateKeyPem_RefusesWithoutEchoingIt()
    {
        var privatePem = EscrowKeys.Escrow.ExportPkcs8PrivateKeyPem();
        var both = EscrowKeys.EscrowPublicPem + "\n" + privatePem;

        var error = Assert.Throws<ConfigurationException>(() => RotationSettings.Parse(Escrowed((SettingNames.EscrowPublicKey, both))));

        Assert.Contains("ESCROW_PUBLIC_KEY: the escrow public key is a private key", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(privatePem.Split('\n')[1], error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_DerWithTrailingBytes_Refuses()
    {
        var der = Convert.ToBase64String([.. EscrowKeys.Escrow.ExportSubjectPublicKeyInfo(), 0x00, 0x01]);

        var error = Assert.Throws<ConfigurationException>(() => RotationSettings.Parse(Escrowed((SettingNames.EscrowPublicKey, der))));

        Assert.Contains("byte(s) after the key", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_PrivateKeyAsBase64Der_RefusesAsAPrivateKey()
    {
        var der = Convert.ToBase64String(EscrowKeys.Escrow.ExportRSAPrivateKey());

        var error = Assert.Throws<ConfigurationException>(() => RotationSettings.Parse(Escrowed((SettingNames.EscrowPublicKey, der))));

        Assert.Contains("ESCROW_PUBLIC_KEY: the escrow public key is a private key", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_EcPublicKey_SaysItIsNotRsa()
    {
        using var ec = ECDsa.Create(ECCurve.NamedCurves.nistP384);

        var error = Assert.Throws<ConfigurationException>(() => RotationSettings.Parse(Escrowed((SettingNames.EscrowPublicKey, ec.ExportSubjectPublicKeyInfoPem()))));

        Assert.Contains("ESCROW_PUBLIC_KEY: the escrow public key is an EC key, not RSA", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TryParse_PemAndBase64DerOfOneKey_HaveTheSameFingerprint()
    {
        Assert.True(EscrowPublicKey.TryParse(EscrowKeys.EscrowPublicPem, out var fromPem, out _));
        Assert.True(EscrowPublicKey.TryParse(EscrowKeys.EscrowPublicBase64Der, out var fromDer, out _));

        Assert.Equal(fromPem.Sha256, fromDer.Sha256);
        Assert.Equal(3072, fromPem.KeySize);
    }
}
