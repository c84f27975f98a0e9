using System.Globalization;
using System.Security.Cryptography;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using Amazon.Runtime;
using KeyRotation.Core.Protocol;

namespace KeyRotation.Core.KeyMaterial;

/// <summary>
/// Gives a new EXTERNAL-origin key its material: fresh import parameters, 32 random bytes wrapped at once for the
/// escrow key and for KMS (the clear bytes are then zeroed), the escrow object written (never overwriting) and read
/// back, the key tagged with that object's name, and only then ImportKeyMaterial.
/// <para>
/// Crash safety. The function holds only the escrow <em>public</em> key, so material escrowed by a run that died
/// cannot be read back and imported by a later run. The protocol therefore never reuses material across runs; it
/// reuses the <em>record</em>:
/// </para>
/// <list type="bullet">
/// <item>The key is tagged escrow-object tag (<see cref="KeyRecord.EscrowObject"/>) = the object it is about to import, after the
/// object is written and verified and before ImportKeyMaterial. So whatever material the key holds, the tag names
/// its escrow copy.</item>
/// <item>Resume, key Enabled (material imported, maybe the response was lost): nothing is generated or imported;
/// the tagged object is the record and the notification names it.</item>
/// <item>Resume, key still PendingImport (no import happened): fresh material under the next, never used object
/// name (<c>&lt;key id&gt;.json</c>, then <c>&lt;key id&gt;.2.json</c>, …; an existing object answers 412 and the next
/// name is tried), the tag moved to it, then imported. Earlier objects stay untouched; their material was never
/// imported, so they are orphans, never the copy of a key's material.</item>
/// <item>The alias moves only after the key is described Enabled with this origin and expiration (see
/// <see cref="CheckImported"/>), so it never points at a key pending import.</item>
/// </list>
/// </summary>
public sealed partial class EscrowedKeyMaterialImporter : IKeyMaterialImporter
{
    /// <summary>256-bit material, the only size KMS imports for SYMMETRIC_DEFAULT keys.</summary>
    internal const int MaterialLength = 32;

    /// <summary>Numbered object names tried per run before giving up (each taken one is a run that died after escrowing).</summary>
    private const int MaxObjectNamesPerRun = 20;

    /// <summary>KMS accepts ValidTo at most 365 days ahead; keep a margin for clock skew at the maximum.</summary>
    private static readonly TimeSpan MaxValidToMargin = TimeSpan.FromMinutes(5);

    private readonly IAmazonKeyManagementService _kms;
    private readonly IEscrowStore? _store;
    private readonly KeyMaterialOptions _options;
    private readonly TimeProvider _time;
    private readonly IRotationLog _log;
    private readonly MaterialImport _import;

    public EscrowedKeyMaterialImporter(IAmazonKeyManagementService kms, IEscrowStore? store, KeyMaterialOptions options, TimeProvider time, IRotationLog? log = null)
    {
        ArgumentNullException.ThrowIfNull(kms);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentOutOfRangeException.ThrowIfNegative(options.ExpirationDays);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(options.ExpirationDays, 365);
        if (options.Escrow is not null && store is null)
        {
            throw new ArgumentException("Escrow is configured, so an escrow store is needed.", nameof(store));
        }

        _kms = kms;
        _store = store;
        _options = options;
        _time = time;
        _log = log ?? NullRotationLog.Instance;
        _import = new MaterialImport(kms);
    }

    /// <inheritdoc/>
    public IReadOnlyList<string> StandingWarnings => _options.Escrow is null
        ? ["WARNING: escrow is disabled (ESCROW_DISABLED=true). New keys' imported material has no copy: if it expires or is deleted, everything encrypted under those keys is lost for good."]
        : [];

    public string? Refuse(KeyMetadata currentKey)
    {
        ArgumentNullException.ThrowIfNull(currentKey);
        return currentKey.KeySpec == KeySpec.SYMMETRIC_DEFAULT
            ? null
            : $"Key {currentKey.KeyId} is {currentKey.KeySpec?.Value}: rotation with imported key material (KEY_MATERIAL_ORIGIN=EXTERNAL) supports SYMMETRIC_DEFAULT keys only. Nothing was changed.";
    }

    /// <inheritdoc/>
    public string DescribePlan(string aliasName)
    {
        var escrow = _options.Escrow is { } e
            ? $"escrow it (RSAES-OAEP SHA-256, escrow key sha256 {e.PublicKey.Sha256[..16]}…) to {e.Location.Uri(e.Location.ObjectKey(aliasName, "<new key id>.json"))} and read it back"
            : "NOT escrow it (ESCROW_DISABLED=true: no copy will exist)";
        return $"generate 256-bit key material, {escrow}, import it ({ExpirationText()});";
    }

    /// <inheritdoc/>
    public string? CheckImported(KeyMetadata newKey)
    {
        ArgumentNullException.ThrowIfNull(newKey);
        if (newKey.Origin != OriginType.EXTERNAL)
        {
            return $"The new key {newKey.KeyId} has origin {newKey.Origin?.Value}, but KEY_MATERIAL_ORIGIN is EXTERNAL.";
        }

        if (_options.ExpirationDays == 0)
        {
            return newKey.ExpirationModel == ExpirationModelType.KEY_MATERIAL_DOES_NOT_EXPIRE
                ? null
                : $"The new key {newKey.KeyId}'s material has expiration model {newKey.ExpirationModel?.Value}, but KEY_MATERIAL_EXPIRATION_DAYS is 0 (does not expire).";
        }

        if (newKey.ExpirationModel != ExpirationModelType.KEY_MATERIAL_EXPIRES || newKey.ValidTo is not { } validTo)
        {
            return $"The new key {newKey.KeyId}'s material has expiration model {newKey.ExpirationModel?.Value}, but KEY_MATERIAL_EXPIRATION_DAYS is {_options.ExpirationDays} (expires).";
        }

        var until = new DateTimeOffset(DateTime.SpecifyKind(validTo, DateTimeKind.Utc));
        return until > _time.GetUtcNow()
            ? null
            : $"The new key {newKey.KeyId}'s material expired at {RecordedTime.Format(until)}; restore it from escrow (keyrotation reimport {newKey.KeyId}).";
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyList<string>> EnsureImportedAsync(string aliasName, KeyMetadata newKey, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(newKey);
        if (newKey.Origin != OriginType.EXTERNAL)
        {
            throw new RotationException($"Key {newKey.KeyId} has origin {newKey.Origin?.Value}; only EXTERNAL keys get imported material.");
        }

        var recorded = (await _import.RecordAsync(newKey.KeyId, cancellationToken)).EscrowObject;

        if (newKey.KeyState == KeyState.Enabled)
        {
            // Imported by an earlier run (perhaps it died before hearing back): the tag names the copy of that material.
            return Notes(aliasName, newKey.KeyId, recorded, resumedAfterImport: true);
        }

        if (newKey.KeyState != KeyState.PendingImport)
        {
            throw new RotationException($"The new key {newKey.KeyId} is {newKey.KeyState}; it must be PendingImport to receive material.");
        }

        var attempt = 1;
        if (recorded is not null)
        {
            attempt = (EscrowLocation.AttemptOf(newKey.KeyId, recorded)
                ?? throw new RotationException($"Key {newKey.KeyId} is tagged {KeyRecord.EscrowObjectTag}={recorded}, which is not an escrow object name of this key; remove the tag only after checking the escrow bucket.")) + 1;
        }

        // Fresh parameters on every attempt: a token is valid for 24 hours and belongs to this key only.
        var parameters = await KmsCalls.CallAsync("GetParametersForImport", () => _kms.GetParametersForImportAsync(
            new GetParametersForImportRequest
            {
                KeyId = newKey.KeyId,
                WrappingAlgorithm = AlgorithmSpec.RSAES_OAEP_SHA_256,
                WrappingKeySpec = _options.WrappingKeySpec,
            },
            cancellationToken));

        var (wrappedForKms, wrappedForEscrow) = GenerateAndWrap(parameters.PublicKey, _options.Escrow?.PublicKey);

        string? objectName = null;
        if (_options.Escrow is { } escrow)
        {
            objectName = await WriteEscrowAsync(escrow, aliasName, newKey, n => EscrowLocation.ObjectName(newKey.KeyId, n), attempt, wrappedForEscrow!, cancellationToken);
            await _import.RecordEscrowObjectAsync(newKey.KeyId, objectName, cancellationToken);
        }

        var now = _time.GetUtcNow();
        var import = new ImportKeyMaterialRequest
        {
            KeyId = newKey.KeyId,
            ImportToken = new MemoryStream(parameters.ImportToken.ToArray()),
            EncryptedKeyMaterial = new MemoryStream(wrappedForKms),
            ExpirationModel = _options.ExpirationDays == 0 ? ExpirationModelType.KEY_MATERIAL_DOES_NOT_EXPIRE : ExpirationModelType.KEY_MATERIAL_EXPIRES,
            ValidTo = _options.ExpirationDays == 0 ? null : ValidTo(now).UtcDateTime,
        };
        try
        {
            // ImportType stays unset on purpose: KMS takes it as NEW for a key's first material and EXISTING after,
            // so material other than the key's own is refused (IncorrectKeyMaterialException) instead of added.
            await _import.ImportAsync(import, cancellationToken);
        }
        catch (AmazonServiceException ex) when (recorded is not null && objectName is not null)
        {
            // The import did not happen, so the key still holds (or last held) the material of the earlier object:
            // put the tag back on that copy, so the tag keeps naming the material the key really had.
            await _import.RecordEscrowObjectAsync(newKey.KeyId, recorded, cancellationToken);
            throw Translate(newKey.KeyId, ex);
        }
        catch (AmazonServiceException ex)
        {
            throw Translate(newKey.KeyId, ex);
        }

        _log.Write(new RotationLogEntry(RotationLogLevel.Information, objectName is null ? "Imported key material (escrow disabled)" : "Imported key material escrowed as " + objectName, null, aliasName, null, newKey.KeyId));
        return Notes(aliasName, newKey.KeyId, objectName, resumedAfterImport: false);
    }

    /// <summary>
    /// The only place material exists in clear: one 32-byte buffer, wrapped for KMS and for escrow, then zeroed.
    /// </summary>
    private static (byte[] ForKms, byte[]? ForEscrow) GenerateAndWrap(MemoryStream kmsWrappingKey, EscrowPublicKey? escrowKey)
    {
        using var kmsRsa = RSA.Create();
        kmsRsa.ImportSubjectPublicKeyInfo(kmsWrappingKey.ToArray(), out _);
        var material = new byte[MaterialLength];
        try
        {
            RandomNumberGenerator.Fill(material);
            var forEscrow = escrowKey?.Wrap(material);
            var forKms = kmsRsa.Encrypt(material, RSAEncryptionPadding.OaepSHA256);
            return (forKms, forEscrow);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(material);
        }
    }

    private static RotationException Translate(string keyId, AmazonServiceException ex) => ex is IncorrectKeyMaterialException
        ? new RotationException(
            $"Key {keyId} held imported material before that is now gone (expired or deleted before the alias moved), and KMS accepts only that material again. " +
            $"Restore it with keyrotation reimport {keyId} --escrow-private-key FILE; the alias still points at the previous key.",
            ex)
        : new RotationException($"KMS ImportKeyMaterial failed for {keyId}: {ex.ErrorCode ?? ex.GetType().Name}: {ex.Message} The alias still points at the previous key; the next run retries with fresh material and a new escrow object.", ex);

    private IReadOnlyList<string> Notes(string aliasName, string keyId, string? objectName, bool resumedAfterImport)
    {
        var expiry = $"Imported key material of {keyId}: {ExpirationText()}.";
        if (_options.Escrow is not { } escrow)
        {
            return
            [
                $"WARNING: escrow is disabled (ESCROW_DISABLED=true). No copy of the imported key material of {keyId} exists: if it expires or is deleted, everything encrypted under this key is lost for good.",
                expiry,
            ];
        }

        if (objectName is null)
        {
            return
            [
                $"WARNING: key {keyId} already held imported material when this run resumed, but it names no escrow object (tag {KeyRecord.EscrowObjectTag}); check {escrow.Location.Uri(escrow.Location.ObjectKey(aliasName, string.Empty))} before relying on it.",
                expiry,
            ];
        }

        var uri = escrow.Location.Uri(escrow.Location.ObjectKey(aliasName, objectName));
        return
        [
            $"Escrow copy of the imported key material{(resumedAfterImport ? " (written by the run that imported it)" : string.Empty)}: {uri} (wrapped with the escrow public key sha256 {escrow.PublicKey.Sha256}). " +
            $"Restore after expiry or deletion: keyrotation reimport {keyId} --escrow-private-key FILE.",
            expiry,
        ];
    }

    private string ExpirationText() => _options.ExpirationDays == 0
        ? "the material does not expire"
        : string.Create(CultureInfo.InvariantCulture, $"the material expires {_options.ExpirationDays} day(s) after import; reimport it from escrow before then");

    private DateTimeOffset ValidTo(DateTimeOffset now) =>
        _options.ExpirationDays == 365 ? now.AddDays(365) - MaxValidToMargin : now.AddDays(_options.ExpirationDays);

    private static RotationException EscrowFailed(string what, Exception? inner)
    {
        var message = $"Escrow failed: {what}. Nothing was imported and the alias still points at the previous key; the next run retries. Check the escrow bucket, its policy and the function's s3:PutObject/s3:GetObject permissions on the escrow prefix.";
        return inner is null ? new RotationException(message) : new RotationException(message, inner);
    }

}
