using System.Security.Cryptography;
using System.Text.Json.Nodes;

namespace KeyRotation.LocalKms;

/// <content>
/// ReEncrypt, as the KMS API reference describes it: decrypts with the source key (named by the symmetric ciphertext
/// itself, or by SourceKeyId, which must then be that key: IncorrectKeyException; required for asymmetric
/// ciphertext) and encrypts under DestinationKeyId (key id, key ARN, alias name or alias ARN), so the plaintext never
/// leaves LocalKms. Both keys must be Enabled (the key state table's DisabledException / KMSInvalidStateException) and
/// ENCRYPT_DECRYPT keys; the caller needs kms:ReEncryptFrom on the source and kms:ReEncryptTo on the destination,
/// which LocalKms checks where it checks permissions at all: while a key's authorization change propagates
/// (<see cref="AuthorizationDelay"/>). A success is recorded as the last use of both keys (GetKeyLastUsage).
/// </content>
public sealed partial class LocalKmsService
{
    private const int MaxCiphertextSize = 6144;
    private const int MaxGrantTokens = 10;
    private const string IgnoreCiphertext = "IGNORE_CIPHERTEXT";
    private static readonly string[] DryRunModifierValues = [IgnoreCiphertext];

    private JsonObject ReEncrypt(KmsRequest request, string? caller)
    {
        var destinationKeyId = request.RequiredString("DestinationKeyId");
        var sourceAlgorithm = request.Enum("SourceEncryptionAlgorithm", EncryptionAlgorithmValues) ?? KeySpecs.SymmetricDefault;
        var destinationAlgorithm = request.Enum("DestinationEncryptionAlgorithm", EncryptionAlgorithmValues) ?? KeySpecs.SymmetricDefault;
        var sourceContext = request.StringMap("SourceEncryptionContext");
        var destinationContext = request.StringMap("DestinationEncryptionContext");
        RequireGrantTokens(request);
        var dryRun = request.Bool("DryRun");
        var ignoreCiphertext = dryRun && request.StringList("DryRunModifiers").Contains(IgnoreCiphertext);
        foreach (var modifier in request.StringList("DryRunModifiers"))
        {
            _ = DryRunModifierValues.Contains(modifier) ? modifier : throw KmsErrorException.Validation(
                $"1 validation error detected: Value '{modifier}' at 'dryRunModifiers' failed to satisfy constraint: Member must satisfy enum value set: [{IgnoreCiphertext}]");
        }

        var blob = request.Blob("CiphertextBlob");
        if (blob is null && !ignoreCiphertext)
        {
            throw KmsErrorException.Validation("CiphertextBlob is required (unless DryRun is true with DryRunModifiers IGNORE_CIPHERTEXT).");
        }

        if (blob is { Length: < 1 or > MaxCiphertextSize })
        {
            throw KmsErrorException.Validation($"CiphertextBlob must be between 1 and {MaxCiphertextSize} bytes.");
        }

        var (source, header) = ignoreCiphertext
            ? (UsableSourceNamedBy(request.String("SourceKeyId"), sourceAlgorithm), null)
            : CiphertextKey(blob!, sourceAlgorithm, request.String("SourceKeyId"), "SourceKeyId");
        DenyWhileAuthorizationPropagates("ReEncrypt", "ReEncryptFrom", source, caller);

        var destination = Resolve(destinationKeyId, allowAlias: true);
        RequireUsable(destination, KeySpecs.EncryptDecrypt);
        RequireAlgorithm(destination, destinationAlgorithm);
        DenyWhileAuthorizationPropagates("ReEncrypt", "ReEncryptTo", destination, caller);

        if (ignoreCiphertext)
        {
            throw DryRunSucceeded();
        }

        var (plaintext, sourceMaterialId) = Open(source, blob!, header, sourceAlgorithm, sourceContext);
        try
        {
            var ciphertext = Seal(destination, plaintext, destinationAlgorithm, destinationContext);
            if (dryRun)
            {
                throw DryRunSucceeded();
            }

            RecordReEncrypt(source, destination);
            var result = new JsonObject
            {
                ["CiphertextBlob"] = Convert.ToBase64String(ciphertext),
                ["SourceKeyId"] = source.Arn,
                ["KeyId"] = destination.Arn,
                ["SourceEncryptionAlgorithm"] = sourceAlgorithm,
                ["DestinationEncryptionAlgorithm"] = destinationAlgorithm,
            };
            if (sourceMaterialId is not null)
            {
                result["SourceKeyMaterialId"] = sourceMaterialId;
            }

            if (destination.KeySpec == KeySpecs.SymmetricDefault)
            {
                result["DestinationKeyMaterialId"] = destination.Materials.Current!.Id;
            }

            return result;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plaintext);
        }
    }

    /// <summary>With IGNORE_CIPHERTEXT there is no ciphertext to name the source key, so SourceKeyId must.</summary>
    private KmsKey UsableSourceNamedBy(string? sourceKeyId, string algorithm)
    {
        var key = Resolve(sourceKeyId ?? throw KmsErrorException.Validation("SourceKeyId is required when DryRunModifiers is IGNORE_CIPHERTEXT."), allowAlias: true);
        RequireUsable(key, KeySpecs.EncryptDecrypt);
        RequireAlgorithm(key, algorithm);
        return key;
    }

    /// <summary>One call, one CloudTrail event: both keys record it with the same request and event ids.</summary>
    private void RecordReEncrypt(KmsKey source, KmsKey destination)
    {
        var eventId = Guid.NewGuid().ToString();
        RecordUse(source, "ReEncrypt", eventId);
        RecordUse(destination, "ReEncrypt", eventId);
    }

    private static void RequireGrantTokens(KmsRequest request)
    {
        var tokens = request.StringList("GrantTokens");
        if (tokens.Count > MaxGrantTokens || tokens.Exists(t => t.Length is < 1 or > 8192))
        {
            throw KmsErrorException.Validation($"GrantTokens must hold at most {MaxGrantTokens} tokens of 1 to 8192 characters.");
        }
    }

    private static KmsErrorException DryRunSucceeded() =>
        new("DryRunOperationException", "The request would have succeeded, but the DryRun parameter was specified.", 412);
}
