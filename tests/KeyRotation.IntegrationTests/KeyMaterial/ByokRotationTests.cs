using System.Text;
using Amazon.KeyManagementService.Model;
using Amazon.S3.Model;
using KeyRotation.Core;
using KeyRotation.Core.KeyMaterial;

namespace KeyRotation.IntegrationTests.KeyMaterial;

public sealed class ByokRotationTests
{
    private static readonly byte[] Secret = Encoding.UTF8.GetBytes("order 4711");

    [Fact]
    public async Task RunAsync_ExternalOrigin_MovesAliasToEnabledExternalKeyAndOldCiphertextDecrypts()
    {
        using var byok = new ByokHarness();
        var oldKeyId = await byok.CreateAliasedKeyAsync();
        var before = await byok.EncryptAsync(ByokHarness.Alias, Secret);

        var result = await byok.RotateAsync();

        Assert.Equal(RotationOutcome.Rotated, result.Outcome);
        var target = byok.AliasTarget();
        Assert.NotEqual(oldKeyId, target.KeyId);
        Assert.Equal(("Enabled", "EXTERNAL", "KEY_MATERIAL_DOES_NOT_EXPIRE"), (target.KeyState, target.Origin, target.ExpirationModel));
        Assert.Equal(Secret, await byok.DecryptAsync(before));
        Assert.Equal(Secret, await byok.DecryptAsync(await byok.EncryptAsync(ByokHarness.Alias, Secret)));
    }

    [Fact]
    public async Task RunAsync_ExternalOrigin_NotificationSaysWhereTheEscrowCopyIs()
    {
        using var byok = new ByokHarness();
        await byok.CreateAliasedKeyAsync();

        await byok.RotateAsync();

        var newKeyId = byok.AliasTarget().KeyId;
        var notice = Assert.Single(byok.Notifier.Notices);
        Assert.Contains($"s3://{ByokHarness.Bucket}/{ByokHarness.Prefix}orders/{newKeyId}.json", notice.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_DiedBeforeTheNotification_NextRunsNotificationStillSaysWhereTheEscrowCopyIs()
    {
        using var byok = new ByokHarness();
        await byok.CreateAliasedKeyAsync();
        byok.Notifier.CrashNext = new SimulatedCrashException();
        await Assert.ThrowsAsync<SimulatedCrashException>(byok.RotateAsync);
        byok.Time.Advance(Rotation.RotationWorld.ClaimExpiry);

        var result = await byok.RotateAsync();

        Assert.True(result.Resumed);
        var notice = Assert.Single(byok.Notifier.Notices);
        Assert.Contains($"s3://{ByokHarness.Bucket}/{ByokHarness.Prefix}orders/{result.NewKeyId}.json", notice.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_ExpirationDays30_ImportsMaterialValidFor30Days()
    {
        using var byok = new ByokHarness(expirationDays: 30);
        await byok.CreateAliasedKeyAsync();

        await byok.RotateAsync();

        var target = byok.AliasTarget();
        Assert.Equal("KEY_MATERIAL_EXPIRES", target.ExpirationModel);
        Assert.Equal(byok.Time.GetUtcNow().AddDays(30), target.ValidTo);
    }

    [Fact]
    public async Task RunAsync_ExternalOrigin_ImportCallsNameTheKeyIdNeverAnAlias()
    {
        using var byok = new ByokHarness();
        await byok.CreateAliasedKeyAsync();

        await byok.RotateAsync();

        var newKeyId = byok.AliasTarget().KeyId;
        var importCalls = byok.Service.RecordedRequests.Where(r => r.Operation is "GetParametersForImport" or "ImportKeyMaterial").ToList();
        Assert.Equal(["GetParametersForImport", "ImportKeyMaterial"], importCalls.Select(r => r.Operation));
        Assert.All(importCalls, r => Assert.Contains($"\"KeyId\":\"{newKeyId}\"", r.Body, StringComparison.Ordinal));
    }

    [Fact]
    public async Task RunAsync_BucketUnwritable_FailsBeforeImportAndLeavesTheAlias()
    {
        using var byok = new ByokHarness();
        var oldKeyId = await byok.CreateAliasedKeyAsync();
        byok.S3.Unwritable.Add(ByokHarness.Bucket);

        var result = await byok.RotateAsync();

        Assert.Equal(RotationOutcome.Failed, result.Outcome);
        Assert.Contains("Escrow failed", result.Reason, StringComparison.Ordinal);
        Assert.Equal(oldKeyId, byok.AliasTarget().KeyId);
        Assert.DoesNotContain(byok.Service.RecordedRequests, r => r.Operation == "ImportKeyMaterial");
        var pending = Assert.Single(byok.Service.ListKeySnapshots(), k => k.KeyId != oldKeyId);
        Assert.Equal("PendingImport", pending.KeyState);
        Assert.Empty(byok.S3.Objects);
    }

    [Fact]
    public async Task RunAsync_BucketWritableAgainAfterFailure_FinishesWithTheSameNewKey()
    {
        using var byok = new ByokHarness();
        var oldKeyId = await byok.CreateAliasedKeyAsync();
        byok.S3.Unwritable.Add(ByokHarness.Bucket);
        await byok.RotateAsync();
        byok.S3.Unwritable.Clear();
        byok.Time.Advance(Rotation.RotationWorld.ClaimExpiry);

        var result = await byok.RotateAsync();

        Assert.Equal(RotationOutcome.Rotated, result.Outcome);
        Assert.Equal(2, byok.Service.ListKeySnapshots().Count);
        Assert.Equal("Enabled", byok.AliasTarget().KeyState);
        Assert.NotEqual(oldKeyId, byok.AliasTarget().KeyId);
    }

    [Fact]
    public async Task ReimportAsync_MaterialDeleted_RestoresFromEscrowAndCiphertextDecrypts()
    {
        using var byok = new ByokHarness();
        await byok.CreateAliasedKeyAsync();
        await byok.RotateAsync();
        var newKeyId = byok.AliasTarget().KeyId;
        var ciphertext = await byok.EncryptAsync(ByokHarness.Alias, Secret);
        await byok.Kms.DeleteImportedKeyMaterialAsync(new DeleteImportedKeyMaterialRequest { KeyId = newKeyId });
        Assert.Equal("PendingImport", byok.AliasTarget().KeyState);

        var restored = await byok.ReimportAsync(newKeyId);

        Assert.Equal(("Enabled", $"s3://{ByokHarness.Bucket}/{byok.EscrowObjectKey(newKeyId)}"), (restored.KeyState, restored.EscrowObjectUri));
        Assert.Equal(Secret, await byok.DecryptAsync(ciphertext));
    }

    [Fact]
    public async Task ReimportAsync_MaterialExpired_RestoresWithANewExpiry()
    {
        using var byok = new ByokHarness(expirationDays: 1);
        await byok.CreateAliasedKeyAsync();
        await byok.RotateAsync();
        var newKeyId = byok.AliasTarget().KeyId;
        var ciphertext = await byok.EncryptAsync(ByokHarness.Alias, Secret);
        byok.Time.Advance(TimeSpan.FromDays(2));
        Assert.Equal("PendingImport", byok.AliasTarget().KeyState);

        var restored = await byok.ReimportAsync(newKeyId, expirationDays: 7);

        Assert.Equal(("Enabled", "KEY_MATERIAL_EXPIRES"), (restored.KeyState, restored.ExpirationModel));
        Assert.Equal(byok.Time.GetUtcNow().AddDays(7), restored.ValidTo);
        Assert.Equal(Secret, await byok.DecryptAsync(ciphertext));
    }

    [Fact]
    public async Task ReimportAsync_WrongPrivateKey_RefusesNamingBothFingerprints()
    {
        using var byok = new ByokHarness();
        await byok.CreateAliasedKeyAsync();
        await byok.RotateAsync();
        var newKeyId = byok.AliasTarget().KeyId;

        var error = await Assert.ThrowsAsync<EscrowRestoreException>(() =>
            byok.Restore().ReimportAsync(newKeyId, EscrowKeys.Rsa2048.ExportPkcs8PrivateKeyPem(), 0, CancellationToken.None));

        Assert.StartsWith("Wrong escrow private key", error.Message, StringComparison.Ordinal);
        Assert.Equal(1, byok.Service.Faults.CallCount("ImportKeyMaterial"));
    }

    [Fact]
    public async Task ReimportAsync_EscrowObjectMissing_SaysWhichObject()
    {
        using var byok = new ByokHarness();
        await byok.CreateAliasedKeyAsync();
        await byok.RotateAsync();
        var newKeyId = byok.AliasTarget().KeyId;
        var objectKey = byok.EscrowObjectKey(newKeyId);
        byok.S3.Objects.Remove(ByokHarness.Bucket + "/" + objectKey);

        var error = await Assert.ThrowsAsync<EscrowRestoreException>(() => byok.ReimportAsync(newKeyId));

        Assert.StartsWith($"The escrow object s3://{ByokHarness.Bucket}/{objectKey} does not exist", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReimportAsync_EscrowedMaterialOfAnotherKey_RefusedByKmsAsNotMatching()
    {
        using var byok = new ByokHarness();
        await byok.CreateAliasedKeyAsync();
        await byok.RotateAsync();
        var newKeyId = byok.AliasTarget().KeyId;
        var objectKey = byok.EscrowObjectKey(newKeyId);
        var forged = EscrowRecord.Parse(byok.S3.Body(ByokHarness.Bucket, objectKey)) with
        {
            EncryptedKeyMaterial = EscrowPublicKey.Parse(EscrowKeys.EscrowPublicPem).Wrap(new byte[32]),
        };
        byok.S3.Objects[ByokHarness.Bucket + "/" + objectKey] = (forged.ToJson(), null);

        var error = await Assert.ThrowsAsync<EscrowRestoreException>(() => byok.ReimportAsync(newKeyId));

        Assert.StartsWith($"The escrowed material does not match key {newKeyId}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReimportAsync_AliasInsteadOfKeyId_RefusesBeforeAnyCall()
    {
        using var byok = new ByokHarness();

        var error = await Assert.ThrowsAsync<EscrowRestoreException>(() => byok.ReimportAsync(ByokHarness.Alias));

        Assert.Contains("is not a key id", error.Message, StringComparison.Ordinal);
        Assert.Empty(byok.Service.RecordedRequests);
        Assert.Empty(byok.S3.Calls);
    }

    [Fact]
    public async Task RunAsync_ExternalOrigin_EveryEscrowWriteIsConditionalAndEncrypted()
    {
        using var byok = new ByokHarness();
        await byok.CreateAliasedKeyAsync();

        await byok.RotateAsync();

        var put = Assert.Single(byok.S3.Requests<PutObjectRequest>());
        Assert.Equal(("*", Amazon.S3.ServerSideEncryptionMethod.AES256), (put.IfNoneMatch, put.ServerSideEncryptionMethod));
    }
}
