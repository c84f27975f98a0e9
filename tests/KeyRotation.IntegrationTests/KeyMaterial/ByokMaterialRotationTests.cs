using System.Text.Json.Nodes;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using KeyRotation.Core;
using KeyRotation.Core.KeyMaterial;

namespace KeyRotation.IntegrationTests.KeyMaterial;

/// <summary>
/// The strategy material for a key with imported material: new material generated, escrowed, imported with
/// ImportType NEW_KEY_MATERIAL and rotated in, through the real SDK, LocalKms and the S3 double.
/// </summary>
public sealed class ByokMaterialRotationTests
{
    private static readonly byte[] Secret = "card 4111"u8.ToArray();

    /// <summary>An alias on a key with imported material (a first, new-key rotation gave it one); returns that key's id.</summary>
    private static async Task<string> ExternalKeyAsync(ByokHarness byok)
    {
        await byok.CreateAliasedKeyAsync();
        await byok.RotateAsync();
        byok.Time.Advance(TimeSpan.FromDays(30));
        return byok.AliasTarget().KeyId;
    }

    private static async Task<List<RotationsListEntry>> MaterialsAsync(ByokHarness byok, string keyId) =>
        (await byok.Kms.ListKeyRotationsAsync(new ListKeyRotationsRequest { KeyId = keyId, IncludeKeyMaterial = IncludeKeyMaterial.ALL_KEY_MATERIAL })).Rotations;

    [Fact]
    public async Task RotateMaterial_ImportedKey_KeyIdUnchangedAndCiphertextFromBeforeStillDecrypts()
    {
        using var byok = new ByokHarness();
        var keyId = await ExternalKeyAsync(byok);
        var before = await byok.EncryptAsync(ByokHarness.Alias, Secret);

        var result = await byok.RotateMaterialAsync();

        Assert.Equal((RotationOutcome.Rotated, RotationMethod.Material, keyId, keyId), (result.Outcome, result.Method, result.PreviousKeyId, result.NewKeyId));
        Assert.Equal(keyId, byok.AliasTarget().KeyId);
        Assert.Equal(Secret, await byok.DecryptAsync(before));
        var materials = await MaterialsAsync(byok, keyId);
        Assert.Equal(2, materials.Count);
        Assert.Equal(RotationType.ON_DEMAND, Assert.Single(materials, m => m.RotationType is not null).RotationType);
    }

    [Fact]
    public async Task RotateMaterial_ImportedKey_ImportsNewMaterialByKeyIdWithTheEscrowObjectAsItsRecord()
    {
        using var byok = new ByokHarness();
        var keyId = await ExternalKeyAsync(byok);
        byok.Service.ClearRecordedRequests();

        await byok.RotateMaterialAsync();

        var import = JsonNode.Parse(Assert.Single(byok.Service.RecordedRequests, r => r.Operation == "ImportKeyMaterial").Body)!;
        var objectName = $"{keyId}.move-2.json";
        Assert.Equal((keyId, "NEW_KEY_MATERIAL", objectName), ((string?)import["KeyId"], (string?)import["ImportType"], (string?)import["KeyMaterialDescription"]));
        var current = (await byok.Kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = keyId })).KeyMetadata.CurrentKeyMaterialId;
        Assert.Equal(objectName, Assert.Single(await MaterialsAsync(byok, keyId), m => m.KeyMaterialId == current).KeyMaterialDescription);
        var key = byok.Service.GetKeySnapshot(keyId)!;
        Assert.Equal((objectName, current), (key.Tags[RotationTags.EscrowObject], key.Tags[RotationTags.KeyMaterialId]));
        var record = EscrowRecord.Parse(byok.S3.Body(ByokHarness.Bucket, byok.Location.ObjectKey(ByokHarness.Alias, objectName)));
        Assert.Equal((keyId, ByokHarness.Alias), (record.KeyId, record.Alias));
    }

    [Fact]
    public async Task RotateMaterial_ThenTheNewMaterialIsDeleted_ItsEscrowCopyReimportsAndItsCiphertextDecrypts()
    {
        using var byok = new ByokHarness();
        var keyId = await ExternalKeyAsync(byok);
        await byok.RotateMaterialAsync();
        var after = await byok.EncryptAsync(ByokHarness.Alias, Secret);
        await byok.Kms.DeleteImportedKeyMaterialAsync(new DeleteImportedKeyMaterialRequest { KeyId = keyId });
        Assert.Equal("PendingImport", byok.AliasTarget().KeyState);

        var restored = await byok.ReimportAsync(keyId);

        Assert.Equal(("Enabled", $"s3://{ByokHarness.Bucket}/{byok.Location.ObjectKey(ByokHarness.Alias, $"{keyId}.move-2.json")}"), (restored.KeyState, restored.EscrowObjectUri));
        Assert.Equal(Secret, await byok.DecryptAsync(after));
    }

    [Fact]
    public async Task RotateMaterial_Twice_EachMoveHasItsOwnMaterialAndEscrowObject()
    {
        using var byok = new ByokHarness();
        var keyId = await ExternalKeyAsync(byok);

        await byok.RotateMaterialAsync();
        byok.Time.Advance(TimeSpan.FromDays(30));
        await byok.RotateMaterialAsync("rot-material-2");

        var descriptions = (await MaterialsAsync(byok, keyId)).Select(m => m.KeyMaterialDescription).Where(d => d is not null).Order(StringComparer.Ordinal);
        Assert.Equal([$"{keyId}.move-2.json", $"{keyId}.move-3.json"], descriptions);
    }

    /// <summary>Every KMS call of one material rotation of an imported key, in order, as (operation, occurrence).</summary>
    public static TheoryData<string, int> CallsOfOneMaterialRotation()
    {
        using var byok = new ByokHarness();
        ExternalKeyAsync(byok).GetAwaiter().GetResult();
        byok.Service.ClearRecordedRequests();
        byok.RotateMaterialAsync().GetAwaiter().GetResult();
        var data = new TheoryData<string, int>();
        foreach (var (operation, occurrence, _, _) in CrashPoints.Of(byok.Service.RecordedRequests))
        {
            data.Add(operation, occurrence);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(CallsOfOneMaterialRotation))]
    public async Task RotateMaterial_KilledAtCall_NextRunConvergesOnExactlyOneNewMaterial(string operation, int occurrence)
    {
        await CrashThenRunAgainAsync(operation, occurrence, tookEffect: false);
    }

    [Theory]
    [MemberData(nameof(CallsOfOneMaterialRotation))]
    public async Task RotateMaterial_KilledAfterCallTookEffect_NextRunConvergesOnExactlyOneNewMaterial(string operation, int occurrence)
    {
        await CrashThenRunAgainAsync(operation, occurrence, tookEffect: true);
    }

    [Theory]
    [InlineData("PutObject")]
    [InlineData("GetObject")]
    public async Task RotateMaterial_KilledAtTheEscrowWrite_NextRunEscrowsUnderTheMovesNextName(string s3Operation)
    {
        using var byok = new ByokHarness();
        var keyId = await ExternalKeyAsync(byok);
        byok.S3.ThrowAt[(s3Operation, byok.S3.Calls.Count(c => c.Operation == s3Operation) + 1)] = new SimulatedCrashException();
        await Assert.ThrowsAsync<SimulatedCrashException>(() => byok.RotateMaterialAsync());
        byok.S3.ThrowAt.Clear();
        byok.Time.Advance(Rotation.RotationWorld.ClaimExpiry);

        var result = await byok.RotateMaterialAsync("rot-2");

        Assert.Equal(RotationOutcome.Rotated, result.Outcome);
        var expected = s3Operation == "PutObject" ? $"{keyId}.move-2.json" : $"{keyId}.move-2.2.json";
        Assert.Equal(expected, byok.Service.GetKeySnapshot(keyId)!.Tags[RotationTags.EscrowObject]);
        Assert.Equal(2, (await MaterialsAsync(byok, keyId)).Count);
    }

    private static async Task CrashThenRunAgainAsync(string operation, int occurrence, bool tookEffect)
    {
        using var byok = new ByokHarness();
        var keyId = await ExternalKeyAsync(byok);
        var before = await byok.EncryptAsync(ByokHarness.Alias, Secret);
        var nth = byok.Service.Faults.CallCount(operation) + occurrence;
        if (tookEffect)
        {
            byok.Service.Faults.ThrowAfterNth(operation, nth, new SimulatedCrashException());
        }
        else
        {
            byok.Service.Faults.ThrowNth(operation, nth, new SimulatedCrashException());
        }

        await Assert.ThrowsAsync<SimulatedCrashException>(() => byok.RotateMaterialAsync());
        byok.Service.Faults.Clear();
        byok.Time.Advance(Rotation.RotationWorld.ClaimExpiry);

        // Not forced, as the next scheduled run: a rotation that was complete is not repeated.
        var result = await byok.RotateMaterialAsync("rot-2", force: false);

        var key = byok.Service.GetKeySnapshot(keyId)!;
        var materials = await MaterialsAsync(byok, keyId);
        Assert.Equal(2, materials.Count);
        Assert.Single(materials, m => m.RotationType == RotationType.ON_DEMAND);
        Assert.Equal(keyId, byok.AliasTarget().KeyId);
        Assert.Equal("Enabled", key.KeyState);
        Assert.Equal("2", key.Tags[RotationTags.Sequence]);
        var current = (await byok.Kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = keyId })).KeyMetadata.CurrentKeyMaterialId;
        var escrowObject = Assert.Single(materials, m => m.KeyMaterialId == current).KeyMaterialDescription;
        Assert.Equal(escrowObject, key.Tags[RotationTags.EscrowObject]);
        Assert.True(byok.S3.Objects.ContainsKey(ByokHarness.Bucket + "/" + byok.Location.ObjectKey(ByokHarness.Alias, escrowObject)), escrowObject);
        Assert.Equal(Secret, await byok.DecryptAsync(before));
        Assert.True(result.Outcome is RotationOutcome.Rotated or RotationOutcome.Skipped, result.Reason);
    }
}
