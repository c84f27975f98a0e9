using System.Text;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using Amazon.Runtime;

namespace KeyRotation.LocalKms.Tests;

/// <summary>
/// ReEncrypt's key states (both keys checked), DryRun, the kms:ReEncryptFrom / kms:ReEncryptTo permissions while
/// authorization propagates, and the last use it records on both keys for GetKeyLastUsage.
/// </summary>
public sealed class ReEncryptStateAndUsageTests : IDisposable
{
    private static readonly byte[] Secret = Encoding.UTF8.GetBytes("invoice 2207");

    private readonly LocalKmsHarness _kms = new();

    public ReEncryptStateAndUsageTests() => _kms.Service.TrackingStartDate = _kms.Time.GetUtcNow().AddDays(-1);

    public void Dispose() => _kms.Dispose();

    private Task<ReEncryptResponse> ReEncryptAsync(byte[] ciphertext, string destinationKeyId, Action<ReEncryptRequest>? change = null, AmazonKeyManagementServiceClient? client = null)
    {
        var request = new ReEncryptRequest { CiphertextBlob = new MemoryStream(ciphertext), DestinationKeyId = destinationKeyId };
        change?.Invoke(request);
        return (client ?? _kms.Client).ReEncryptAsync(request);
    }

    private async Task<(string Source, string Destination, byte[] Ciphertext)> TwoKeysAndCiphertextAsync(CreateKeyRequest? destination = null)
    {
        var source = await _kms.CreateKeyAsync();
        var target = await _kms.CreateKeyAsync(destination);
        return (source.KeyId, target.KeyId, await _kms.EncryptAsync(source.KeyId, Secret));
    }

    [Theory]
    [InlineData("Disabled", typeof(DisabledException))]
    [InlineData("PendingDeletion", typeof(KMSInvalidStateException))]
    public async Task ReEncrypt_SourceKeyNotEnabled_ThrowsItsStateError(string keyState, Type error)
    {
        var (source, destination, ciphertext) = await TwoKeysAndCiphertextAsync();
        _kms.Service.SetKeyState(source, keyState);

        var thrown = await Assert.ThrowsAnyAsync<AmazonKeyManagementServiceException>(() => ReEncryptAsync(ciphertext, destination));

        Assert.IsType(error, thrown);
    }

    [Theory]
    [InlineData("Disabled", typeof(DisabledException))]
    [InlineData("PendingDeletion", typeof(KMSInvalidStateException))]
    [InlineData("PendingImport", typeof(KMSInvalidStateException))]
    public async Task ReEncrypt_DestinationKeyNotEnabled_ThrowsItsStateError(string keyState, Type error)
    {
        var (_, destination, ciphertext) = await TwoKeysAndCiphertextAsync(
            keyState == "PendingImport" ? new CreateKeyRequest { Origin = OriginType.EXTERNAL } : null);
        if (keyState != "PendingImport")
        {
            _kms.Service.SetKeyState(destination, keyState);
        }

        var thrown = await Assert.ThrowsAnyAsync<AmazonKeyManagementServiceException>(() => ReEncryptAsync(ciphertext, destination));

        Assert.IsType(error, thrown);
    }

    [Fact]
    public async Task ReEncrypt_Succeeds_RecordsReEncryptOnBothKeysWithOneRequestAndEventId()
    {
        var (source, destination, ciphertext) = await TwoKeysAndCiphertextAsync();
        _kms.Time.Advance(TimeSpan.FromHours(2));

        var response = await ReEncryptAsync(ciphertext, destination);

        var ofSource = _kms.Service.GetKeyLastUsageSnapshot(source)!;
        var ofDestination = _kms.Service.GetKeyLastUsageSnapshot(destination)!;
        Assert.Equal(new LocalKmsKeyUsage("ReEncrypt", _kms.Time.GetUtcNow(), ofSource.CloudTrailEventId, response.ResponseMetadata.RequestId), ofSource);
        Assert.Equal(ofSource, ofDestination);
        var wire = await _kms.Client.GetKeyLastUsageAsync(new GetKeyLastUsageRequest { KeyId = destination });
        Assert.Equal(("ReEncrypt", response.ResponseMetadata.RequestId), (wire.KeyLastUsage.Operation.Value, wire.KeyLastUsage.KmsRequestId));
    }

    [Fact]
    public async Task ReEncrypt_Fails_RecordsNothingOnEitherKey()
    {
        var (source, destination, ciphertext) = await TwoKeysAndCiphertextAsync();
        var afterEncrypt = _kms.Service.GetKeyLastUsageSnapshot(source);
        _kms.Service.SetKeyState(destination, "Disabled");

        await Assert.ThrowsAsync<DisabledException>(() => ReEncryptAsync(ciphertext, destination));
        await Assert.ThrowsAsync<InvalidCiphertextException>(() => ReEncryptAsync(ciphertext, source, r => r.SourceEncryptionContext = new() { ["a"] = "b" }));

        Assert.Equal(afterEncrypt, _kms.Service.GetKeyLastUsageSnapshot(source));
        Assert.Null(_kms.Service.GetKeyLastUsageSnapshot(destination));
    }

    [Fact]
    public async Task ReEncrypt_DryRun_ThrowsDryRunOperationAndChangesNothing()
    {
        var (source, destination, ciphertext) = await TwoKeysAndCiphertextAsync();
        var afterEncrypt = _kms.Service.GetKeyLastUsageSnapshot(source);

        var error = await Assert.ThrowsAsync<DryRunOperationException>(() => ReEncryptAsync(ciphertext, destination, r => r.DryRun = true));

        Assert.Equal(412, (int)error.StatusCode);
        Assert.Equal(afterEncrypt, _kms.Service.GetKeyLastUsageSnapshot(source));
        Assert.Null(_kms.Service.GetKeyLastUsageSnapshot(destination));
    }

    [Fact]
    public async Task ReEncrypt_DryRunWithWrongContext_ThrowsInvalidCiphertext()
    {
        var (_, destination, ciphertext) = await TwoKeysAndCiphertextAsync();

        await Assert.ThrowsAsync<InvalidCiphertextException>(() => ReEncryptAsync(ciphertext, destination, r =>
        {
            r.DryRun = true;
            r.SourceEncryptionContext = new() { ["a"] = "b" };
        }));
    }

    [Fact]
    public async Task ReEncrypt_DryRunIgnoringCiphertext_ChecksKeysFromSourceKeyId()
    {
        var (source, destination, _) = await TwoKeysAndCiphertextAsync();
        var request = new ReEncryptRequest { DestinationKeyId = destination, DryRun = true, DryRunModifiers = ["IGNORE_CIPHERTEXT"] };
        var withoutSource = await Assert.ThrowsAnyAsync<AmazonKeyManagementServiceException>(() => _kms.Client.ReEncryptAsync(request));
        request.SourceKeyId = source;

        await Assert.ThrowsAsync<DryRunOperationException>(() => _kms.Client.ReEncryptAsync(request));
        _kms.Service.SetKeyState(source, "Disabled");
        await Assert.ThrowsAsync<DisabledException>(() => _kms.Client.ReEncryptAsync(request));
        Assert.Equal("ValidationException", withoutSource.ErrorCode);
    }

    [Theory]
    [InlineData(true, "kms:ReEncryptFrom")]
    [InlineData(false, "kms:ReEncryptTo")]
    public async Task ReEncrypt_KeyWhoseTagsJustChanged_DeniesItsReEncryptPermission(bool tagSource, string action)
    {
        var (source, destination, ciphertext) = await TwoKeysAndCiphertextAsync();
        _kms.Service.AuthorizationDelay = TimeSpan.FromMinutes(5);
        _kms.Time.Advance(TimeSpan.FromMinutes(5)); // both keys' creation has propagated
        await _kms.Client.TagResourceAsync(new TagResourceRequest { KeyId = tagSource ? source : destination, Tags = [new Tag { TagKey = "k", TagValue = "v" }] });
        using var role = new AmazonKeyManagementServiceClient(new BasicAWSCredentials("AKIAAPPROLE", "secret"), _kms.Service.CreateClientConfig());

        var denied = await Assert.ThrowsAnyAsync<AmazonKeyManagementServiceException>(() => ReEncryptAsync(ciphertext, destination, client: role));
        _kms.Time.Advance(TimeSpan.FromMinutes(5));
        var later = await ReEncryptAsync(ciphertext, destination, client: role);

        Assert.Equal("AccessDeniedException", denied.ErrorCode);
        Assert.Contains(action + " on resource: arn:aws:kms:us-east-1:111122223333:key/" + (tagSource ? source : destination), denied.Message, StringComparison.Ordinal);
        Assert.Equal(destination, later.KeyId.Split('/')[^1]);
    }
}
