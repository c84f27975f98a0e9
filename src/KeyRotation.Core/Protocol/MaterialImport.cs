using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;

namespace KeyRotation.Core.Protocol;

/// <summary>
/// The protocol's writes for imported key material (BYOK import into a new key, new material into a key, and escrow
/// re-import): the escrow-object tag, written before ImportKeyMaterial and only while the key holds no material, so it
/// always names the copy of the material the key holds; and the import itself. The material is wrapped by the caller;
/// KMS errors of the import propagate untranslated, since each caller says in its own terms what failed.
/// </summary>
internal sealed class MaterialImport
{
    /// <summary>The KeyMaterialDescription of new material imported without an escrow copy (ESCROW_DISABLED).</summary>
    public const string NoEscrowDescription = "keyrotation: no escrow copy (ESCROW_DISABLED)";

    private readonly IAmazonKeyManagementService _kms;
    private readonly KmsCalls _calls;

    public MaterialImport(IAmazonKeyManagementService kms)
    {
        _kms = kms;
        _calls = new KmsCalls(kms);
    }

    /// <summary>The key's rotation state (for the escrow object it names).</summary>
    public async Task<KeyRecord> RecordAsync(string keyId, CancellationToken ct) =>
        KeyRecord.From(await KmsCalls.CallAsync("ListResourceTags", () => KmsCalls.ReadTagsAsync(_kms, keyId, ct)));

    /// <summary>Tags the key with the escrow object holding the material it is about to import (or held before a failed import).</summary>
    public Task RecordEscrowObjectAsync(string keyId, string objectName, CancellationToken ct) =>
        _calls.TagAsync(keyId, KeyRecordTags.EscrowObject(objectName), ct);

    /// <summary>ImportKeyMaterial as the caller built it; its KMS errors propagate untranslated.</summary>
    public Task ImportAsync(ImportKeyMaterialRequest request, CancellationToken ct) => _kms.ImportKeyMaterialAsync(request, ct);
}
