using System.Text;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;

namespace KeyRotation.LocalKms.Tests;

/// <summary>DisableKey, EnableKey, ScheduleKeyDeletion, CancelKeyDeletion and the key state table of the KMS developer guide.</summary>
public sealed class KeyStateTests
{
    private static readonly byte[] Secret = Encoding.UTF8.GetBytes("retired");

    /// <summary>Each operation against a key in one state, and the error type the key state table gives (null: it succeeds).</summary>
    public static TheoryData<string, string, string?> StateTable() => new()
    {
        { "Encrypt", "Disabled", "DisabledException" },
        { "Encrypt", "PendingDeletion", "KMSInvalidStateException" },
        { "GenerateDataKey", "Disabled", "DisabledException" },
        { "GenerateDataKey", "PendingDeletion", "KMSInvalidStateException" },
        { "Decrypt", "Disabled", "DisabledException" },
        { "Decrypt", "PendingDeletion", "KMSInvalidStateException" },
        { "EnableKey", "Disabled", null },
        { "EnableKey", "PendingDeletion", "KMSInvalidStateException" },
        { "DisableKey", "Disabled", null },
        { "DisableKey", "PendingDeletion", "KMSInvalidStateException" },
        { "ScheduleKeyDeletion", "Disabled", null },
        { "ScheduleKeyDeletion", "PendingDeletion", "KMSInvalidStateException" },
        { "CancelKeyDeletion", "Disabled", "KMSInvalidStateException" },
        { "CreateAlias", "Disabled", null },
        { "CreateAlias", "PendingDeletion", "KMSInvalidStateException" },
        { "UpdateAlias", "Disabled", null },
        { "UpdateAlias", "PendingDeletion", "KMSInvalidStateException" },
        { "DeleteAlias", "Disabled", null },
        { "DeleteAlias", "PendingDeletion", null },
        { "TagResource", "Disabled", null },
        { "TagResource", "PendingDeletion", "KMSInvalidStateException" },
        { "UntagResource", "PendingDeletion", "KMSInvalidStateException" },
        { "DescribeKey", "PendingDeletion", null },
        { "GetKeyPolicy", "PendingDeletion", null },
        { "PutKeyPolicy", "Disabled", null },
        { "PutKeyPolicy", "PendingDeletion", null },
        { "ListKeyPolicies", "Disabled", null },
        { "ListKeyPolicies", "PendingDeletion", null },
        { "ListResourceTags", "PendingDeletion", null },
        { "EnableKeyRotation", "Disabled", "DisabledException" },
        { "EnableKeyRotation", "PendingDeletion", "KMSInvalidStateException" },
        { "DisableKeyRotation", "Disabled", "DisabledException" },
        { "GetKeyRotationStatus", "Disabled", null },
        { "GetKeyRotationStatus", "PendingDeletion", null },
        { "RotateKeyOnDemand", "Disabled", "DisabledException" },
        { "ListKeyRotations", "PendingDeletion", null },
    };

    [Theory]
    [MemberData(nameof(StateTable))]
    public async Task Operation_KeyInState_AnswersAsKeyStateTable(string operation, string state, string? expectedError)
    {
        using var kms = new LocalKmsHarness();
        var key = await kms.CreateKeyWithAliasAsync("alias/old", new CreateKeyRequest { Tags = [new Tag { TagKey = "team", TagValue = "a" }] });
        await kms.CreateKeyWithAliasAsync("alias/current");
        var ciphertext = await kms.EncryptAsync(key.KeyId, Secret);
        await PutInStateAsync(kms, key.KeyId, state);

        var error = await ErrorOfAsync(() => CallAsync(kms, operation, key.KeyId, ciphertext));

        Assert.Equal(expectedError, error);
    }

    [Fact]
    public async Task ScheduleKeyDeletion_Default_ResponseAndDescribeShowDeletionDateOnly()
    {
        using var kms = new LocalKmsHarness();
        var key = await kms.CreateKeyAsync();

        var response = await kms.Client.ScheduleKeyDeletionAsync(new ScheduleKeyDeletionRequest { KeyId = key.KeyId });
        var described = (await kms.Client.DescribeKeyAsync(new DescribeKeyRequest { KeyId = key.KeyId })).KeyMetadata;

        Assert.Equal(key.Arn, response.KeyId);
        Assert.Equal(KeyState.PendingDeletion, described.KeyState);
        Assert.False(described.Enabled);
        Assert.Equal(kms.Time.GetUtcNow().AddDays(30).UtcDateTime, described.DeletionDate);
        Assert.Null(described.PendingDeletionWindowInDays);
    }

    [Fact]
    public async Task ScheduleKeyDeletion_WindowEnds_KeyAndItsAliasesAreGone()
    {
        using var kms = new LocalKmsHarness();
        var key = await kms.CreateKeyWithAliasAsync("alias/retired");
        await kms.Client.ScheduleKeyDeletionAsync(new ScheduleKeyDeletionRequest { KeyId = key.KeyId, PendingWindowInDays = 7 });

        kms.Time.Advance(TimeSpan.FromDays(7) - TimeSpan.FromSeconds(1));
        var stillThere = kms.Service.GetKeySnapshot(key.KeyId);
        kms.Time.Advance(TimeSpan.FromSeconds(1));

        Assert.NotNull(stillThere);
        await Assert.ThrowsAsync<NotFoundException>(() => kms.Client.DescribeKeyAsync(new DescribeKeyRequest { KeyId = key.KeyId }));
        Assert.Empty((await kms.Client.ListAliasesAsync(new ListAliasesRequest())).Aliases);
    }

    [Fact]
    public async Task CancelKeyDeletion_ThenEnableKey_KeyEncryptsAgain()
    {
        using var kms = new LocalKmsHarness();
        var key = await kms.CreateKeyAsync();
        await kms.Client.ScheduleKeyDeletionAsync(new ScheduleKeyDeletionRequest { KeyId = key.KeyId });

        var cancelled = await kms.Client.CancelKeyDeletionAsync(new CancelKeyDeletionRequest { KeyId = key.KeyId });
        var afterCancel = (await kms.Client.DescribeKeyAsync(new DescribeKeyRequest { KeyId = key.KeyId })).KeyMetadata;
        await kms.Client.EnableKeyAsync(new EnableKeyRequest { KeyId = key.KeyId });

        Assert.Equal(key.Arn, cancelled.KeyId);
        Assert.Equal(KeyState.Disabled, afterCancel.KeyState);
        Assert.Null(afterCancel.DeletionDate);
        Assert.Equal(Secret, await kms.DecryptAsync(await kms.EncryptAsync(key.KeyId, Secret)));
    }

    [Theory]
    [InlineData("EnableKey")]
    [InlineData("DisableKey")]
    public async Task EnableOrDisableKey_PendingImport_ThrowsKmsInvalidStateNamingPendingImport(string operation)
    {
        using var kms = new LocalKmsHarness();
        var key = await kms.CreateKeyAsync(new CreateKeyRequest { Origin = OriginType.EXTERNAL });

        var ex = await Assert.ThrowsAsync<KMSInvalidStateException>(() => CallAsync(kms, operation, key.KeyId, []));

        Assert.Equal($"{key.Arn} is pending import.", ex.Message);
    }

    [Fact]
    public async Task Encrypt_DisabledKey_MessageNamesKeyArn()
    {
        using var kms = new LocalKmsHarness();
        var key = await kms.CreateKeyAsync();
        await kms.Client.DisableKeyAsync(new DisableKeyRequest { KeyId = key.KeyId });

        var ex = await Assert.ThrowsAsync<DisabledException>(() => kms.EncryptAsync(key.KeyId, Secret));

        Assert.Equal($"{key.Arn} is disabled.", ex.Message);
    }

    [Fact]
    public async Task ScheduleKeyDeletion_Alias_ThrowsNotFoundAndKeyStaysEnabled()
    {
        using var kms = new LocalKmsHarness();
        var key = await kms.CreateKeyWithAliasAsync("alias/app");

        await Assert.ThrowsAsync<NotFoundException>(() => kms.Client.ScheduleKeyDeletionAsync(new ScheduleKeyDeletionRequest { KeyId = "alias/app" }));

        Assert.Equal("Enabled", kms.Service.GetKeySnapshot(key.KeyId)!.KeyState);
    }

    private static async Task PutInStateAsync(LocalKmsHarness kms, string keyId, string state)
    {
        if (state == "Disabled")
        {
            await kms.Client.DisableKeyAsync(new DisableKeyRequest { KeyId = keyId });
        }
        else
        {
            await kms.Client.ScheduleKeyDeletionAsync(new ScheduleKeyDeletionRequest { KeyId = keyId, PendingWindowInDays = 7 });
        }
    }

    private static async Task<string?> ErrorOfAsync(Func<Task> call)
    {
        try
        {
            await call();
            return null;
        }
        catch (AmazonKeyManagementServiceException ex)
        {
            return ex.ErrorCode;
        }
    }

    private static Task CallAsync(LocalKmsHarness kms, string operation, string keyId, byte[] ciphertext)
    {
        var c = kms.Client;
        return operation switch
        {
            "Encrypt" => kms.EncryptAsync(keyId, Secret),
            "GenerateDataKey" => c.GenerateDataKeyAsync(new GenerateDataKeyRequest { KeyId = keyId, KeySpec = DataKeySpec.AES_256 }),
            "Decrypt" => kms.DecryptAsync(ciphertext),
            "EnableKey" => c.EnableKeyAsync(new EnableKeyRequest { KeyId = keyId }),
            "DisableKey" => c.DisableKeyAsync(new DisableKeyRequest { KeyId = keyId }),
            "ScheduleKeyDeletion" => c.ScheduleKeyDeletionAsync(new ScheduleKeyDeletionRequest { KeyId = keyId }),
            "CancelKeyDeletion" => c.CancelKeyDeletionAsync(new CancelKeyDeletionRequest { KeyId = keyId }),
            "CreateAlias" => c.CreateAliasAsync(new CreateAliasRequest { AliasName = "alias/another", TargetKeyId = keyId }),
            "UpdateAlias" => c.UpdateAliasAsync(new UpdateAliasRequest { AliasName = "alias/current", TargetKeyId = keyId }),
            "DeleteAlias" => c.DeleteAliasAsync(new DeleteAliasRequest { AliasName = "alias/old" }),
            "TagResource" => c.TagResourceAsync(new TagResourceRequest { KeyId = keyId, Tags = [new Tag { TagKey = "k", TagValue = "v" }] }),
            "UntagResource" => c.UntagResourceAsync(new UntagResourceRequest { KeyId = keyId, TagKeys = ["team"] }),
            "DescribeKey" => c.DescribeKeyAsync(new DescribeKeyRequest { KeyId = keyId }),
            "GetKeyPolicy" => c.GetKeyPolicyAsync(new GetKeyPolicyRequest { KeyId = keyId }),
            "PutKeyPolicy" => c.PutKeyPolicyAsync(new PutKeyPolicyRequest { KeyId = keyId, Policy = KeyPolicyTests.AccountPolicy }),
            "ListKeyPolicies" => c.ListKeyPoliciesAsync(new ListKeyPoliciesRequest { KeyId = keyId }),
            "ListResourceTags" => c.ListResourceTagsAsync(new ListResourceTagsRequest { KeyId = keyId }),
            "EnableKeyRotation" => c.EnableKeyRotationAsync(new EnableKeyRotationRequest { KeyId = keyId }),
            "DisableKeyRotation" => c.DisableKeyRotationAsync(new DisableKeyRotationRequest { KeyId = keyId }),
            "GetKeyRotationStatus" => c.GetKeyRotationStatusAsync(new GetKeyRotationStatusRequest { KeyId = keyId }),
            "RotateKeyOnDemand" => c.RotateKeyOnDemandAsync(new RotateKeyOnDemandRequest { KeyId = keyId }),
            "ListKeyRotations" => c.ListKeyRotationsAsync(new ListKeyRotationsRequest { KeyId = keyId }),
            _ => throw new ArgumentOutOfRangeException(nameof(operation), operation, "Not in the state table test."),
        };
    }
}
