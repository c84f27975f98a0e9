using System.Text;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;

namespace KeyRotation.LocalKms.Tests;

/// <summary>
/// GetKeyLastUsage: what each successful cryptographic call records, and the reference's three cases (used, never used
/// since creation, created before the tracking start date).
/// </summary>
public sealed class KeyLastUsageTests
{
    private static readonly byte[] Secret = Encoding.UTF8.GetBytes("payroll");

    /// <summary>A LocalKms whose tracking started a day before its clock's "now".</summary>
    private static LocalKmsHarness TrackingKms()
    {
        var kms = new LocalKmsHarness();
        kms.Service.TrackingStartDate = kms.Time.GetUtcNow().AddDays(-1);
        return kms;
    }

    private static Task<GetKeyLastUsageResponse> LastUsageAsync(LocalKmsHarness kms, string keyId) =>
        kms.Client.GetKeyLastUsageAsync(new GetKeyLastUsageRequest { KeyId = keyId });

    [Fact]
    public async Task GetKeyLastUsage_AfterEncrypt_ReportsOperationTimeAndTheRequestIdOfTheCall()
    {
        using var kms = TrackingKms();
        var key = await kms.CreateKeyAsync();
        kms.Time.Advance(TimeSpan.FromHours(3));
        var encrypt = await kms.Client.EncryptAsync(new EncryptRequest { KeyId = key.KeyId, Plaintext = new MemoryStream(Secret) });

        var response = await LastUsageAsync(kms, key.Arn);

        Assert.Equal(key.KeyId, response.KeyId);
        Assert.Equal("Encrypt", response.KeyLastUsage.Operation.Value);
        Assert.Equal(kms.Time.GetUtcNow(), new DateTimeOffset(response.KeyLastUsage.Timestamp!.Value, TimeSpan.Zero));
        Assert.Equal(encrypt.ResponseMetadata.RequestId, response.KeyLastUsage.KmsRequestId);
        Assert.True(Guid.TryParse(response.KeyLastUsage.CloudTrailEventId, out _), response.KeyLastUsage.CloudTrailEventId);
        Assert.NotEqual(response.KeyLastUsage.KmsRequestId, response.KeyLastUsage.CloudTrailEventId);
        Assert.Equal(key.CreationDate, response.KeyCreationDate);
        Assert.Equal(key.CreationDate, response.TrackingStartDate);
    }

    [Theory]
    [InlineData("Decrypt")]
    [InlineData("GenerateDataKey")]
    [InlineData("GenerateDataKeyWithoutPlaintext")]
    public async Task GetKeyLastUsage_AfterSymmetricOperation_ReportsThatOperation(string operation)
    {
        using var kms = TrackingKms();
        var key = await kms.CreateKeyAsync();
        var ciphertext = await kms.EncryptAsync(key.KeyId, Secret);
        kms.Time.Advance(TimeSpan.FromMinutes(1));

        _ = operation switch
        {
            "Decrypt" => (object)await kms.Client.DecryptAsync(new DecryptRequest { CiphertextBlob = new MemoryStream(ciphertext) }),
            "GenerateDataKey" => await kms.Client.GenerateDataKeyAsync(new GenerateDataKeyRequest { KeyId = key.KeyId, KeySpec = DataKeySpec.AES_256 }),
            _ => await kms.Client.GenerateDataKeyWithoutPlaintextAsync(new GenerateDataKeyWithoutPlaintextRequest { KeyId = key.KeyId, NumberOfBytes = 32 }),
        };

        var usage = (await LastUsageAsync(kms, key.KeyId)).KeyLastUsage;
        Assert.Equal(operation, usage.Operation.Value);
        Assert.Equal(kms.Time.GetUtcNow().UtcDateTime, usage.Timestamp);
    }

    [Fact]
    public async Task GetKeyLastUsage_AfterGenerateMacThenVerifyMac_ReportsEachInTurn()
    {
        using var kms = TrackingKms();
        var key = await kms.CreateKeyAsync(new CreateKeyRequest { KeySpec = KeySpec.HMAC_256, KeyUsage = KeyUsageType.GENERATE_VERIFY_MAC });
        var mac = await kms.Client.GenerateMacAsync(new GenerateMacRequest { KeyId = key.KeyId, Message = new MemoryStream(Secret), MacAlgorithm = MacAlgorithmSpec.HMAC_SHA_256 });
        var afterGenerate = (await LastUsageAsync(kms, key.KeyId)).KeyLastUsage.Operation.Value;
        kms.Time.Advance(TimeSpan.FromMinutes(1));

        await kms.Client.VerifyMacAsync(new VerifyMacRequest { KeyId = key.KeyId, Message = new MemoryStream(Secret), MacAlgorithm = MacAlgorithmSpec.HMAC_SHA_256, Mac = mac.Mac });

        Assert.Equal("GenerateMac", afterGenerate);
        var usage = (await LastUsageAsync(kms, key.KeyId)).KeyLastUsage;
        Assert.Equal("VerifyMac", usage.Operation.Value);
        Assert.Equal(kms.Time.GetUtcNow().UtcDateTime, usage.Timestamp);
    }

    [Fact]
    public async Task GetKeyLastUsage_NeverUsed_EmptyUsageAndTrackingFromCreation()
    {
        using var kms = TrackingKms();
        var key = await kms.CreateKeyAsync();

        var response = await LastUsageAsync(kms, key.KeyId);

        Assert.Null(response.KeyLastUsage?.Operation);
        Assert.Null(response.KeyLastUsage?.Timestamp);
        Assert.Null(response.KeyLastUsage?.CloudTrailEventId);
        Assert.Null(response.KeyLastUsage?.KmsRequestId);
        Assert.Equal(key.CreationDate, response.TrackingStartDate);
        Assert.Equal(key.CreationDate, response.KeyCreationDate);
    }

    [Fact]
    public async Task GetKeyLastUsage_NeverUsed_AnswersAnEmptyKeyLastUsageObjectOnTheWire()
    {
        using var kms = TrackingKms();
        var key = await kms.CreateKeyAsync();

        var response = await kms.Service.HandleAsync("TrentService.GetKeyLastUsage", $$"""{"KeyId":"{{key.KeyId}}"}""");

        var body = System.Text.Json.Nodes.JsonNode.Parse(response.Body)!.AsObject();
        Assert.Equal(200, response.StatusCode);
        Assert.Equal(["KeyId", "KeyLastUsage", "TrackingStartDate", "KeyCreationDate"], body.Select(p => p.Key));
        Assert.Empty(body["KeyLastUsage"]!.AsObject());
    }

    [Fact]
    public async Task GetKeyLastUsage_KeyCreatedBeforeTrackingStart_AnswersTheTrackingStartDate()
    {
        using var kms = new LocalKmsHarness();
        var key = await kms.CreateKeyAsync();
        var trackingStart = kms.Time.GetUtcNow().AddDays(10);
        kms.Service.TrackingStartDate = trackingStart;

        var response = await LastUsageAsync(kms, key.KeyId);

        Assert.Null(response.KeyLastUsage?.Operation);
        Assert.Equal(trackingStart.UtcDateTime, response.TrackingStartDate);
        Assert.True(response.KeyCreationDate < response.TrackingStartDate);
    }

    [Fact]
    public async Task GetKeyLastUsage_UseBeforeTrackingStart_IsNotRecordedButALaterOneIs()
    {
        using var kms = new LocalKmsHarness(new LocalKmsOptions { TrackingStartDate = new DateTimeOffset(2025, 1, 2, 0, 0, 0, TimeSpan.Zero) });
        var key = await kms.CreateKeyAsync();
        await kms.EncryptAsync(key.KeyId, Secret);
        var before = (await LastUsageAsync(kms, key.KeyId)).KeyLastUsage?.Operation;
        kms.Time.Advance(TimeSpan.FromDays(2));

        await kms.Client.GenerateDataKeyAsync(new GenerateDataKeyRequest { KeyId = key.KeyId, KeySpec = DataKeySpec.AES_128 });

        Assert.Null(before);
        var response = await LastUsageAsync(kms, key.KeyId);
        Assert.Equal("GenerateDataKey", response.KeyLastUsage.Operation.Value);
        Assert.Equal(new DateTime(2025, 1, 2, 0, 0, 0, DateTimeKind.Utc), response.TrackingStartDate);
    }

    [Fact]
    public void DefaultTrackingStartDate_IsTheDayKmsReleasedGetKeyLastUsage()
    {
        var kms = new LocalKmsService();

        Assert.Equal(new DateTimeOffset(2026, 4, 27, 0, 0, 0, TimeSpan.Zero), kms.TrackingStartDate);
        Assert.Equal(LocalKmsService.DefaultTrackingStartDate, kms.TrackingStartDate);
    }

    [Fact]
    public async Task GetKeyLastUsage_FailedCalls_KeepTheLastSuccessfulUse()
    {
        using var kms = TrackingKms();
        var key = await kms.CreateKeyAsync();
        var ciphertext = await kms.EncryptAsync(key.KeyId, Secret, new() { ["tenant"] = "a" });
        var recorded = (await LastUsageAsync(kms, key.KeyId)).KeyLastUsage;
        kms.Time.Advance(TimeSpan.FromMinutes(5));

        await Assert.ThrowsAsync<InvalidCiphertextException>(() => kms.DecryptAsync(ciphertext, new() { ["tenant"] = "b" }));
        await Assert.ThrowsAsync<InvalidKeyUsageException>(() => kms.Client.GenerateMacAsync(new GenerateMacRequest { KeyId = key.KeyId, Message = new MemoryStream(Secret), MacAlgorithm = MacAlgorithmSpec.HMAC_SHA_256 }));
        await kms.Client.DisableKeyAsync(new DisableKeyRequest { KeyId = key.KeyId });
        await Assert.ThrowsAsync<DisabledException>(() => kms.EncryptAsync(key.KeyId, Secret));

        var usage = (await LastUsageAsync(kms, key.KeyId)).KeyLastUsage;
        Assert.Equal(("Encrypt", recorded.Timestamp, recorded.KmsRequestId, recorded.CloudTrailEventId), (usage.Operation.Value, usage.Timestamp, usage.KmsRequestId, usage.CloudTrailEventId));
    }

    [Fact]
    public async Task GetKeyLastUsage_InvalidMac_IsNotRecorded()
    {
        using var kms = TrackingKms();
        var key = await kms.CreateKeyAsync(new CreateKeyRequest { KeySpec = KeySpec.HMAC_256, KeyUsage = KeyUsageType.GENERATE_VERIFY_MAC });

        await Assert.ThrowsAsync<KMSInvalidMacException>(() => kms.Client.VerifyMacAsync(new VerifyMacRequest
        {
            KeyId = key.KeyId,
            Message = new MemoryStream(Secret),
            MacAlgorithm = MacAlgorithmSpec.HMAC_SHA_256,
            Mac = new MemoryStream(new byte[32]),
        }));

        Assert.Null((await LastUsageAsync(kms, key.KeyId)).KeyLastUsage?.Operation);
    }

    [Fact]
    public async Task GetKeyLastUsage_ThrottledCall_IsNotRecorded()
    {
        using var kms = TrackingKms();
        var key = await kms.CreateKeyAsync();
        kms.Service.SetQuota("Encrypt", 1);
        kms.Service.EnforceQuotas = true;
        await kms.EncryptAsync(key.KeyId, Secret);
        var first = kms.Service.GetKeyLastUsageSnapshot(key.KeyId);

        await Assert.ThrowsAnyAsync<AmazonKeyManagementServiceException>(() => kms.EncryptAsync(key.KeyId, Secret));

        Assert.Equal(1, kms.Service.ThrottledCount("Encrypt"));
        Assert.Equal(first, kms.Service.GetKeyLastUsageSnapshot(key.KeyId));
    }
}
