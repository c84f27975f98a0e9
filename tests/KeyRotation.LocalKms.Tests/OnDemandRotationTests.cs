using System.Text;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;

namespace KeyRotation.LocalKms.Tests;

/// <summary>RotateKeyOnDemand and ListKeyRotations for keys with KMS-generated material.</summary>
public sealed class OnDemandRotationTests
{
    private static readonly byte[] Secret = Encoding.UTF8.GetBytes("ledger");

    private static Task<RotateKeyOnDemandResponse> RotateAsync(LocalKmsHarness kms, string keyId) =>
        kms.Client.RotateKeyOnDemandAsync(new RotateKeyOnDemandRequest { KeyId = keyId });

    private static async Task<List<RotationsListEntry>> RotationsAsync(LocalKmsHarness kms, string keyId, IncludeKeyMaterial? include = null) =>
        (await kms.Client.ListKeyRotationsAsync(new ListKeyRotationsRequest { KeyId = keyId, IncludeKeyMaterial = include })).Rotations;

    [Fact]
    public async Task RotateKeyOnDemand_SymmetricKey_KeyIdSameNewMaterialOldCiphertextDecrypts()
    {
        using var kms = new LocalKmsHarness();
        var key = await kms.CreateKeyAsync();
        var before = await kms.EncryptAsync(key.KeyId, Secret);

        var response = await RotateAsync(kms, key.Arn);
        var described = (await kms.Client.DescribeKeyAsync(new DescribeKeyRequest { KeyId = key.KeyId })).KeyMetadata;
        var after = await kms.EncryptAsync(key.KeyId, Secret);

        Assert.Equal(key.KeyId, response.KeyId);
        Assert.NotEqual(key.CurrentKeyMaterialId, described.CurrentKeyMaterialId);
        Assert.Matches("^[0-9a-f]{64}$", described.CurrentKeyMaterialId);
        Assert.Equal(Secret, await kms.DecryptAsync(before));
        Assert.Equal(Secret, await kms.DecryptAsync(after));
    }

    [Fact]
    public async Task ListKeyRotations_AfterTwoOnDemandRotations_ListsBothOldestFirstWithStates()
    {
        using var kms = new LocalKmsHarness();
        var key = await kms.CreateKeyAsync();
        await RotateAsync(kms, key.KeyId);
        kms.Time.Advance(TimeSpan.FromHours(1));
        await RotateAsync(kms, key.KeyId);

        var rotations = await RotationsAsync(kms, key.KeyId);

        Assert.Equal(2, rotations.Count);
        Assert.All(rotations, r => Assert.Equal(key.KeyId, r.KeyId));
        Assert.All(rotations, r => Assert.Equal(RotationType.ON_DEMAND, r.RotationType));
        Assert.Equal(KeyMaterialState.NON_CURRENT, rotations[0].KeyMaterialState);
        Assert.Equal(KeyMaterialState.CURRENT, rotations[1].KeyMaterialState);
        Assert.True(rotations[0].RotationDate < rotations[1].RotationDate);
        Assert.Null(rotations[0].ImportState);
    }

    [Fact]
    public async Task ListKeyRotations_AllKeyMaterial_IncludesInitialMaterialWithoutRotationDate()
    {
        using var kms = new LocalKmsHarness();
        var key = await kms.CreateKeyAsync();
        await RotateAsync(kms, key.KeyId);

        var all = await RotationsAsync(kms, key.KeyId, IncludeKeyMaterial.ALL_KEY_MATERIAL);

        Assert.Equal(2, all.Count);
        Assert.Equal(key.CurrentKeyMaterialId, all[0].KeyMaterialId);
        Assert.Null(all[0].RotationDate);
        Assert.Null(all[0].RotationType);
        Assert.Equal(KeyMaterialState.NON_CURRENT, all[0].KeyMaterialState);
    }

    [Fact]
    public async Task ListKeyRotations_LimitOne_PagesWithMarker()
    {
        using var kms = new LocalKmsHarness();
        var key = await kms.CreateKeyAsync();
        await RotateAsync(kms, key.KeyId);
        await RotateAsync(kms, key.KeyId);

        var first = await kms.Client.ListKeyRotationsAsync(new ListKeyRotationsRequest { KeyId = key.KeyId, Limit = 1 });
        var second = await kms.Client.ListKeyRotationsAsync(new ListKeyRotationsRequest { KeyId = key.KeyId, Limit = 1, Marker = first.NextMarker });

        Assert.True(first.Truncated);
        Assert.False(second.Truncated);
        Assert.Null(second.NextMarker);
        Assert.NotEqual(first.Rotations[0].KeyMaterialId, second.Rotations[0].KeyMaterialId);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1001)]
    public async Task ListKeyRotations_LimitOutOfRange_ThrowsValidation(int limit)
    {
        using var kms = new LocalKmsHarness();
        var key = await kms.CreateKeyAsync();

        var ex = await Assert.ThrowsAsync<AmazonKeyManagementServiceException>(() => kms.Client.ListKeyRotationsAsync(new ListKeyRotationsRequest { KeyId = key.KeyId, Limit = limit }));

        Assert.Equal("ValidationException", ex.ErrorCode);
    }

    [Fact]
    public async Task ListKeyRotations_BadMarker_ThrowsInvalidMarker()
    {
        using var kms = new LocalKmsHarness();
        var key = await kms.CreateKeyAsync();

        await Assert.ThrowsAsync<InvalidMarkerException>(() => kms.Client.ListKeyRotationsAsync(new ListKeyRotationsRequest { KeyId = key.KeyId, Marker = "bogus" }));
    }

    [Fact]
    public async Task RotateKeyOnDemand_25Done_ThrowsLimitExceededAndMaterialUnchanged()
    {
        using var kms = new LocalKmsHarness();
        var key = await kms.CreateKeyAsync();
        for (var i = 0; i < 25; i++)
        {
            await RotateAsync(kms, key.KeyId);
        }

        var current = (await kms.Client.DescribeKeyAsync(new DescribeKeyRequest { KeyId = key.KeyId })).KeyMetadata.CurrentKeyMaterialId;

        await Assert.ThrowsAsync<LimitExceededException>(() => RotateAsync(kms, key.KeyId));
        Assert.Equal(current, (await kms.Client.DescribeKeyAsync(new DescribeKeyRequest { KeyId = key.KeyId })).KeyMetadata.CurrentKeyMaterialId);
    }

    [Theory]
    [InlineData("RSA_2048", "ENCRYPT_DECRYPT")]
    [InlineData("ECC_NIST_P256", "SIGN_VERIFY")]
    [InlineData("HMAC_256", "GENERATE_VERIFY_MAC")]
    public async Task RotateKeyOnDemand_AsymmetricOrHmac_ThrowsUnsupportedOperation(string spec, string usage)
    {
        using var kms = new LocalKmsHarness();
        var key = await kms.CreateKeyAsync(new CreateKeyRequest { KeySpec = spec, KeyUsage = usage });

        await Assert.ThrowsAsync<UnsupportedOperationException>(() => RotateAsync(kms, key.KeyId));
    }

    [Fact]
    public async Task RotateKeyOnDemand_AwsManagedKey_ThrowsUnsupportedOperation()
    {
        using var kms = new LocalKmsHarness();
        var keyId = kms.Service.CreateAwsManagedKey("s3");

        await Assert.ThrowsAsync<UnsupportedOperationException>(() => RotateAsync(kms, keyId));
    }

    [Theory]
    [InlineData("Disabled", typeof(DisabledException))]
    [InlineData("PendingDeletion", typeof(KMSInvalidStateException))]
    public async Task RotateKeyOnDemand_KeyNotEnabled_ThrowsPerKeyStateTable(string state, Type expected)
    {
        using var kms = new LocalKmsHarness();
        var key = await kms.CreateKeyAsync();
        kms.Service.SetKeyState(key.KeyId, state);

        var ex = await Assert.ThrowsAnyAsync<AmazonKeyManagementServiceException>(() => RotateAsync(kms, key.KeyId));

        Assert.IsType(expected, ex);
    }

    [Fact]
    public async Task RotateKeyOnDemand_HeldRotationInProgress_StatusShowsStartAndSecondCallConflicts()
    {
        using var kms = new LocalKmsHarness();
        var key = await kms.CreateKeyAsync();
        kms.Service.HoldOnDemandRotations = true;

        await RotateAsync(kms, key.KeyId);
        var status = await kms.Client.GetKeyRotationStatusAsync(new GetKeyRotationStatusRequest { KeyId = key.KeyId });
        var conflict = await Assert.ThrowsAsync<ConflictException>(() => RotateAsync(kms, key.KeyId));
        var listedWhileHeld = await RotationsAsync(kms, key.KeyId);
        var completed = kms.Service.CompleteOnDemandRotations();

        Assert.Equal(kms.Time.GetUtcNow().UtcDateTime, status.OnDemandRotationStartDate);
        Assert.NotNull(conflict);
        Assert.Empty(listedWhileHeld);
        Assert.Equal(1, completed);
        Assert.Single(await RotationsAsync(kms, key.KeyId));
        Assert.Null((await kms.Client.GetKeyRotationStatusAsync(new GetKeyRotationStatusRequest { KeyId = key.KeyId })).OnDemandRotationStartDate);
    }

    [Fact]
    public async Task RotateKeyOnDemand_AutomaticRotationWithin20Minutes_ThrowsConflict()
    {
        using var kms = new LocalKmsHarness();
        var key = await kms.CreateKeyAsync();
        await kms.Client.EnableKeyRotationAsync(new EnableKeyRotationRequest { KeyId = key.KeyId, RotationPeriodInDays = 90 });
        kms.Time.Advance(TimeSpan.FromDays(90) - TimeSpan.FromMinutes(10));

        await Assert.ThrowsAsync<ConflictException>(() => RotateAsync(kms, key.KeyId));
    }

    [Fact]
    public async Task ListKeyRotations_HmacKey_ThrowsUnsupportedOperation()
    {
        using var kms = new LocalKmsHarness();
        var key = await kms.CreateKeyAsync(new CreateKeyRequest { KeySpec = KeySpec.HMAC_256, KeyUsage = KeyUsageType.GENERATE_VERIFY_MAC });

        await Assert.ThrowsAsync<UnsupportedOperationException>(() => RotationsAsync(kms, key.KeyId));
    }

    [Fact]
    public async Task GenerateDataKey_AfterRotation_UsesCurrentMaterialAndDecrypts()
    {
        using var kms = new LocalKmsHarness();
        var key = await kms.CreateKeyAsync();
        await RotateAsync(kms, key.KeyId);

        var dataKey = await kms.Client.GenerateDataKeyAsync(new GenerateDataKeyRequest { KeyId = key.KeyId, KeySpec = DataKeySpec.AES_256 });

        var current = (await kms.Client.DescribeKeyAsync(new DescribeKeyRequest { KeyId = key.KeyId })).KeyMetadata.CurrentKeyMaterialId;
        Assert.Equal(current, MaterialIdOf(dataKey.CiphertextBlob.ToArray()));
        Assert.Equal(dataKey.Plaintext.ToArray(), await kms.DecryptAsync(dataKey.CiphertextBlob.ToArray()));
    }

    /// <summary>The key material id a LocalKms ciphertext names: [version][id length][key id][material id]...</summary>
    private static string MaterialIdOf(byte[] blob) => Convert.ToHexStringLower(blob, 2 + blob[1], 32);
}
