using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;

namespace KeyRotation.LocalKms.Tests;

public sealed class PersistenceTests : IDisposable
{
    private readonly LocalKmsHarness _kms = new();
    private readonly string _directory = Directory.CreateTempSubdirectory("localkms-state-").FullName;

    public void Dispose()
    {
        _kms.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    private LocalKmsService Reloaded()
    {
        var copy = new LocalKmsService(null, _kms.Time);
        copy.ImportState(_kms.Service.ExportState());
        return copy;
    }

    [Fact]
    public async Task ImportState_SymmetricKey_OldCiphertextStillDecrypts()
    {
        var key = await _kms.CreateKeyWithAliasAsync("alias/app", new CreateKeyRequest { Description = "app", Tags = [new Tag { TagKey = "team", TagValue = "a" }] });
        var ciphertext = await _kms.EncryptAsync("alias/app", [7, 7, 7]);

        using var client = Reloaded().CreateClient();
        var decrypted = await client.DecryptAsync(new DecryptRequest { CiphertextBlob = new MemoryStream(ciphertext) });
        var described = await client.DescribeKeyAsync(new DescribeKeyRequest { KeyId = "alias/app" });
        var tags = await client.ListResourceTagsAsync(new ListResourceTagsRequest { KeyId = key.KeyId });

        Assert.Equal([7, 7, 7], decrypted.Plaintext.ToArray());
        Assert.Equal((key.KeyId, "app", key.CreationDate), (described.KeyMetadata.KeyId, described.KeyMetadata.Description, described.KeyMetadata.CreationDate));
        Assert.Equal(("team", "a"), (tags.Tags.Single().TagKey, tags.Tags.Single().TagValue));
    }

    [Fact]
    public async Task ImportState_HmacAndRsaKeys_KeepTheirMaterial()
    {
        var hmac = await _kms.CreateKeyAsync(new CreateKeyRequest { KeySpec = KeySpec.HMAC_256, KeyUsage = KeyUsageType.GENERATE_VERIFY_MAC });
        var rsa = await _kms.CreateKeyAsync(new CreateKeyRequest { KeySpec = KeySpec.RSA_2048, KeyUsage = KeyUsageType.ENCRYPT_DECRYPT });
        var mac = await _kms.Client.GenerateMacAsync(new GenerateMacRequest { KeyId = hmac.KeyId, MacAlgorithm = MacAlgorithmSpec.HMAC_SHA_256, Message = new MemoryStream([1]) });
        var wrapped = await _kms.Client.EncryptAsync(new EncryptRequest { KeyId = rsa.KeyId, EncryptionAlgorithm = EncryptionAlgorithmSpec.RSAES_OAEP_SHA_256, Plaintext = new MemoryStream([9]) });

        using var client = Reloaded().CreateClient();
        var verified = await client.VerifyMacAsync(new VerifyMacRequest { KeyId = hmac.KeyId, MacAlgorithm = MacAlgorithmSpec.HMAC_SHA_256, Message = new MemoryStream([1]), Mac = new MemoryStream(mac.Mac.ToArray()) });
        var unwrapped = await client.DecryptAsync(new DecryptRequest { KeyId = rsa.KeyId, EncryptionAlgorithm = EncryptionAlgorithmSpec.RSAES_OAEP_SHA_256, CiphertextBlob = new MemoryStream(wrapped.CiphertextBlob.ToArray()) });

        Assert.True(verified.MacValid);
        Assert.Equal([9], unwrapped.Plaintext.ToArray());
    }

    [Fact]
    public async Task ImportState_ImportedMaterial_KeepsExpiryAndReimportCheck()
    {
        var key = await _kms.CreateKeyAsync(new CreateKeyRequest { Origin = OriginType.EXTERNAL });
        var material = new byte[32];
        material[0] = 1;
        var validTo = _kms.Time.GetUtcNow().AddDays(30);
        await _kms.ImportAsync(key.KeyId, material, validTo);

        var copy = Reloaded();
        var snapshot = copy.GetKeySnapshot(key.KeyId)!;

        Assert.Equal("Enabled", snapshot.KeyState);
        using var client = copy.CreateClient();
        var described = (await client.DescribeKeyAsync(new DescribeKeyRequest { KeyId = key.KeyId })).KeyMetadata;
        Assert.Equal((ExpirationModelType.KEY_MATERIAL_EXPIRES, validTo.UtcDateTime), (described.ExpirationModel, described.ValidTo?.ToUniversalTime()));
        await client.DeleteImportedKeyMaterialAsync(new DeleteImportedKeyMaterialRequest { KeyId = key.KeyId });
        var other = (byte[])material.Clone();
        other[0] = 2;
        await Assert.ThrowsAsync<IncorrectKeyMaterialException>(() => ReimportAsync(client, key.KeyId, other));
        await ReimportAsync(client, key.KeyId, material);
        Assert.Equal("Enabled", copy.GetKeySnapshot(key.KeyId)!.KeyState);
    }

    /// <summary>Imports <paramref name="material"/> again (EXISTING_KEY_MATERIAL), through <paramref name="client"/>.</summary>
    private static async Task ReimportAsync(AmazonKeyManagementServiceClient client, string keyId, byte[] material)
    {
        var parameters = await client.GetParametersForImportAsync(new GetParametersForImportRequest { KeyId = keyId, WrappingAlgorithm = AlgorithmSpec.RSAES_OAEP_SHA_256, WrappingKeySpec = WrappingKeySpec.RSA_2048 });
        using var rsa = System.Security.Cryptography.RSA.Create();
        rsa.ImportSubjectPublicKeyInfo(parameters.PublicKey.ToArray(), out _);
        await client.ImportKeyMaterialAsync(new ImportKeyMaterialRequest
        {
            KeyId = keyId,
            ImportToken = new MemoryStream(parameters.ImportToken.ToArray()),
            EncryptedKeyMaterial = new MemoryStream(rsa.Encrypt(material, System.Security.Cryptography.RSAEncryptionPadding.OaepSHA256)),
            ImportType = ImportType.EXISTING_KEY_MATERIAL,
            ExpirationModel = ExpirationModelType.KEY_MATERIAL_DOES_NOT_EXPIRE,
        });
    }

    [Fact]
    public void ImportState_OtherAccount_RefusedAndChangesNothing()
    {
        var other = new LocalKmsService(new LocalKmsOptions { AccountId = "444455556666" });
        var before = _kms.Service.ExportState();

        var error = Assert.Throws<FormatException>(() => _kms.Service.ImportState(other.ExportState()));

        Assert.Contains("account 444455556666", error.Message, StringComparison.Ordinal);
        Assert.Equal(before, _kms.Service.ExportState());
    }

    [Fact]
    public async Task ImportState_Version1Document_RefusedAndChangesNothing()
    {
        await _kms.CreateKeyWithAliasAsync("alias/kept");
        var before = _kms.Service.ExportState();
        var version1 = """{"Version":1,"AccountId":"111122223333","Region":"us-east-1","Keys":[],"Aliases":[],"Grants":{}}""";

        var error = Assert.Throws<FormatException>(() => _kms.Service.ImportState(version1));

        Assert.Contains("not a LocalKms state of version 2", error.Message, StringComparison.Ordinal);
        Assert.Equal(before, _kms.Service.ExportState());
    }

    [Fact]
    public async Task ImportState_AliasOfKeyInAnotherRegion_RefusedNamingAlias()
    {
        var key = await _kms.CreateKeyWithAliasAsync("alias/moved");
        var state = System.Text.Json.Nodes.JsonNode.Parse(_kms.Service.ExportState())!;
        state["Regions"]![0]!["Name"] = "eu-west-1";
        state["Regions"]!.AsArray().Add(System.Text.Json.Nodes.JsonNode.Parse("""{"Name":"us-east-1","Keys":[],"Aliases":[{"AliasName":"alias/other","TargetKeyId":"KEY","CreationDate":"2025-01-01T00:00:00.0000000+00:00","LastUpdatedDate":"2025-01-01T00:00:00.0000000+00:00"}],"Grants":{}}""".Replace("KEY", key.KeyId, StringComparison.Ordinal)));
        var copy = new LocalKmsService(null, _kms.Time);

        var error = Assert.Throws<FormatException>(() => copy.ImportState(state.ToJsonString()));

        Assert.Contains($"alias alias/other in us-east-1 points at key {key.KeyId}", error.Message, StringComparison.Ordinal);
        Assert.Null(copy.GetKeySnapshot(key.KeyId, "eu-west-1"));
    }

    [Fact]
    public async Task StateFile_SaveThenLoad_RestoresAliases()
    {
        var key = await _kms.CreateKeyWithAliasAsync("alias/saved");
        var file = new LocalKmsStateFile(Path.Combine(_directory, "nested", "state.json"));
        file.Save(_kms.Service);

        var copy = new LocalKmsService(null, _kms.Time);
        var loaded = new LocalKmsStateFile(file.Path).LoadInto(copy);

        Assert.True(loaded);
        Assert.Equal(key.KeyId, copy.GetKeySnapshot("alias/saved")!.KeyId);
    }

    [Fact]
    public void StateFile_Missing_LoadsNothing()
    {
        var file = new LocalKmsStateFile(Path.Combine(_directory, "none.json"));

        Assert.False(file.LoadInto(_kms.Service));
    }

    [Fact]
    public async Task ImportState_Grants_AreKept()
    {
        var key = await _kms.CreateKeyAsync();
        var grantId = _kms.Service.AddGrant(key.KeyId, "arn:aws:iam::111122223333:role/app", ["Decrypt"]);

        using var client = Reloaded().CreateClient();
        var grants = await client.ListGrantsAsync(new ListGrantsRequest { KeyId = key.KeyId });

        Assert.Equal(grantId, grants.Grants.Single().GrantId);
    }
}
