using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;

namespace KeyRotation.LocalKms.Tests;

public sealed class KeyTests
{
    [Theory]
    [InlineData("id")]
    [InlineData("arn")]
    [InlineData("alias")]
    [InlineData("aliasArn")]
    public async Task DescribeKey_AnyIdentifierForm_ReturnsTheKey(string form)
    {
        using var kms = new LocalKmsHarness();
        var key = await kms.CreateKeyWithAliasAsync("alias/app");
        var identifier = form switch
        {
            "id" => key.KeyId,
            "arn" => key.Arn,
            "alias" => "alias/app",
            _ => "arn:aws:kms:us-east-1:111122223333:alias/app",
        };

        var described = (await kms.Client.DescribeKeyAsync(new DescribeKeyRequest { KeyId = identifier })).KeyMetadata;

        Assert.Equal(key.KeyId, described.KeyId);
    }

    [Fact]
    public async Task CreateKey_Defaults_DescribeShowsSymmetricCustomerKeyWithArnAndClockTime()
    {
        using var kms = new LocalKmsHarness();

        var key = await kms.CreateKeyAsync(new CreateKeyRequest { Description = "orders" });

        Assert.Equal($"arn:aws:kms:us-east-1:111122223333:key/{key.KeyId}", key.Arn);
        Assert.Equal("111122223333", key.AWSAccountId);
        Assert.Equal(KeyState.Enabled, key.KeyState);
        Assert.Equal(KeySpec.SYMMETRIC_DEFAULT, key.KeySpec);
        Assert.Equal(KeyUsageType.ENCRYPT_DECRYPT, key.KeyUsage);
        Assert.Equal(KeyManagerType.CUSTOMER, key.KeyManager);
        Assert.Equal(OriginType.AWS_KMS, key.Origin);
        Assert.Equal("orders", key.Description);
        Assert.Equal(["SYMMETRIC_DEFAULT"], key.EncryptionAlgorithms);
        Assert.Equal(kms.Time.GetUtcNow().UtcDateTime, key.CreationDate);
    }

    [Fact]
    public async Task DescribeKey_UnknownKey_ThrowsNotFound()
    {
        using var kms = new LocalKmsHarness();

        await Assert.ThrowsAsync<NotFoundException>(() => kms.Client.DescribeKeyAsync(new DescribeKeyRequest { KeyId = Guid.NewGuid().ToString() }));
    }

    [Fact]
    public async Task DescribeKey_UnknownAlias_ThrowsNotFound()
    {
        using var kms = new LocalKmsHarness();

        await Assert.ThrowsAsync<NotFoundException>(() => kms.Client.DescribeKeyAsync(new DescribeKeyRequest { KeyId = "alias/missing" }));
    }

    [Fact]
    public async Task CreateKey_DescriptionOver8192Chars_ThrowsValidation()
    {
        using var kms = new LocalKmsHarness();

        var ex = await Assert.ThrowsAsync<AmazonKeyManagementServiceException>(() => kms.CreateKeyAsync(new CreateKeyRequest { Description = new string('d', 8193) }));

        Assert.Equal("ValidationException", ex.ErrorCode);
    }

    [Theory]
    [InlineData("HMAC_256", "ENCRYPT_DECRYPT")]
    [InlineData("SYMMETRIC_DEFAULT", "SIGN_VERIFY")]
    [InlineData("ECC_NIST_P256", "ENCRYPT_DECRYPT")]
    [InlineData("ECC_SECG_P256K1", "KEY_AGREEMENT")]
    public async Task CreateKey_UsageNotAllowedForSpec_ThrowsValidation(string spec, string usage)
    {
        using var kms = new LocalKmsHarness();

        var ex = await Assert.ThrowsAsync<AmazonKeyManagementServiceException>(() => kms.CreateKeyAsync(new CreateKeyRequest { KeySpec = spec, KeyUsage = usage }));

        Assert.Equal("ValidationException", ex.ErrorCode);
        Assert.Empty(kms.Service.ListKeySnapshots());
    }

    [Theory]
    [InlineData("RSA_2048", "SIGN_VERIFY", "RSASSA_PSS_SHA_256")]
    [InlineData("ECC_NIST_P384", "SIGN_VERIFY", "ECDSA_SHA_384")]
    public async Task CreateKey_AsymmetricSigningKey_DescribesSigningAlgorithms(string spec, string usage, string algorithm)
    {
        using var kms = new LocalKmsHarness();

        var key = await kms.CreateKeyAsync(new CreateKeyRequest { KeySpec = spec, KeyUsage = usage });

        Assert.Contains(algorithm, key.SigningAlgorithms);
        Assert.Equal(KeyState.Enabled, key.KeyState);
    }

    [Fact]
    public async Task CreateKey_HmacKey_DescribesMacAlgorithm()
    {
        using var kms = new LocalKmsHarness();

        var key = await kms.CreateKeyAsync(new CreateKeyRequest { KeySpec = KeySpec.HMAC_384, KeyUsage = KeyUsageType.GENERATE_VERIFY_MAC });

        Assert.Equal(["HMAC_SHA_384"], key.MacAlgorithms);
    }

    [Fact]
    public async Task CreateKey_PolicyNotJson_ThrowsMalformedPolicyDocument()
    {
        using var kms = new LocalKmsHarness();

        await Assert.ThrowsAsync<MalformedPolicyDocumentException>(() => kms.CreateKeyAsync(new CreateKeyRequest { Policy = "{not json" }));
    }

    [Fact]
    public async Task CreateKey_PolicyWithoutStatement_ThrowsMalformedPolicyDocument()
    {
        using var kms = new LocalKmsHarness();

        await Assert.ThrowsAsync<MalformedPolicyDocumentException>(() => kms.CreateKeyAsync(new CreateKeyRequest { Policy = """{"Version":"2012-10-17"}""" }));
    }

    private const string DecryptOnlyPolicy = """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":["kms:Decrypt"],"Resource":"*"}]}""";

    [Fact]
    public async Task CreateKey_PolicyLocksOutPutKeyPolicy_ThrowsMalformedPolicyDocument()
    {
        using var kms = new LocalKmsHarness();

        await Assert.ThrowsAsync<MalformedPolicyDocumentException>(() => kms.CreateKeyAsync(new CreateKeyRequest { Policy = DecryptOnlyPolicy }));
    }

    [Fact]
    public async Task CreateKey_PolicyLocksOutWithBypass_StoresPolicy()
    {
        using var kms = new LocalKmsHarness();

        var key = await kms.CreateKeyAsync(new CreateKeyRequest { Policy = DecryptOnlyPolicy, BypassPolicyLockoutSafetyCheck = true });

        var policy = await kms.Client.GetKeyPolicyAsync(new GetKeyPolicyRequest { KeyId = key.KeyId });
        Assert.Equal(DecryptOnlyPolicy, policy.Policy);
    }

    [Fact]
    public async Task GetKeyPolicy_NoPolicyGiven_ReturnsDefaultPolicyForAccountRoot()
    {
        using var kms = new LocalKmsHarness();
        var key = await kms.CreateKeyAsync();

        var policy = await kms.Client.GetKeyPolicyAsync(new GetKeyPolicyRequest { KeyId = key.Arn });

        Assert.Equal("default", policy.PolicyName);
        Assert.Contains("arn:aws:iam::111122223333:root", policy.Policy, StringComparison.Ordinal);
        Assert.Contains("\"kms:*\"", policy.Policy, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetKeyPolicy_Alias_ThrowsNotFound()
    {
        using var kms = new LocalKmsHarness();
        await kms.CreateKeyWithAliasAsync("alias/app");

        await Assert.ThrowsAsync<NotFoundException>(() => kms.Client.GetKeyPolicyAsync(new GetKeyPolicyRequest { KeyId = "alias/app" }));
    }

    [Fact]
    public async Task CreateKey_CloudHsmOriginWithoutStore_ThrowsValidation()
    {
        using var kms = new LocalKmsHarness();

        var ex = await Assert.ThrowsAsync<AmazonKeyManagementServiceException>(() => kms.CreateKeyAsync(new CreateKeyRequest { Origin = OriginType.AWS_CLOUDHSM }));

        Assert.Equal("ValidationException", ex.ErrorCode);
    }

    [Fact]
    public async Task CreateKey_CustomKeyStoreId_ThrowsCustomKeyStoreNotFound()
    {
        using var kms = new LocalKmsHarness();

        await Assert.ThrowsAsync<CustomKeyStoreNotFoundException>(() => kms.CreateKeyAsync(new CreateKeyRequest { Origin = OriginType.AWS_CLOUDHSM, CustomKeyStoreId = "cks-1234567890abcdef0" }));
    }

    [Fact]
    public async Task CreateKey_ExternalOrigin_IsPendingImportWithoutExpirationModel()
    {
        using var kms = new LocalKmsHarness();

        var key = await kms.CreateKeyAsync(new CreateKeyRequest { Origin = OriginType.EXTERNAL });

        Assert.Equal(KeyState.PendingImport, key.KeyState);
        Assert.False(key.Enabled);
        Assert.Null(key.ExpirationModel);
    }

    [Fact]
    public async Task CreateKey_MultiRegion_HasMrkIdAndPrimaryConfiguration()
    {
        using var kms = new LocalKmsHarness();

        var key = await kms.CreateKeyAsync(new CreateKeyRequest { MultiRegion = true });

        Assert.StartsWith("mrk-", key.KeyId, StringComparison.Ordinal);
        Assert.Equal(MultiRegionKeyType.PRIMARY, key.MultiRegionConfiguration.MultiRegionKeyType);
        Assert.Equal(key.Arn, key.MultiRegionConfiguration.PrimaryKey.Arn);
    }

    [Fact]
    public async Task DisableKey_ThenEnableKey_StateFollows()
    {
        using var kms = new LocalKmsHarness();
        var key = await kms.CreateKeyAsync();

        await kms.Client.DisableKeyAsync(new DisableKeyRequest { KeyId = key.KeyId });
        var disabled = kms.Service.GetKeySnapshot(key.KeyId)!.KeyState;
        await kms.Client.EnableKeyAsync(new EnableKeyRequest { KeyId = key.KeyId });

        Assert.Equal("Disabled", disabled);
        Assert.Equal("Enabled", kms.Service.GetKeySnapshot(key.KeyId)!.KeyState);
    }

    [Fact]
    public async Task ScheduleKeyDeletion_DefaultWindow_PendingDeletionWithDeletionDate()
    {
        using var kms = new LocalKmsHarness();
        var key = await kms.CreateKeyAsync();

        var response = await kms.Client.ScheduleKeyDeletionAsync(new ScheduleKeyDeletionRequest { KeyId = key.KeyId });

        Assert.Equal(KeyState.PendingDeletion, response.KeyState);
        Assert.Equal(30, response.PendingWindowInDays);
        Assert.Equal(kms.Time.GetUtcNow().AddDays(30).UtcDateTime, response.DeletionDate);
    }

    [Theory]
    [InlineData(6)]
    [InlineData(31)]
    public async Task ScheduleKeyDeletion_WindowOutOfRange_ThrowsValidation(int days)
    {
        using var kms = new LocalKmsHarness();
        var key = await kms.CreateKeyAsync();

        var ex = await Assert.ThrowsAsync<AmazonKeyManagementServiceException>(() => kms.Client.ScheduleKeyDeletionAsync(new ScheduleKeyDeletionRequest { KeyId = key.KeyId, PendingWindowInDays = days }));

        Assert.Equal("ValidationException", ex.ErrorCode);
    }

    [Fact]
    public async Task CancelKeyDeletion_PendingDeletion_KeyIsDisabled()
    {
        using var kms = new LocalKmsHarness();
        var key = await kms.CreateKeyAsync();
        await kms.Client.ScheduleKeyDeletionAsync(new ScheduleKeyDeletionRequest { KeyId = key.KeyId, PendingWindowInDays = 7 });

        await kms.Client.CancelKeyDeletionAsync(new CancelKeyDeletionRequest { KeyId = key.KeyId });

        Assert.Equal("Disabled", kms.Service.GetKeySnapshot(key.KeyId)!.KeyState);
    }

    [Fact]
    public async Task EnableKey_PendingDeletion_ThrowsKmsInvalidState()
    {
        using var kms = new LocalKmsHarness();
        var key = await kms.CreateKeyAsync();
        kms.Service.SetKeyState(key.KeyId, "PendingDeletion");

        await Assert.ThrowsAsync<KMSInvalidStateException>(() => kms.Client.EnableKeyAsync(new EnableKeyRequest { KeyId = key.KeyId }));
    }

    [Fact]
    public async Task ListKeys_MoreKeysThanLimit_PagesWithMarker()
    {
        using var kms = new LocalKmsHarness();
        for (var i = 0; i < 3; i++)
        {
            await kms.CreateKeyAsync();
        }

        var first = await kms.Client.ListKeysAsync(new ListKeysRequest { Limit = 2 });
        var second = await kms.Client.ListKeysAsync(new ListKeysRequest { Limit = 2, Marker = first.NextMarker });

        Assert.True(first.Truncated);
        Assert.Equal(2, first.Keys.Count);
        Assert.False(second.Truncated);
        Assert.Single(second.Keys);
    }
}
