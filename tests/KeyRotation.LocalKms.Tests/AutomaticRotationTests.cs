using System.Text;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;

namespace KeyRotation.LocalKms.Tests;

/// <summary>EnableKeyRotation, DisableKeyRotation, GetKeyRotationStatus and automatic rotation on the service clock.</summary>
public sealed class AutomaticRotationTests
{
    private static readonly byte[] Secret = Encoding.UTF8.GetBytes("ledger");

    private static async Task<List<RotationsListEntry>> RotationsAsync(LocalKmsHarness kms, string keyId, IncludeKeyMaterial? include = null) =>
        (await kms.Client.ListKeyRotationsAsync(new ListKeyRotationsRequest { KeyId = keyId, IncludeKeyMaterial = include })).Rotations;

    [Fact]
    public async Task EnableKeyRotation_DefaultPeriod_StatusShows365DaysAndNextDate()
    {
        using var kms = new LocalKmsHarness();
        var key = await kms.CreateKeyAsync();

        await kms.Client.EnableKeyRotationAsync(new EnableKeyRotationRequest { KeyId = key.Arn });
        var status = await kms.Client.GetKeyRotationStatusAsync(new GetKeyRotationStatusRequest { KeyId = key.KeyId });

        Assert.True(status.KeyRotationEnabled);
        Assert.Equal(key.KeyId, status.KeyId);
        Assert.Equal(365, status.RotationPeriodInDays);
        Assert.Equal(kms.Time.GetUtcNow().AddDays(365).UtcDateTime, status.NextRotationDate);
        Assert.Null(status.OnDemandRotationStartDate);
    }

    [Fact]
    public async Task GetKeyRotationStatus_NeverEnabled_FalseWithoutPeriod()
    {
        using var kms = new LocalKmsHarness();
        var key = await kms.CreateKeyAsync();

        var status = await kms.Client.GetKeyRotationStatusAsync(new GetKeyRotationStatusRequest { KeyId = key.KeyId });

        Assert.False(status.KeyRotationEnabled);
        Assert.Null(status.RotationPeriodInDays);
        Assert.Null(status.NextRotationDate);
    }

    [Theory]
    [InlineData(89)]
    [InlineData(2561)]
    public async Task EnableKeyRotation_PeriodOutOfRange_ThrowsValidationAndStaysDisabled(int days)
    {
        using var kms = new LocalKmsHarness();
        var key = await kms.CreateKeyAsync();

        var ex = await Assert.ThrowsAsync<AmazonKeyManagementServiceException>(() => kms.Client.EnableKeyRotationAsync(new EnableKeyRotationRequest { KeyId = key.KeyId, RotationPeriodInDays = days }));

        Assert.Equal("ValidationException", ex.ErrorCode);
        Assert.False((await kms.Client.GetKeyRotationStatusAsync(new GetKeyRotationStatusRequest { KeyId = key.KeyId })).KeyRotationEnabled);
    }

    [Fact]
    public async Task DisableKeyRotation_AfterEnable_StatusFalse()
    {
        using var kms = new LocalKmsHarness();
        var key = await kms.CreateKeyAsync();
        await kms.Client.EnableKeyRotationAsync(new EnableKeyRotationRequest { KeyId = key.KeyId, RotationPeriodInDays = 90 });

        await kms.Client.DisableKeyRotationAsync(new DisableKeyRotationRequest { KeyId = key.KeyId });

        Assert.False((await kms.Client.GetKeyRotationStatusAsync(new GetKeyRotationStatusRequest { KeyId = key.KeyId })).KeyRotationEnabled);
    }

    [Theory]
    [InlineData("RSA_2048", "ENCRYPT_DECRYPT", "AWS_KMS")]
    [InlineData("HMAC_256", "GENERATE_VERIFY_MAC", "AWS_KMS")]
    [InlineData("SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT", "EXTERNAL")]
    public async Task EnableKeyRotation_UnsupportedKey_ThrowsUnsupportedOperation(string spec, string usage, string origin)
    {
        using var kms = new LocalKmsHarness();
        var key = await kms.CreateKeyAsync(new CreateKeyRequest { KeySpec = spec, KeyUsage = usage, Origin = origin });

        await Assert.ThrowsAsync<UnsupportedOperationException>(() => kms.Client.EnableKeyRotationAsync(new EnableKeyRotationRequest { KeyId = key.KeyId }));
    }

    [Fact]
    public async Task EnableKeyRotation_DisabledKey_ThrowsDisabled()
    {
        using var kms = new LocalKmsHarness();
        var key = await kms.CreateKeyAsync();
        kms.Service.SetKeyState(key.KeyId, "Disabled");

        await Assert.ThrowsAsync<DisabledException>(() => kms.Client.EnableKeyRotationAsync(new EnableKeyRotationRequest { KeyId = key.KeyId }));
    }

    [Fact]
    public async Task EnableKeyRotation_Alias_ThrowsNotFound()
    {
        using var kms = new LocalKmsHarness();
        await kms.CreateKeyWithAliasAsync("alias/app");

        await Assert.ThrowsAsync<NotFoundException>(() => kms.Client.EnableKeyRotationAsync(new EnableKeyRotationRequest { KeyId = "alias/app" }));
    }

    [Fact]
    public async Task AutomaticRotation_PeriodPasses_NewCurrentMaterialAndOldCiphertextDecrypts()
    {
        using var kms = new LocalKmsHarness();
        var key = await kms.CreateKeyAsync();
        var before = await kms.EncryptAsync(key.KeyId, Secret);
        await kms.Client.EnableKeyRotationAsync(new EnableKeyRotationRequest { KeyId = key.KeyId, RotationPeriodInDays = 90 });

        kms.Time.Advance(TimeSpan.FromDays(90));
        var rotations = await RotationsAsync(kms, key.KeyId);
        var status = await kms.Client.GetKeyRotationStatusAsync(new GetKeyRotationStatusRequest { KeyId = key.KeyId });

        var rotation = Assert.Single(rotations);
        Assert.Equal(RotationType.AUTOMATIC, rotation.RotationType);
        Assert.Equal(kms.Time.GetUtcNow().UtcDateTime, rotation.RotationDate);
        Assert.Equal(kms.Time.GetUtcNow().AddDays(90).UtcDateTime, status.NextRotationDate);
        Assert.Equal(Secret, await kms.DecryptAsync(before));
    }

    [Fact]
    public async Task GetKeyRotationStatus_PendingDeletion_ReportsFalse()
    {
        using var kms = new LocalKmsHarness();
        var key = await kms.CreateKeyAsync();
        await kms.Client.EnableKeyRotationAsync(new EnableKeyRotationRequest { KeyId = key.KeyId });
        kms.Service.SetKeyState(key.KeyId, "PendingDeletion");

        var status = await kms.Client.GetKeyRotationStatusAsync(new GetKeyRotationStatusRequest { KeyId = key.KeyId });

        Assert.False(status.KeyRotationEnabled);
    }

    [Fact]
    public async Task GetKeyRotationStatus_AwsManagedKey_AlwaysTrue()
    {
        using var kms = new LocalKmsHarness();
        var keyId = kms.Service.CreateAwsManagedKey("ebs");

        var status = await kms.Client.GetKeyRotationStatusAsync(new GetKeyRotationStatusRequest { KeyId = keyId });

        Assert.True(status.KeyRotationEnabled);
    }
}
