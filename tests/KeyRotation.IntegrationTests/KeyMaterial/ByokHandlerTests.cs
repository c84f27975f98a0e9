using System.Text;
using System.Text.Json;
using Amazon.KeyManagementService.Model;
using KeyRotation.Core.Configuration;
using KeyRotation.Core.KeyMaterial;
using KeyRotation.Function;
using KeyRotation.LocalKms;
using Microsoft.Extensions.Time.Testing;

namespace KeyRotation.IntegrationTests.KeyMaterial;

/// <summary>BYOK through the real Lambda handler's composition (importer and S3 wired from the environment).</summary>
public sealed class ByokHandlerTests : IDisposable
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 3, 0, 0, TimeSpan.Zero));
    private readonly LocalKmsService _service;
    private readonly Amazon.KeyManagementService.AmazonKeyManagementServiceClient _kms;
    private readonly InMemoryS3 _s3 = new(ByokHarness.Bucket);
    private readonly CollectingNotifier _notifier = new();

    public ByokHandlerTests()
    {
        _service = new LocalKmsService(new LocalKmsOptions(), _time);
        _kms = _service.CreateClient(c => c.MaxErrorRetry = 0);
    }

    private static Dictionary<string, string> Environment(string publicKey) => new(StringComparer.Ordinal)
    {
        [SettingNames.RotationAliases] = ByokHarness.Alias,
        [SettingNames.NotificationTopicArn] = "arn:aws:sns:us-east-1:111122223333:key-rotation",
        [SettingNames.KeyMaterialOrigin] = "EXTERNAL",
        [SettingNames.EscrowBucket] = ByokHarness.Bucket,
        [SettingNames.EscrowPrefix] = ByokHarness.Prefix,
        [SettingNames.EscrowPublicKey] = publicKey,
    };

    private Handler Handler(string publicKey) => new(Environment(publicKey), _kms, _notifier, _time, TextWriter.Null, importer: null, s3: _s3.Object);

    [Fact]
    public async Task HandleAsync_ExternalOriginWithEscrow_RotatesImportingRsa4096WrappedMaterialAndEscrowsIt()
    {
        var oldKey = (await _kms.CreateKeyAsync(new CreateKeyRequest())).KeyMetadata;
        await _kms.CreateAliasAsync(new CreateAliasRequest { AliasName = ByokHarness.Alias, TargetKeyId = oldKey.KeyId });

        using var response = JsonDocument.Parse(await Handler(EscrowKeys.EscrowPublicBase64Der).HandleAsync(new MemoryStream("""{"force":true,"changeOrigin":true}"""u8.ToArray())));

        var result = Assert.Single(response.RootElement.GetProperty("results").EnumerateArray());
        Assert.Equal("Rotated", result.GetProperty("outcome").GetString());
        var newKeyId = result.GetProperty("newKeyId").GetString()!;
        Assert.Equal(("Enabled", "EXTERNAL"), (_service.GetKeySnapshot(ByokHarness.Alias)!.KeyState, _service.GetKeySnapshot(newKeyId)!.Origin));
        Assert.Contains("\"WrappingKeySpec\":\"RSA_4096\"", Assert.Single(_service.RecordedRequests, r => r.Operation == "GetParametersForImport").Body, StringComparison.Ordinal);
        var record = EscrowRecord.Parse(_s3.Body(ByokHarness.Bucket, $"{ByokHarness.Prefix}orders/{newKeyId}.json"));
        Assert.Equal(newKeyId, record.KeyId);
        Assert.Contains($"s3://{ByokHarness.Bucket}/{ByokHarness.Prefix}orders/{newKeyId}.json", Assert.Single(_notifier.Notices).Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HandleAsync_EscrowKeyOf2048Bits_FailsNamingTheSettingBeforeAnyAwsCall()
    {
        var handler = Handler(EscrowKeys.Rsa2048.ExportSubjectPublicKeyInfoPem());

        var error = await Assert.ThrowsAsync<ConfigurationException>(() => handler.HandleAsync(new MemoryStream("{}"u8.ToArray())));

        Assert.Contains("ESCROW_PUBLIC_KEY: the escrow public key is a 2048-bit RSA key", error.Message, StringComparison.Ordinal);
        Assert.Empty(_service.RecordedRequests);
        Assert.Empty(_s3.Calls);
    }

    [Fact]
    public async Task HandleAsync_PrivateKeyConfiguredAsEscrowKey_FailsWithoutEchoingIt()
    {
        var pem = EscrowKeys.Escrow.ExportPkcs8PrivateKeyPem();
        var handler = Handler(pem);

        var error = await Assert.ThrowsAsync<ConfigurationException>(() => handler.HandleAsync(new MemoryStream("{}"u8.ToArray())));

        Assert.Contains("ESCROW_PUBLIC_KEY: the escrow public key is a private key", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(pem.Split('\n')[1], error.Message, StringComparison.Ordinal);
        Assert.Empty(_service.RecordedRequests);
    }

    [Fact]
    public async Task HandleAsync_PemGarbageAsEscrowKey_FailsNamingTheSetting()
    {
        var handler = Handler("-----BEGIN PUBLIC KEY-----\n" + Convert.ToBase64String(Encoding.UTF8.GetBytes("definitely not DER")) + "\n-----END PUBLIC KEY-----");

        var error = await Assert.ThrowsAsync<ConfigurationException>(() => handler.HandleAsync(new MemoryStream("{}"u8.ToArray())));

        Assert.Contains("ESCROW_PUBLIC_KEY: the escrow public key is not an RSA public key", error.Message, StringComparison.Ordinal);
        Assert.Empty(_service.RecordedRequests);
    }

    public void Dispose() => _kms.Dispose();
}
