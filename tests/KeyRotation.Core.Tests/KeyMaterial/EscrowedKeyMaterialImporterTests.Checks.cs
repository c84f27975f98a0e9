using Amazon.KeyManagementService;

namespace KeyRotation.Core.Tests.KeyMaterial;

/// <summary>Refuse and CheckImported: which keys the importer takes, and whether imported material matches the configuration.</summary>
public sealed partial class EscrowedKeyMaterialImporterTests
{
    [Fact]
    public void Refuse_AsymmetricKey_SaysOnlySymmetricDefault()
    {
        var key = NewKey();
        key.KeySpec = KeySpec.RSA_2048;

        Assert.Contains("supports SYMMETRIC_DEFAULT keys only", Importer().Refuse(key), StringComparison.Ordinal);
        Assert.Null(Importer().Refuse(NewKey()));
    }

    [Fact]
    public void CheckImported_ExpiringMaterialWhenConfiguredNotToExpire_NamesTheMismatch()
    {
        var key = NewKey(KeyState.Enabled);
        key.ExpirationModel = ExpirationModelType.KEY_MATERIAL_EXPIRES;
        key.ValidTo = Now.AddDays(3).UtcDateTime;

        Assert.Contains("KEY_MATERIAL_EXPIRATION_DAYS is 0", Importer().CheckImported(key), StringComparison.Ordinal);
    }

    [Fact]
    public void CheckImported_ValidToInThePast_SaysExpired()
    {
        var key = NewKey(KeyState.Enabled);
        key.ExpirationModel = ExpirationModelType.KEY_MATERIAL_EXPIRES;
        key.ValidTo = Now.AddMinutes(-1).UtcDateTime;

        Assert.Contains("expired", Importer(expirationDays: 30).CheckImported(key), StringComparison.Ordinal);
    }

    [Fact]
    public void CheckImported_KmsOrigin_NamesTheOrigin()
    {
        var key = NewKey(KeyState.Enabled);
        key.Origin = OriginType.AWS_KMS;
        key.ExpirationModel = ExpirationModelType.KEY_MATERIAL_DOES_NOT_EXPIRE;

        Assert.Contains("has origin AWS_KMS", Importer().CheckImported(key), StringComparison.Ordinal);
    }

    [Fact]
    public void CheckImported_MatchingModelAndFutureValidTo_IsReady()
    {
        var key = NewKey(KeyState.Enabled);
        key.ExpirationModel = ExpirationModelType.KEY_MATERIAL_EXPIRES;
        key.ValidTo = Now.AddDays(30).UtcDateTime;

        Assert.Null(Importer(expirationDays: 30).CheckImported(key));
    }
}
