using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using Amazon.S3;
using Amazon.S3.Model;
using KeyRotation.Core.KeyMaterial;
using Moq;

namespace KeyRotation.Core.Tests.KeyMaterial;

/// <summary>The escrow copy: written once and never overwritten, read back before the import, and what happens when S3 refuses.</summary>
public sealed partial class EscrowedKeyMaterialImporterTests
{
    [Fact]
    public async Task EnsureImportedAsync_PendingKey_EscrowsNeverOverwritingWithSseThenReadsBackTagsAndOnlyThenImports()
    {
        await Importer().EnsureImportedAsync(Alias, NewKey(), CancellationToken.None);

        var put = Assert.Single(_s3.Requests<PutObjectRequest>());
        Assert.Equal((Bucket, ObjectKey, "*", ServerSideEncryptionMethod.AES256), (put.BucketName, put.Key, put.IfNoneMatch, put.ServerSideEncryptionMethod));
        var get = Assert.Single(_s3.Requests<GetObjectRequest>());
        Assert.Equal((Bucket, ObjectKey), (get.BucketName, get.Key));
        Assert.Equal(["GetParametersForImport", "TagResource", "ImportKeyMaterial"], _order);
        var tag = Assert.Single(Assert.Single(_tagRequests).Tags);
        Assert.Equal((KeyId, "keyrotation:escrow-object", KeyId + ".json"), (_tagRequests[0].KeyId, tag.TagKey, tag.TagValue));
        Assert.Equal(["PutObject", "GetObject"], _s3.Calls.Select(c => c.Operation));
    }

    [Fact]
    public async Task EnsureImportedAsync_PendingKey_EscrowObjectHasExactlyTheContractFields()
    {
        await Importer().EnsureImportedAsync(Alias, NewKey(), CancellationToken.None);

        using var json = JsonDocument.Parse(_s3.Body(Bucket, ObjectKey));
        var root = json.RootElement;
        Assert.Equal(
            ["keyId", "keyArn", "alias", "createdAt", "wrappingAlgorithm", "escrowPublicKeySha256", "encryptedKeyMaterial"],
            root.EnumerateObject().Select(p => p.Name));
        Assert.Equal(
            [KeyId, KeyArn, Alias, "2026-03-01T03:00:00Z", "RSAES_OAEP_SHA_256", EscrowPublicKey.Fingerprint(EscrowKeys.Escrow.ExportSubjectPublicKeyInfo())],
            new[] { "keyId", "keyArn", "alias", "createdAt", "wrappingAlgorithm", "escrowPublicKeySha256" }.Select(n => root.GetProperty(n).GetString()));
    }

    [Fact]
    public async Task EnsureImportedAsync_PendingKey_EscrowCopyAndImportedMaterialAreTheSame32Bytes()
    {
        await Importer().EnsureImportedAsync(Alias, NewKey(), CancellationToken.None);

        var record = EscrowRecord.Parse(_s3.Body(Bucket, ObjectKey));
        var escrowed = EscrowKeys.Escrow.Decrypt(record.EncryptedKeyMaterial, RSAEncryptionPadding.OaepSHA256);
        var imported = EscrowKeys.Rsa2048.Decrypt(Assert.Single(_imports).EncryptedKeyMaterial.ToArray(), RSAEncryptionPadding.OaepSHA256);
        Assert.Equal(32, escrowed.Length);
        Assert.Equal(escrowed, imported);
        Assert.NotEqual(new byte[32], escrowed);
    }

    [Fact]
    public async Task EnsureImportedAsync_BucketUnwritable_FailsBeforeTaggingOrImporting()
    {
        _s3.Unwritable.Add(Bucket);

        var error = await Assert.ThrowsAsync<RotationException>(() => Importer().EnsureImportedAsync(Alias, NewKey(), CancellationToken.None));

        Assert.Contains($"could not write s3://{Bucket}/{ObjectKey}: AccessDenied", error.Message, StringComparison.Ordinal);
        Assert.Contains("Nothing was imported", error.Message, StringComparison.Ordinal);
        Assert.Empty(_imports);
        Assert.Empty(_tagRequests);
        Assert.Empty(_s3.Requests<GetObjectRequest>());
    }

    [Fact]
    public async Task EnsureImportedAsync_ReadBackDiffers_FailsWithoutImporting()
    {
        _s3.Mock.Setup(s => s.GetObjectAsync(It.IsAny<GetObjectRequest>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync(new GetObjectResponse { ResponseStream = new MemoryStream("{}"u8.ToArray()), HttpStatusCode = HttpStatusCode.OK });

        var error = await Assert.ThrowsAsync<RotationException>(() => Importer().EnsureImportedAsync(Alias, NewKey(), CancellationToken.None));

        Assert.Contains("read back differs from what was written", error.Message, StringComparison.Ordinal);
        Assert.Empty(_imports);
        Assert.Empty(_tagRequests);
    }

    [Fact]
    public async Task EnsureImportedAsync_FirstObjectExistsFromADeadRun_KeepsItAndEscrowsUnderTheNextName()
    {
        var orphan = "{\"left\":\"by a run that died\"}"u8.ToArray();
        _s3.Objects[Bucket + "/" + ObjectKey] = (orphan, ServerSideEncryptionMethod.AES256);

        var notes = await Importer().EnsureImportedAsync(Alias, NewKey(), CancellationToken.None);

        Assert.Equal(orphan, _s3.Body(Bucket, ObjectKey));
        Assert.Equal([ObjectKey, "key-escrow/orders/" + KeyId + ".2.json"], _s3.Requests<PutObjectRequest>().Select(p => p.Key));
        Assert.Equal(KeyId + ".2.json", _tags["keyrotation:escrow-object"]);
        Assert.Contains(notes, n => n.Contains($"s3://{Bucket}/key-escrow/orders/{KeyId}.2.json", StringComparison.Ordinal));
    }

    [Fact]
    public async Task EnsureImportedAsync_PendingKeyTaggedWithAnEarlierObject_EscrowsFreshMaterialUnderTheNextName()
    {
        _tags["keyrotation:escrow-object"] = KeyId + ".json";

        await Importer().EnsureImportedAsync(Alias, NewKey(), CancellationToken.None);

        Assert.Equal(["key-escrow/orders/" + KeyId + ".2.json"], _s3.Requests<PutObjectRequest>().Select(p => p.Key));
        Assert.Equal(KeyId + ".2.json", _tags["keyrotation:escrow-object"]);
        Assert.Single(_imports);
    }

    [Fact]
    public async Task EnsureImportedAsync_EscrowDisabled_ImportsWithoutS3AndWarns()
    {
        var notes = await Importer(escrow: false).EnsureImportedAsync(Alias, NewKey(), CancellationToken.None);

        Assert.Single(_imports);
        Assert.Empty(_s3.Calls);
        Assert.Empty(_tagRequests);
        Assert.Contains(notes, n => n.StartsWith("WARNING: escrow is disabled (ESCROW_DISABLED=true)", StringComparison.Ordinal));
    }
}
