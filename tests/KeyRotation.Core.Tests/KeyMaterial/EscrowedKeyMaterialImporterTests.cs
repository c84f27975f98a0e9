using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using KeyRotation.Core.KeyMaterial;
using Microsoft.Extensions.Time.Testing;
using Moq;
using Tag = Amazon.KeyManagementService.Model.Tag;

namespace KeyRotation.Core.Tests.KeyMaterial;

public sealed partial class EscrowedKeyMaterialImporterTests
{
    private const string Alias = "alias/orders";
    private const string KeyId = "1234abcd-12ab-34cd-56ef-1234567890ab";
    private const string KeyArn = "arn:aws:kms:eu-west-1:111122223333:key/" + KeyId;
    private const string Bucket = "escrow-bucket";
    private const string ObjectKey = "key-escrow/orders/" + KeyId + ".json";

    private static readonly DateTimeOffset Now = new(2026, 3, 1, 3, 0, 0, TimeSpan.Zero);

    private readonly FakeTimeProvider _time = new(Now);
    private readonly Mock<IAmazonKeyManagementService> _kms = new(MockBehavior.Strict);
    private readonly InMemoryS3 _s3 = new(Bucket);
    private readonly List<string> _order = [];
    private readonly Dictionary<string, string> _tags = new(StringComparer.Ordinal) { ["keyrotation:alias"] = Alias };
    private readonly List<GetParametersForImportRequest> _parameterRequests = [];
    private readonly List<ImportKeyMaterialRequest> _imports = [];
    private readonly List<TagResourceRequest> _tagRequests = [];

    public EscrowedKeyMaterialImporterTests()
    {
        _kms.PageThroughSdkPaginators();
        _kms.Setup(k => k.ListResourceTagsAsync(It.IsAny<ListResourceTagsRequest>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync((ListResourceTagsRequest r, CancellationToken _) =>
            {
                Assert.Equal(KeyId, r.KeyId);
                return new ListResourceTagsResponse { Tags = [.. _tags.Select(t => new Tag { TagKey = t.Key, TagValue = t.Value })], Truncated = false };
            });
        _kms.Setup(k => k.GetParametersForImportAsync(It.IsAny<GetParametersForImportRequest>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync((GetParametersForImportRequest r, CancellationToken _) =>
            {
                _order.Add("GetParametersForImport");
                _parameterRequests.Add(r);
                return new GetParametersForImportResponse
                {
                    KeyId = KeyArn,
                    ImportToken = new MemoryStream([1, 2, 3]),
                    PublicKey = new MemoryStream(EscrowKeys.Rsa2048.ExportSubjectPublicKeyInfo()),
                    ParametersValidTo = Now.AddHours(24).UtcDateTime,
                };
            });
        _kms.Setup(k => k.TagResourceAsync(It.IsAny<TagResourceRequest>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync((TagResourceRequest r, CancellationToken _) =>
            {
                _order.Add("TagResource");
                _tagRequests.Add(r);
                foreach (var tag in r.Tags)
                {
                    _tags[tag.TagKey] = tag.TagValue;
                }

                return new TagResourceResponse();
            });
        _kms.Setup(k => k.ImportKeyMaterialAsync(It.IsAny<ImportKeyMaterialRequest>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync((ImportKeyMaterialRequest r, CancellationToken _) =>
            {
                _order.Add("ImportKeyMaterial");
                _imports.Add(r);
                return new ImportKeyMaterialResponse();
            });
    }

    private static KeyMetadata NewKey(KeyState? state = null) => new()
    {
        KeyId = KeyId,
        Arn = KeyArn,
        KeySpec = KeySpec.SYMMETRIC_DEFAULT,
        KeyUsage = KeyUsageType.ENCRYPT_DECRYPT,
        Origin = OriginType.EXTERNAL,
        KeyState = state ?? KeyState.PendingImport,
    };

    private EscrowedKeyMaterialImporter Importer(int expirationDays = 0, bool escrow = true) => new(
        _kms.Object,
        escrow ? _s3.Store : null,
        new KeyMaterialOptions
        {
            ExpirationDays = expirationDays,
            Escrow = escrow ? new EscrowTarget(new EscrowLocation(Bucket, "key-escrow/"), EscrowPublicKey.Parse(EscrowKeys.EscrowPublicPem)) : null,
        },
        _time);

    [Fact]
    public async Task EnsureImportedAsync_PendingKey_ImportCallsGetTheKeyIdWithRsa4096OaepSha256()
    {
        await Importer().EnsureImportedAsync(Alias, NewKey(), CancellationToken.None);

        var parameters = Assert.Single(_parameterRequests);
        Assert.Equal((KeyId, WrappingKeySpec.RSA_4096, AlgorithmSpec.RSAES_OAEP_SHA_256), (parameters.KeyId, parameters.WrappingKeySpec, parameters.WrappingAlgorithm));
        var import = Assert.Single(_imports);
        Assert.Equal(KeyId, import.KeyId);
        Assert.Equal([1, 2, 3], import.ImportToken.ToArray());
        Assert.Equal(ExpirationModelType.KEY_MATERIAL_DOES_NOT_EXPIRE, import.ExpirationModel);
        Assert.Null(import.ValidTo);
    }

    [Fact]
    public async Task EnsureImportedAsync_ExpirationDays30_ImportsExpiringMaterialValidFor30DaysFromNow()
    {
        await Importer(expirationDays: 30).EnsureImportedAsync(Alias, NewKey(), CancellationToken.None);

        var import = Assert.Single(_imports);
        Assert.Equal(ExpirationModelType.KEY_MATERIAL_EXPIRES, import.ExpirationModel);
        Assert.Equal(Now.AddDays(30).UtcDateTime, import.ValidTo);
    }

    [Fact]
    public async Task EnsureImportedAsync_KeyAlreadyEnabled_ImportsNothingAndNamesTheTaggedObject()
    {
        _tags["keyrotation:escrow-object"] = KeyId + ".json";

        var notes = await Importer().EnsureImportedAsync(Alias, NewKey(KeyState.Enabled), CancellationToken.None);

        Assert.Empty(_parameterRequests);
        Assert.Empty(_imports);
        Assert.Empty(_s3.Calls);
        Assert.Contains(notes, n => n.Contains($"s3://{Bucket}/{ObjectKey}", StringComparison.Ordinal) && n.Contains("keyrotation reimport " + KeyId, StringComparison.Ordinal));
    }

    [Fact]
    public async Task EnsureImportedAsync_GetParametersForImportFails_NeverWritesEscrowOrImports()
    {
        _kms.Setup(k => k.GetParametersForImportAsync(It.IsAny<GetParametersForImportRequest>(), It.IsAny<CancellationToken>()))
            .ThrowsAsync(new KMSInvalidStateException("Key is pending deletion"));

        var error = await Assert.ThrowsAsync<RotationException>(() => Importer().EnsureImportedAsync(Alias, NewKey(), CancellationToken.None));

        Assert.StartsWith("KMS GetParametersForImport failed", error.Message, StringComparison.Ordinal);
        Assert.Empty(_s3.Calls);
        Assert.Empty(_imports);
    }

    [Fact]
    public async Task EnsureImportedAsync_KeyHadMaterialBefore_RestoresTheTagAndSaysToReimport()
    {
        _tags["keyrotation:escrow-object"] = KeyId + ".json";
        _kms.Setup(k => k.ImportKeyMaterialAsync(It.IsAny<ImportKeyMaterialRequest>(), It.IsAny<CancellationToken>()))
            .ThrowsAsync(new IncorrectKeyMaterialException("not the material previously imported"));

        var error = await Assert.ThrowsAsync<RotationException>(() => Importer().EnsureImportedAsync(Alias, NewKey(), CancellationToken.None));

        Assert.Contains($"keyrotation reimport {KeyId}", error.Message, StringComparison.Ordinal);
        Assert.Equal(KeyId + ".json", _tags["keyrotation:escrow-object"]);
    }
}
