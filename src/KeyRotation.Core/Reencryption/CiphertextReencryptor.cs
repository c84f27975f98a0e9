using System.Globalization;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using Amazon.Runtime;
using KeyRotation.Core.Consumers;

namespace KeyRotation.Core.Reencryption;

/// <summary>
/// Re-encrypts stored ciphertexts under an alias's current key with KMS ReEncrypt, so the plaintext never leaves KMS.
/// The source key is the one KMS finds in the ciphertext (symmetric ciphertexts carry it), or the one the run's
/// <see cref="ReencryptionSource"/> names (RSA ciphertexts do not); the result is kept only when that key is one of
/// the alias's generations. ReEncrypt changes no key state, so this lives beside the
/// protocol, not in it. Every KMS error becomes the item's reason: one ciphertext failing never stops the others.
/// Each ReEncrypt waits for a token of the pacer's "kms:ReEncrypt" rate: ReEncrypt shares the account's
/// cryptographic-operations quota with the applications' own Encrypt and Decrypt calls, which must not be starved.
/// </summary>
internal sealed class CiphertextReencryptor
{
    private readonly IAmazonKeyManagementService _kms;
    private readonly ReencryptionTarget _target;
    private readonly ConsumerRequestPacer _pacer;
    private readonly ReencryptionSource _source;

    public CiphertextReencryptor(IAmazonKeyManagementService kms, ReencryptionTarget target, ConsumerRequestPacer pacer, ReencryptionSource? source = null)
    {
        ArgumentNullException.ThrowIfNull(pacer);
        _kms = kms;
        _target = target;
        _pacer = pacer;
        _source = source ?? ReencryptionSource.FromCiphertext;
    }

    /// <summary>
    /// One ReEncrypt to the current key's ARN. A dry run asks KMS with DryRun (permissions and the ciphertext are
    /// checked; KMS does not say which key the ciphertext is under, so another alias's key is only found in a real run).
    /// </summary>
    public async Task<ReencryptionResult> ReencryptAsync(byte[] ciphertext, ReencryptionContexts contexts, bool dryRun, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(ciphertext);
        ArgumentNullException.ThrowIfNull(contexts);
        await _pacer.WaitAsync("kms", "ReEncrypt", ct);
        ReEncryptResponse answer;
        try
        {
            answer = await _kms.ReEncryptAsync(Request(ciphertext, contexts, dryRun), ct);
        }
        catch (DryRunOperationException) when (dryRun)
        {
            return new ReencryptionResult(ReencryptionOutcome.Planned, $"KMS would re-encrypt it under {_target.CurrentKey.KeyId} (DryRun; the key it is under is not checked in a dry run).");
        }
        catch (AmazonServiceException ex)
        {
            return Failed(ex);
        }

        if (answer.SourceKeyId is not { Length: > 0 } source)
        {
            return new ReencryptionResult(ReencryptionOutcome.Failed, "KMS did not say which key the ciphertext was under, so it cannot be checked against the alias's generations.");
        }

        (bool IsGeneration, long? Generation) found;
        try
        {
            found = await _target.FindAsync(source, ct);
        }
        catch (RotationException ex)
        {
            return new ReencryptionResult(ReencryptionOutcome.Failed, $"it is under key {source}, which could not be checked against {_target.Alias}'s generations: {ex.Message}") { SourceKeyArn = source };
        }

        if (!found.IsGeneration)
        {
            var others = _target.AliasesOf(source);
            var whose = others.Count > 0 ? $" (a key of {string.Join(", ", others)})" : string.Empty;
            return new ReencryptionResult(ReencryptionOutcome.Failed, $"it is under key {source}{whose}, which is not a generation of {_target.Alias}.") { SourceKeyArn = source };
        }

        var sameMaterial = answer.SourceKeyMaterialId == answer.DestinationKeyMaterialId;
        if (_target.IsCurrent(source) && sameMaterial && contexts.Unchanged)
        {
            // Already current: the stored ciphertext stays (KMS's new one would differ only in its random parts). An RSA
            // key has one key pair and no material ids.
            var material = answer.SourceKeyMaterialId is null ? string.Empty : " and its current key material";
            return new ReencryptionResult(ReencryptionOutcome.Skipped, $"already under the current key {_target.CurrentKey.KeyId}{material}.") { Ciphertext = ciphertext, SourceKeyArn = source };
        }

        var from = _target.IsCurrent(source)
            ? sameMaterial ? $"the current key {_target.CurrentKey.KeyId}, with the new encryption context" : $"an older key material of the current key {_target.CurrentKey.KeyId}"
            : $"key {ReencryptionTarget.KeyIdOf(source)}{(found.Generation is { } generation ? string.Create(CultureInfo.InvariantCulture, $" (generation {generation})") : string.Empty)}";
        return new ReencryptionResult(ReencryptionOutcome.ReEncrypted, $"re-encrypted from {from} to {_target.CurrentKey.KeyId}.")
        {
            Ciphertext = answer.CiphertextBlob.ToArray(),
            SourceKeyArn = source,
        };
    }

    private ReEncryptRequest Request(byte[] ciphertext, ReencryptionContexts contexts, bool dryRun) => new()
    {
        CiphertextBlob = new MemoryStream(ciphertext, writable: false),
        DestinationKeyId = _target.CurrentKey.Arn,
        SourceKeyId = _source.KeyArn,
        SourceEncryptionAlgorithm = _source.Algorithm,
        DestinationEncryptionAlgorithm = _source.Algorithm,
        SourceEncryptionContext = contexts.Source.Count > 0 ? new Dictionary<string, string>(contexts.Source, StringComparer.Ordinal) : null,
        DestinationEncryptionContext = contexts.Destination.Count > 0 ? new Dictionary<string, string>(contexts.Destination, StringComparer.Ordinal) : null,
        DryRun = dryRun ? true : null,
    };

    /// <summary>KMS's error code and message, with what the code means here when KMS's own message says little.</summary>
    private ReencryptionResult Failed(AmazonServiceException ex)
    {
        var code = ex.ErrorCode ?? ex.GetType().Name;
        var message = string.IsNullOrWhiteSpace(ex.Message) ? string.Empty : " " + ex.Message.TrimEnd('.') + ".";
        var meaning = ex switch
        {
            InvalidCiphertextException when _source.Algorithm is { } algorithm => $" KMS cannot decrypt it with {ReencryptionTarget.KeyIdOf(_source.KeyArn ?? "?")} and {algorithm.Value}: it is not a ciphertext of that key, it was encrypted with another algorithm than --encryption-algorithm gives, or it is damaged.",
            InvalidCiphertextException => " KMS cannot decrypt it: it is not a KMS ciphertext, it is damaged, or it was encrypted with another encryption context than --encryption-context gives.",
            IncorrectKeyException => _source.KeyArn is null ? " It was encrypted under another key than the one named." : " It was encrypted under another key than --source-key-id names.",
            NotFoundException => " The key it was encrypted under may have been deleted.",
            DisabledException or KMSInvalidStateException => " The key it was encrypted under is not usable now (disabled or pending deletion): enable it, or cancel its deletion, and run again.",
            _ => string.Empty,
        };
        return new ReencryptionResult(ReencryptionOutcome.Failed, $"{code}:{message}{meaning}");
    }
}
