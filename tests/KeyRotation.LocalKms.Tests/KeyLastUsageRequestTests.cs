using System.Text;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;

namespace KeyRotation.LocalKms.Tests;

/// <summary>
/// GetKeyLastUsage's request and errors (key id or key ARN only, NotFoundException, InvalidArnException), its key
/// states, multi-Region keys tracking per Region, and the usage surviving a saved state.
/// </summary>
public sealed class KeyLastUsageRequestTests : TwoRegionTests
{
    private static readonly byte[] Secret = Encoding.UTF8.GetBytes("ledger");

    public KeyLastUsageRequestTests() => Kms.Service.TrackingStartDate = Kms.Time.GetUtcNow().AddDays(-1);

    private Task<GetKeyLastUsageResponse> LastUsageAsync(string keyId, AmazonKeyManagementServiceClient? client = null) =>
        (client ?? East).GetKeyLastUsageAsync(new GetKeyLastUsageRequest { KeyId = keyId });

    [Theory]
    [InlineData("alias/app")]
    [InlineData("arn:aws:kms:us-east-1:111122223333:alias/app")]
    public async Task GetKeyLastUsage_AliasOfAnExistingKey_ThrowsNotFound(string alias)
    {
        await Kms.CreateKeyWithAliasAsync("alias/app");

        await Assert.ThrowsAsync<NotFoundException>(() => LastUsageAsync(alias));
    }

    [Theory]
    [InlineData("0b7fd7f5-2a39-4a8f-9d39-0e4c5e0f0c11")]
    [InlineData("arn:aws:kms:us-east-1:111122223333:key/0b7fd7f5-2a39-4a8f-9d39-0e4c5e0f0c11")]
    public async Task GetKeyLastUsage_UnknownKey_ThrowsNotFound(string keyId)
    {
        var error = await Assert.ThrowsAsync<NotFoundException>(() => LastUsageAsync(keyId));

        Assert.Contains("0b7fd7f5-2a39-4a8f-9d39-0e4c5e0f0c11", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetKeyLastUsage_NotAKmsArn_ThrowsInvalidArn()
    {
        await Assert.ThrowsAsync<InvalidArnException>(() => LastUsageAsync("arn:aws:s3:::bucket"));
    }

    [Fact]
    public async Task GetKeyLastUsage_NoKeyId_ThrowsValidation()
    {
        var response = await Kms.Service.HandleAsync("TrentService.GetKeyLastUsage", "{}");

        Assert.Equal(400, response.StatusCode);
        Assert.Contains("ValidationException", response.Body, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Disabled")]
    [InlineData("PendingDeletion")]
    public async Task GetKeyLastUsage_KeyNotEnabled_StillAnswersTheLastUse(string keyState)
    {
        var key = await Kms.CreateKeyAsync();
        await Kms.EncryptAsync(key.KeyId, Secret);
        Kms.Service.SetKeyState(key.KeyId, keyState);

        var response = await LastUsageAsync(key.KeyId);

        Assert.Equal("Encrypt", response.KeyLastUsage.Operation.Value);
    }

    [Fact]
    public async Task GetKeyLastUsage_PendingImport_AnswersNoUse()
    {
        var key = await Kms.CreateKeyAsync(new CreateKeyRequest { Origin = OriginType.EXTERNAL });

        var response = await LastUsageAsync(key.KeyId);

        Assert.Null(response.KeyLastUsage?.Operation);
        Assert.Equal(key.CreationDate, response.TrackingStartDate);
    }

    [Fact]
    public async Task GetKeyLastUsage_ReplicaUsedPrimaryNot_EachAnswersItsOwnRegion()
    {
        var primary = await CreatePrimaryAsync();
        var replica = (await ReplicateAsync(primary.KeyId)).ReplicaKeyMetadata;
        Kms.Time.Advance(TimeSpan.FromHours(1));
        var encrypt = await West.EncryptAsync(new EncryptRequest { KeyId = replica.Arn, Plaintext = new MemoryStream(Secret) });

        var ofReplica = await LastUsageAsync(replica.Arn, West);
        var ofPrimary = await LastUsageAsync(primary.Arn);

        Assert.Equal(("Encrypt", encrypt.ResponseMetadata.RequestId), (ofReplica.KeyLastUsage.Operation.Value, ofReplica.KeyLastUsage.KmsRequestId));
        Assert.Null(ofPrimary.KeyLastUsage?.Operation);
        Assert.Equal(primary.KeyId, ofPrimary.KeyId);
    }

    [Fact]
    public async Task GetKeyLastUsage_PrimaryUsedAfterReplica_KeepsTheReplicasOwnUse()
    {
        var primary = await CreatePrimaryAsync();
        await ReplicateAsync(primary.KeyId);
        var ciphertext = await Kms.EncryptAsync(primary.KeyId, Secret);
        await West.DecryptAsync(new DecryptRequest { CiphertextBlob = new MemoryStream(ciphertext) });
        Kms.Time.Advance(TimeSpan.FromDays(1));

        await East.GenerateDataKeyAsync(new GenerateDataKeyRequest { KeyId = primary.KeyId, KeySpec = DataKeySpec.AES_256 });

        var ofReplica = (await LastUsageAsync(primary.KeyId, West)).KeyLastUsage;
        var ofPrimary = (await LastUsageAsync(primary.KeyId)).KeyLastUsage;
        Assert.Equal("Decrypt", ofReplica.Operation.Value);
        Assert.Equal("GenerateDataKey", ofPrimary.Operation.Value);
        Assert.Equal(TimeSpan.FromDays(1), ofPrimary.Timestamp - ofReplica.Timestamp);
    }

    [Fact]
    public async Task ImportState_UsedKey_KeepsItsLastUsage()
    {
        var key = await Kms.CreateKeyAsync();
        var primary = await CreatePrimaryAsync();
        await ReplicateAsync(primary.KeyId);
        await Kms.EncryptAsync(key.KeyId, Secret);
        await West.GenerateDataKeyWithoutPlaintextAsync(new GenerateDataKeyWithoutPlaintextRequest { KeyId = primary.KeyId, NumberOfBytes = 16 });
        var before = (Kms.Service.GetKeyLastUsageSnapshot(key.KeyId), await LastUsageAsync(primary.KeyId, West));
        var copy = new LocalKmsService(timeProvider: Kms.Time) { TrackingStartDate = Kms.Service.TrackingStartDate };

        copy.ImportState(Kms.Service.ExportState());

        using var copyWest = copy.CreateClient(Second);
        var replicaAfter = await copyWest.GetKeyLastUsageAsync(new GetKeyLastUsageRequest { KeyId = primary.KeyId });
        Assert.Equal(before.Item1, copy.GetKeyLastUsageSnapshot(key.KeyId));
        Assert.Equal(
            (before.Item2.KeyLastUsage.Operation.Value, before.Item2.KeyLastUsage.Timestamp, before.Item2.KeyLastUsage.KmsRequestId, before.Item2.KeyLastUsage.CloudTrailEventId),
            (replicaAfter.KeyLastUsage.Operation.Value, replicaAfter.KeyLastUsage.Timestamp, replicaAfter.KeyLastUsage.KmsRequestId, replicaAfter.KeyLastUsage.CloudTrailEventId));
        Assert.Null(copy.GetKeyLastUsageSnapshot(primary.Arn));
    }

    [Fact]
    public async Task SetKeyLastUsage_ForTestSetup_IsWhatGetKeyLastUsageAnswers()
    {
        var key = await Kms.CreateKeyAsync();
        var dayAgo = Kms.Time.GetUtcNow().AddDays(-1);

        var set = Kms.Service.SetKeyLastUsage(key.KeyId, "Decrypt", dayAgo);

        var usage = (await LastUsageAsync(key.KeyId)).KeyLastUsage;
        Assert.Equal(("Decrypt", dayAgo.UtcDateTime, set.KmsRequestId, set.CloudTrailEventId), (usage.Operation.Value, usage.Timestamp!.Value, usage.KmsRequestId, usage.CloudTrailEventId));
    }

    [Fact]
    public async Task SetKeyLastUsage_NotATrackedOperation_Throws()
    {
        var key = await Kms.CreateKeyAsync();

        var error = Assert.Throws<ArgumentException>(() => Kms.Service.SetKeyLastUsage(key.KeyId, "DescribeKey", Kms.Time.GetUtcNow()));

        Assert.Contains("'DescribeKey'", error.Message, StringComparison.Ordinal);
        Assert.Null(Kms.Service.GetKeyLastUsageSnapshot(key.KeyId));
    }
}
