using System.Security.Cryptography;
using System.Text.Json;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;

namespace KeyRotation.LocalKms.Tests;

/// <summary>
/// ExportState then ImportState into a fresh service: two Regions, a multi-Region primary and replica, a key rotated
/// on demand twice, an imported key with NEW_KEY_MATERIAL pending, a key pending deletion and grants in both Regions
/// answer the real SDK client exactly as before.
/// </summary>
public sealed class PersistenceRoundTripTests : IDisposable
{
    private const string East = "us-east-1";
    private const string West = "eu-west-1";

    private readonly LocalKmsHarness _kms = new();
    private readonly List<(string Region, string KeyId)> _keys = [];
    private readonly Dictionary<string, (string Region, byte[] Ciphertext)> _ciphertexts = new(StringComparer.Ordinal);
    private string _multiRegion = string.Empty;
    private string _rotated = string.Empty;
    private string _imported = string.Empty;
    private string _single = string.Empty;

    public void Dispose() => _kms.Dispose();

    private LocalKmsService Restored()
    {
        var copy = new LocalKmsService(null, _kms.Time);
        copy.ImportState(_kms.Service.ExportState());
        return copy;
    }

    private static AmazonKeyManagementServiceClient Client(LocalKmsService service, string region) =>
        service.CreateClient(region, c => c.MaxErrorRetry = 0);

    /// <summary>The state the round trip must keep; every key is recorded in <see cref="_keys"/>.</summary>
    private async Task BuildStateAsync()
    {
        using var west = Client(_kms.Service, West);
        _multiRegion = (await _kms.CreateKeyWithAliasAsync("alias/mrk", new CreateKeyRequest { MultiRegion = true, Description = "shared" })).KeyId;
        await _kms.Client.EnableKeyRotationAsync(new EnableKeyRotationRequest { KeyId = _multiRegion, RotationPeriodInDays = 200 });
        await _kms.Client.ReplicateKeyAsync(new ReplicateKeyRequest { KeyId = _multiRegion, ReplicaRegion = West, Description = "replica" });
        await west.CreateAliasAsync(new CreateAliasRequest { AliasName = "alias/mrk-west", TargetKeyId = _multiRegion });
        _ciphertexts["mrk"] = (East, await _kms.EncryptAsync(_multiRegion, [1]));
        _kms.Service.AddGrant(_multiRegion, "arn:aws:iam::111122223333:role/east", ["Decrypt"], name: "east");
        _kms.Service.AddGrant(_multiRegion, "arn:aws:iam::111122223333:role/west", ["Encrypt"], encryptionContextSubset: new Dictionary<string, string> { ["app"] = "w" }, region: West);

        _rotated = (await _kms.CreateKeyAsync()).KeyId;
        await _kms.Client.EnableKeyRotationAsync(new EnableKeyRotationRequest { KeyId = _rotated, RotationPeriodInDays = 90 });
        for (var generation = 0; generation < 3; generation++)
        {
            _ciphertexts[$"rotated{generation}"] = (East, await _kms.EncryptAsync(_rotated, [(byte)(10 + generation)]));
            _kms.Time.Advance(TimeSpan.FromDays(1));
            if (generation < 2)
            {
                await _kms.Client.RotateKeyOnDemandAsync(new RotateKeyOnDemandRequest { KeyId = _rotated });
            }
        }

        _imported = (await _kms.CreateKeyAsync(new CreateKeyRequest { Origin = OriginType.EXTERNAL })).KeyId;
        await _kms.ImportAsync(_imported, RandomNumberGenerator.GetBytes(32), _kms.Time.GetUtcNow().AddDays(60));
        _ciphertexts["imported"] = (East, await _kms.EncryptAsync(_imported, [20]));
        var (token, wrapped) = await _kms.WrapForImportAsync(_imported, RandomNumberGenerator.GetBytes(32));
        await _kms.Client.ImportKeyMaterialAsync(new ImportKeyMaterialRequest
        {
            KeyId = _imported, ImportToken = token, EncryptedKeyMaterial = wrapped, ImportType = ImportType.NEW_KEY_MATERIAL,
            ExpirationModel = ExpirationModelType.KEY_MATERIAL_DOES_NOT_EXPIRE, KeyMaterialDescription = "next escrow",
        });

        var doomed = (await _kms.CreateKeyAsync(new CreateKeyRequest { Tags = [new Tag { TagKey = "team", TagValue = "ops" }] })).KeyId;
        await _kms.Client.ScheduleKeyDeletionAsync(new ScheduleKeyDeletionRequest { KeyId = doomed, PendingWindowInDays = 7 });
        _single = (await west.CreateKeyAsync(new CreateKeyRequest { KeySpec = KeySpec.ECC_NIST_P256, KeyUsage = KeyUsageType.SIGN_VERIFY })).KeyMetadata.KeyId;
        _kms.Service.AddGrant(_single, "arn:aws:iam::111122223333:role/signer", ["Sign"], region: West);
        _keys.AddRange([(East, _multiRegion), (West, _multiRegion), (East, _rotated), (East, _imported), (East, doomed), (West, _single)]);
    }

    /// <summary>What the SDK client answers about every key, alias and grant, and to ReplicateKey, in both Regions.</summary>
    private async Task<string> AnswersAsync(LocalKmsService service)
    {
        var answers = new List<string>();
        using var east = Client(service, East);
        using var west = Client(service, West);
        AmazonKeyManagementServiceClient For(string region) => region == East ? east : west;
        foreach (var (region, keyId) in _keys)
        {
            var client = For(region);
            answers.Add(await AnswerAsync(async () => (await client.DescribeKeyAsync(new DescribeKeyRequest { KeyId = keyId })).KeyMetadata));
            answers.Add(await AnswerAsync(async () => (await client.GetKeyRotationStatusAsync(new GetKeyRotationStatusRequest { KeyId = keyId })) is var s
                ? new { s.KeyRotationEnabled, s.RotationPeriodInDays, s.NextRotationDate, s.OnDemandRotationStartDate } : null));
            answers.Add(await AnswerAsync(async () => (await client.ListKeyRotationsAsync(new ListKeyRotationsRequest { KeyId = keyId, IncludeKeyMaterial = IncludeKeyMaterial.ALL_KEY_MATERIAL })).Rotations));
            answers.Add(await AnswerAsync(async () => (await client.ListGrantsAsync(new ListGrantsRequest { KeyId = keyId })).Grants));
            answers.Add(await AnswerAsync(async () => (await client.ListResourceTagsAsync(new ListResourceTagsRequest { KeyId = keyId })).Tags));
        }

        foreach (var client in new[] { east, west })
        {
            answers.Add(await AnswerAsync(async () => (await client.ListAliasesAsync(new ListAliasesRequest())).Aliases.Where(a => !a.AliasName.StartsWith("alias/aws/", StringComparison.Ordinal))));
            answers.Add(await AnswerAsync(async () => (await client.ListKeysAsync(new ListKeysRequest())).Keys));
        }

        foreach (var (client, keyId, target) in new[] { (east, _multiRegion, West), (west, _multiRegion, "ap-south-1"), (east, _rotated, West) })
        {
            answers.Add(await AnswerAsync(async () => await client.ReplicateKeyAsync(new ReplicateKeyRequest { KeyId = keyId, ReplicaRegion = target })));
        }

        foreach (var (name, (region, ciphertext)) in _ciphertexts)
        {
            answers.Add(name + ": " + await AnswerAsync(async () => (await For(region).DecryptAsync(new DecryptRequest { CiphertextBlob = new MemoryStream(ciphertext) })).Plaintext.ToArray()));
        }

        return string.Join('\n', answers);
    }

    private static async Task<string> AnswerAsync<T>(Func<Task<T>> call)
    {
        try
        {
            return JsonSerializer.Serialize(await call());
        }
        catch (AmazonKeyManagementServiceException ex)
        {
            return $"{ex.ErrorCode}: {ex.Message}";
        }
    }

    [Fact]
    public async Task ImportState_TwoRegionsWithRotatedImportedAndDoomedKeys_AnswersAsBefore()
    {
        await BuildStateAsync();
        var before = await AnswersAsync(_kms.Service);

        var after = await AnswersAsync(Restored());

        Assert.Equal(before, after);
        Assert.Contains("AlreadyExistsException", after, StringComparison.Ordinal);
        Assert.Contains("PENDING_ROTATION", after, StringComparison.Ordinal);
        Assert.Contains("PendingDeletion", after, StringComparison.Ordinal);
        Assert.Contains("role/west", after, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ImportState_RotatedKey_EveryOldCiphertextDecryptsAndRotationsListed()
    {
        await BuildStateAsync();
        using var client = Client(Restored(), East);

        var rotations = (await client.ListKeyRotationsAsync(new ListKeyRotationsRequest { KeyId = _rotated })).Rotations;
        foreach (var generation in new[] { 0, 1, 2 })
        {
            var decrypted = await client.DecryptAsync(new DecryptRequest { CiphertextBlob = new MemoryStream(_ciphertexts[$"rotated{generation}"].Ciphertext) });
            Assert.Equal([(byte)(10 + generation)], decrypted.Plaintext.ToArray());
        }

        Assert.Equal([RotationType.ON_DEMAND, RotationType.ON_DEMAND], rotations.Select(r => r.RotationType));
    }

    [Fact]
    public async Task ImportState_MultiRegionKey_ReplicaStillSharesMaterialAndRotationWithPrimary()
    {
        await BuildStateAsync();
        var copy = Restored();
        using var east = Client(copy, East);
        using var west = Client(copy, West);

        await east.RotateKeyOnDemandAsync(new RotateKeyOnDemandRequest { KeyId = _multiRegion });
        var ciphertext = (await east.EncryptAsync(new EncryptRequest { KeyId = _multiRegion, Plaintext = new MemoryStream([5]) })).CiphertextBlob;
        var decrypted = await west.DecryptAsync(new DecryptRequest { CiphertextBlob = ciphertext });
        var primary = (await east.DescribeKeyAsync(new DescribeKeyRequest { KeyId = _multiRegion })).KeyMetadata;
        var replica = (await west.DescribeKeyAsync(new DescribeKeyRequest { KeyId = _multiRegion })).KeyMetadata;

        Assert.Equal([5], decrypted.Plaintext.ToArray());
        Assert.Equal(primary.CurrentKeyMaterialId, replica.CurrentKeyMaterialId);
        Assert.Equal((MultiRegionKeyType.REPLICA, East), (replica.MultiRegionConfiguration.MultiRegionKeyType, replica.MultiRegionConfiguration.PrimaryKey.Region));
    }

    [Fact]
    public async Task ImportState_ImportedKeyWithPendingMaterial_RotatesOnDemandToIt()
    {
        await BuildStateAsync();
        var pending = (await _kms.Client.ListKeyRotationsAsync(new ListKeyRotationsRequest { KeyId = _imported, IncludeKeyMaterial = IncludeKeyMaterial.ALL_KEY_MATERIAL }))
            .Rotations.Single(r => r.KeyMaterialState == KeyMaterialState.PENDING_ROTATION).KeyMaterialId;
        using var client = Client(Restored(), East);

        await client.RotateKeyOnDemandAsync(new RotateKeyOnDemandRequest { KeyId = _imported });

        var described = (await client.DescribeKeyAsync(new DescribeKeyRequest { KeyId = _imported })).KeyMetadata;
        var old = await client.DecryptAsync(new DecryptRequest { CiphertextBlob = new MemoryStream(_ciphertexts["imported"].Ciphertext) });
        Assert.Equal(pending, described.CurrentKeyMaterialId);
        Assert.Equal([20], old.Plaintext.ToArray());
    }

    [Fact]
    public async Task ImportState_PrimaryAwaitingReplicaDeletion_DeletionProceedsAsInTheOriginal()
    {
        await BuildStateAsync();
        await _kms.Client.ScheduleKeyDeletionAsync(new ScheduleKeyDeletionRequest { KeyId = _multiRegion, PendingWindowInDays = 7 });
        using (var west = Client(_kms.Service, West))
        {
            await west.ScheduleKeyDeletionAsync(new ScheduleKeyDeletionRequest { KeyId = _multiRegion, PendingWindowInDays = 10 });
        }

        var copy = Restored();
        var waiting = await AnswersAsync(copy);
        _kms.Time.Advance(TimeSpan.FromDays(11));
        var original = await AnswersAsync(_kms.Service);
        var restored = await AnswersAsync(copy);

        Assert.Contains("PendingReplicaDeletion", waiting, StringComparison.Ordinal);
        Assert.Equal(original, restored);
        Assert.Equal(("PendingDeletion", false), (copy.GetKeySnapshot(_multiRegion)!.KeyState, copy.GetKeySnapshot(_multiRegion, West) is not null));
    }
}
