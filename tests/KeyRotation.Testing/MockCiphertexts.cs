using System.Text;
using System.Text.Json;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using Moq;

namespace KeyRotation.Testing;

/// <summary>
/// ReEncrypt on a <see cref="KmsMock"/>, answering as the KMS API reference describes it: the source key is found in the
/// ciphertext (here a readable blob naming key, key material, encryption context and payload), the source encryption
/// context must match, both keys must exist and be Enabled, DryRun answers DryRunOperationException, and the answer
/// names SourceKeyId (key ARN), KeyId and both key material ids. Each request is recorded in the mock's calls and
/// <see cref="Requests"/>; <see cref="KmsMock.FailNext"/> works for "ReEncrypt" as for the mock's own operations.
/// </summary>
internal sealed class MockCiphertexts
{
    private const string Magic = "MOCKCT1";
    private readonly KmsMock _kms;

    public MockCiphertexts(KmsMock kms)
    {
        _kms = kms;
        kms.Mock.Setup(k => k.ReEncryptAsync(It.IsAny<ReEncryptRequest>(), It.IsAny<CancellationToken>()))
            .Returns((ReEncryptRequest r, CancellationToken _) => ReEncrypt(r));
    }

    /// <summary>The current key material of each key ("material-1" for a key not in here).</summary>
    public Dictionary<string, string> Materials { get; } = new(StringComparer.Ordinal);

    /// <summary>Every ReEncrypt request, with its ciphertext read out (the stream is consumed by the answer).</summary>
    public List<(ReEncryptRequest Request, byte[] Ciphertext)> Requests { get; } = [];

    /// <summary>A ciphertext as Encrypt under the key's current material would make it.</summary>
    public byte[] Encrypt(string keyId, string plaintext, IReadOnlyDictionary<string, string>? context = null) =>
        Blob(_kms.Resolve(keyId).KeyId, MaterialOf(_kms.Resolve(keyId).KeyId), context ?? new Dictionary<string, string>(), plaintext);

    /// <summary>What the ciphertext holds: key id, key material, context and plaintext (as Decrypt would find them).</summary>
    public static (string KeyId, string Material, Dictionary<string, string> Context, string Plaintext) Read(byte[] ciphertext) =>
        TryRead(ciphertext) ?? throw new InvalidOperationException("not a mock ciphertext");

    private string MaterialOf(string keyId) => Materials.GetValueOrDefault(keyId) ?? "material-1";

    private Task<ReEncryptResponse> ReEncrypt(ReEncryptRequest request)
    {
        var bytes = request.CiphertextBlob.ToArray();
        Requests.Add((request, bytes));
        _kms.Calls.Add(("ReEncrypt", request));
        try
        {
            return Task.FromResult(Answer(request, bytes));
        }
        catch (Exception ex)
        {
            return Task.FromException<ReEncryptResponse>(ex);
        }
    }

    private ReEncryptResponse Answer(ReEncryptRequest request, byte[] bytes)
    {
        if (_kms.FailNext.Remove("ReEncrypt", out var failure))
        {
            throw failure;
        }

        var destination = Usable(request.DestinationKeyId);
        if (request.DryRun == true)
        {
            throw new DryRunOperationException("The request would have succeeded, but the DryRun option is set.");
        }

        var (keyId, material, context, plaintext) = TryRead(bytes) ?? throw new InvalidCiphertextException(string.Empty);
        if (!SameContext(context, request.SourceEncryptionContext))
        {
            throw new InvalidCiphertextException(string.Empty);
        }

        var source = Usable(keyId);
        return new ReEncryptResponse
        {
            CiphertextBlob = new MemoryStream(Blob(destination.KeyId, MaterialOf(destination.KeyId), request.DestinationEncryptionContext ?? [], plaintext)),
            SourceKeyId = source.Arn,
            KeyId = destination.Arn,
            SourceKeyMaterialId = material,
            DestinationKeyMaterialId = MaterialOf(destination.KeyId),
            SourceEncryptionAlgorithm = EncryptionAlgorithmSpec.SYMMETRIC_DEFAULT,
            DestinationEncryptionAlgorithm = EncryptionAlgorithmSpec.SYMMETRIC_DEFAULT,
        };
    }

    private KeyMetadata Usable(string keyIdOrAlias)
    {
        var key = _kms.Resolve(keyIdOrAlias);
        if (key.KeyState == KeyState.Disabled)
        {
            throw new DisabledException($"{key.Arn} is disabled.");
        }

        return key.KeyState == KeyState.Enabled ? key : throw new KMSInvalidStateException($"{key.Arn} is {key.KeyState}.");
    }

    private static bool SameContext(Dictionary<string, string> stored, Dictionary<string, string>? given) =>
        stored.Count == (given?.Count ?? 0) && stored.All(s => given!.TryGetValue(s.Key, out var v) && v == s.Value);

    private static byte[] Blob(string keyId, string material, IReadOnlyDictionary<string, string> context, string plaintext) =>
        Encoding.UTF8.GetBytes($"{Magic}\n{keyId}\n{material}\n{JsonSerializer.Serialize(context)}\n{plaintext}");

    private static (string, string, Dictionary<string, string>, string)? TryRead(byte[] bytes)
    {
        var parts = Encoding.UTF8.GetString(bytes).Split('\n', 5);
        return parts is [Magic, var keyId, var material, var context, var plaintext]
            ? (keyId, material, JsonSerializer.Deserialize<Dictionary<string, string>>(context)!, plaintext)
            : null;
    }
}
