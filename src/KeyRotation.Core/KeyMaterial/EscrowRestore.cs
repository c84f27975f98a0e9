using System.Security.Cryptography;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using Amazon.Runtime;
using KeyRotation.Core.Protocol;

namespace KeyRotation.Core.KeyMaterial;

/// <summary>
/// Restores imported key material from escrow (<c>keyrotation reimport KEY_ID --escrow-private-key FILE</c>), for
/// example after it expired or was deleted: reads the key's escrow object, unwraps the material with the escrow
/// private key (on the operator's machine, never sent anywhere), and imports that same material again.
/// KMS accepts only the material the key held before, which is the final check that the copy matches the key.
/// </summary>
public sealed class EscrowRestore
{
    private readonly IAmazonKeyManagementService _kms;
    private readonly IEscrowStore _store;
    private readonly EscrowLocation _location;
    private readonly TimeProvider _time;
    private readonly MaterialImport _import;

    public EscrowRestore(IAmazonKeyManagementService kms, IEscrowStore store, EscrowLocation location, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(kms);
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(location);
        ArgumentNullException.ThrowIfNull(time);
        _kms = kms;
        _store = store;
        _location = location;
        _time = time;
        _import = new MaterialImport(kms);
    }

    /// <summary>WrappingKeySpec of the import parameters; see <see cref="KeyMaterialOptions.WrappingKeySpec"/>.</summary>
    internal WrappingKeySpec WrappingKeySpec { get; init; } = WrappingKeySpec.RSA_4096;

    /// <summary>
    /// Re-imports the escrowed material of <paramref name="keyId"/> (a key id or key ARN, never an alias).
    /// The object named by the key's escrow-object tag (<see cref="KeyRecord.EscrowObject"/>) is tried first, then the key's other
    /// escrow objects in order (in case the tag was lost), until KMS accepts one.
    /// </summary>
    /// <param name="keyId">Key id or key ARN.</param>
    /// <param name="escrowPrivateKeyPem">Contents of the escrow private key's PEM file (PKCS#8 "PRIVATE KEY" or PKCS#1 "RSA PRIVATE KEY", unencrypted).</param>
    /// <param name="expirationDays">0: the material does not expire; 1 to 365: it expires that many days from now.</param>
    /// <exception cref="EscrowRestoreException">Anything that stops the restore, with a message naming it; nothing was imported.</exception>
    public async Task<EscrowRestoreResult> ReimportAsync(string keyId, string escrowPrivateKeyPem, int expirationDays, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(keyId) || keyId.StartsWith(AliasNames.Prefix, StringComparison.Ordinal) || keyId.Contains(":alias/", StringComparison.Ordinal))
        {
            throw new EscrowRestoreException($"'{keyId}' is not a key id: give the key id or key ARN (imports go to one key, never through an alias).");
        }

        if (expirationDays is < 0 or > 365)
        {
            throw new EscrowRestoreException($"The expiration of {expirationDays} days is out of range: 0 (does not expire) to 365.");
        }

        using var privateKey = LoadPrivateKey(escrowPrivateKeyPem);
        var privateKeySha256 = EscrowPublicKey.Fingerprint(privateKey.ExportSubjectPublicKeyInfo());

        var key = await DescribeAsync(keyId, cancellationToken);
        if (key.Origin != OriginType.EXTERNAL)
        {
            throw new EscrowRestoreException($"Key {key.KeyId} has origin {key.Origin?.Value}; only keys with imported material (EXTERNAL) can be restored from escrow.");
        }

        if (key.KeyState == KeyState.PendingDeletion)
        {
            throw new EscrowRestoreException($"Key {key.KeyId} is pending deletion; cancel the deletion (CancelKeyDeletion) first, then reimport.");
        }

        var state = KeyRecord.From(await CallAsync("ListResourceTags", () => KmsCalls.ReadTagsAsync(_kms, key.KeyId, cancellationToken)));
        var alias = state.Alias
            ?? throw new EscrowRestoreException($"Key {key.KeyId} has no {KeyRecord.AliasTag} tag: this tool did not create it, so it knows no escrow object for it.");
        var recorded = state.EscrowObject;

        var tried = new List<string>();
        foreach (var objectName in Candidates(key.KeyId, recorded))
        {
            var objectKey = _location.ObjectKey(alias, objectName);
            var uri = _location.Uri(objectKey);
            var record = await ReadAsync(objectKey, uri, required: objectName == recorded || tried.Count == 0, cancellationToken);
            if (record is null)
            {
                break;
            }

            Check(record, key, uri, privateKeySha256);
            tried.Add(uri);
            if (await TryImportAsync(key.KeyId, record, privateKey, uri, expirationDays, cancellationToken))
            {
                var after = await DescribeAsync(key.KeyId, cancellationToken);
                return new EscrowRestoreResult(
                    after.KeyId,
                    after.Arn,
                    uri,
                    after.KeyState?.Value ?? string.Empty,
                    after.ExpirationModel?.Value,
                    after.ValidTo is { } v ? new DateTimeOffset(DateTime.SpecifyKind(v, DateTimeKind.Utc)) : null);
            }
        }

        throw new EscrowRestoreException(
            $"The escrowed material does not match key {key.KeyId}: KMS refused the material of {string.Join(", ", tried)} as not the material the key held before. Nothing was imported.");
    }

    private static IEnumerable<string> Candidates(string keyId, string? recorded)
    {
        if (recorded is not null)
        {
            yield return recorded;
        }

        for (var attempt = 1; attempt <= 1000; attempt++)
        {
            var name = EscrowLocation.ObjectName(keyId, attempt);
            if (name != recorded)
            {
                yield return name;
            }
        }
    }

    private static RSA LoadPrivateKey(string pem)
    {
        if (string.IsNullOrWhiteSpace(pem))
        {
            throw new EscrowRestoreException("The escrow private key file is empty.");
        }

        if (pem.Contains("ENCRYPTED PRIVATE KEY", StringComparison.Ordinal) || pem.Contains("Proc-Type: 4,ENCRYPTED", StringComparison.Ordinal))
        {
            throw new EscrowRestoreException("The escrow private key is encrypted; decrypt it to a temporary file first (openssl pkey -in key.pem -out plain.pem) and delete that file afterwards.");
        }

        if (!pem.Contains("PRIVATE KEY", StringComparison.Ordinal))
        {
            throw new EscrowRestoreException("The escrow private key file holds no PEM private key (\"PRIVATE KEY\" or \"RSA PRIVATE KEY\"); a public key cannot unwrap escrow copies.");
        }

        var rsa = RSA.Create();
        try
        {
            rsa.ImportFromPem(pem);
            return rsa;
        }
        catch (Exception ex) when (ex is ArgumentException or CryptographicException)
        {
            rsa.Dispose();
            throw new EscrowRestoreException("The escrow private key file is not a readable RSA private key in PEM form.", ex);
        }
    }

    private static void Check(EscrowRecord record, KeyMetadata key, string uri, string privateKeySha256)
    {
        if (record.KeyId != key.KeyId)
        {
            throw new EscrowRestoreException($"{uri} is the escrow copy of key {record.KeyId}, not of {key.KeyId}. Nothing was imported.");
        }

        if (record.WrappingAlgorithm != EscrowPublicKey.WrappingAlgorithm)
        {
            throw new EscrowRestoreException($"{uri} was wrapped with {record.WrappingAlgorithm}; this tool unwraps {EscrowPublicKey.WrappingAlgorithm} only.");
        }

        if (!string.Equals(record.EscrowPublicKeySha256, privateKeySha256, StringComparison.OrdinalIgnoreCase))
        {
            throw new EscrowRestoreException(
                $"Wrong escrow private key: {uri} was wrapped for the escrow public key with sha256 {record.EscrowPublicKeySha256}, but the given private key's public key has sha256 {privateKeySha256}. Nothing was imported.");
        }
    }

    private async Task<bool> TryImportAsync(string keyId, EscrowRecord record, RSA privateKey, string uri, int expirationDays, CancellationToken ct)
    {
        var parameters = await CallAsync("GetParametersForImport", () => _kms.GetParametersForImportAsync(
            new GetParametersForImportRequest { KeyId = keyId, WrappingAlgorithm = AlgorithmSpec.RSAES_OAEP_SHA_256, WrappingKeySpec = WrappingKeySpec },
            ct));
        using var kmsRsa = RSA.Create();
        kmsRsa.ImportSubjectPublicKeyInfo(parameters.PublicKey.ToArray(), out _);

        byte[] wrapped;
        byte[]? material = null;
        try
        {
            try
            {
                material = privateKey.Decrypt(record.EncryptedKeyMaterial, RSAEncryptionPadding.OaepSHA256);
            }
            catch (CryptographicException ex)
            {
                throw new EscrowRestoreException($"Wrong escrow private key, or a damaged object: {uri} does not decrypt with it. Nothing was imported.", ex);
            }

            if (material.Length != EscrowedKeyMaterialImporter.MaterialLength)
            {
                throw new EscrowRestoreException($"{uri} unwraps to {material.Length} bytes, not the 32 bytes of SYMMETRIC_DEFAULT key material. Nothing was imported.");
            }

            wrapped = kmsRsa.Encrypt(material, RSAEncryptionPadding.OaepSHA256);
        }
        finally
        {
            if (material is not null)
            {
                CryptographicOperations.ZeroMemory(material);
            }
        }

        var now = _time.GetUtcNow();
        try
        {
            await _import.ImportAsync(
                new ImportKeyMaterialRequest
                {
                    KeyId = keyId,
                    ImportToken = new MemoryStream(parameters.ImportToken.ToArray()),
                    EncryptedKeyMaterial = new MemoryStream(wrapped),
                    ExpirationModel = expirationDays == 0 ? ExpirationModelType.KEY_MATERIAL_DOES_NOT_EXPIRE : ExpirationModelType.KEY_MATERIAL_EXPIRES,
                    ValidTo = expirationDays == 0 ? null : (expirationDays == 365 ? now.AddDays(365).AddMinutes(-5) : now.AddDays(expirationDays)).UtcDateTime,
                },
                ct);
            return true;
        }
        catch (IncorrectKeyMaterialException)
        {
            return false;
        }
        catch (AmazonServiceException ex)
        {
            throw new EscrowRestoreException($"KMS ImportKeyMaterial failed for {keyId}: {ex.ErrorCode ?? ex.GetType().Name}: {ex.Message}", ex);
        }
    }

    private async Task<EscrowRecord?> ReadAsync(string objectKey, string uri, bool required, CancellationToken ct)
    {
        byte[]? body;
        try
        {
            body = await _store.GetAsync(_location.Bucket, objectKey, ct);
        }
        catch (AmazonServiceException ex)
        {
            throw new EscrowRestoreException($"Could not read the escrow object {uri}: {ex.ErrorCode ?? ex.GetType().Name}: {ex.Message} (reading needs s3:GetObject; without s3:ListBucket a missing object answers AccessDenied).", ex);
        }

        if (body is null)
        {
            return required
                ? throw new EscrowRestoreException($"The escrow object {uri} does not exist. Check ESCROW_BUCKET and ESCROW_PREFIX (they must be those the rotation used) and the bucket's versions (a deleted object leaves its earlier versions). Nothing was imported.")
                : null;
        }

        try
        {
            return EscrowRecord.Parse(body);
        }
        catch (FormatException ex)
        {
            throw new EscrowRestoreException($"{uri} is not an escrow object: {ex.Message}. Nothing was imported.", ex);
        }
    }

    private async Task<KeyMetadata> DescribeAsync(string keyId, CancellationToken ct)
    {
        try
        {
            return (await _kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = keyId }, ct)).KeyMetadata;
        }
        catch (NotFoundException ex)
        {
            throw new EscrowRestoreException($"Key {keyId} does not exist in this account and Region.", ex);
        }
        catch (AmazonServiceException ex)
        {
            throw new EscrowRestoreException($"KMS DescribeKey failed for {keyId}: {ex.ErrorCode ?? ex.GetType().Name}: {ex.Message}", ex);
        }
    }

    private static async Task<T> CallAsync<T>(string operation, Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (AmazonServiceException ex)
        {
            throw new EscrowRestoreException($"KMS {operation} failed: {ex.ErrorCode ?? ex.GetType().Name}: {ex.Message}", ex);
        }
    }
}
