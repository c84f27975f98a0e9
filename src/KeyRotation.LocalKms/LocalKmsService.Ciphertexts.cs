using System.Security.Cryptography;

namespace KeyRotation.LocalKms;

/// <content>
/// Which key opens a ciphertext, and opening and sealing with a symmetric or an RSA key: shared by Decrypt, which
/// opens, and ReEncrypt, which opens with one key and seals with another.
/// </content>
public sealed partial class LocalKmsService
{
    /// <summary>
    /// The usable key that can decrypt <paramref name="blob"/>: for symmetric ciphertext the key it names (which
    /// <paramref name="requestedKeyId"/>, when given, must identify: IncorrectKeyException), for asymmetric
    /// ciphertext the key <paramref name="requestedKeyId"/> names (required: <paramref name="keyIdField"/> names it).
    /// </summary>
    private (KmsKey Key, CiphertextHeader? Header) CiphertextKey(byte[] blob, string algorithm, string? requestedKeyId, string keyIdField)
    {
        if (algorithm != KeySpecs.SymmetricDefault)
        {
            var asymmetric = Resolve(requestedKeyId ?? throw KmsErrorException.Validation($"{keyIdField} is required to decrypt with an asymmetric key."), allowAlias: true);
            RequireUsable(asymmetric, KeySpecs.EncryptDecrypt);
            RequireAlgorithm(asymmetric, algorithm);
            return (asymmetric, null);
        }

        var header = ParseHeader(blob);
        var key = _keys.GetValueOrDefault(header.KeyId)
            ?? throw new KmsErrorException("InvalidCiphertextException", "The ciphertext refers to a key that does not exist.");
        if (requestedKeyId is not null && Resolve(requestedKeyId, allowAlias: true).KeyId != key.KeyId)
        {
            throw new KmsErrorException("IncorrectKeyException", $"The {keyIdField} in the request does not identify the key that encrypted the ciphertext.");
        }

        RequireUsable(key, KeySpecs.EncryptDecrypt);
        return (key, header);
    }

    /// <summary>Decrypts <paramref name="blob"/> with <paramref name="key"/>; the id of the key material used, for symmetric keys.</summary>
    private static (byte[] Plaintext, string? MaterialId) Open(KmsKey key, byte[] blob, CiphertextHeader? header, string algorithm, SortedDictionary<string, string> context)
    {
        if (header is { } symmetric)
        {
            return OpenSymmetric(key, blob, symmetric, context);
        }

        try
        {
            return (((RSA)key.KeyPair!).Decrypt(blob, OaepPadding(algorithm)), null);
        }
        catch (CryptographicException)
        {
            throw new KmsErrorException("InvalidCiphertextException", "The ciphertext is not valid for this key and algorithm.");
        }
    }

    /// <summary>Encrypts under <paramref name="key"/>'s current material, or its public key for an asymmetric key.</summary>
    private static byte[] Seal(KmsKey key, byte[] plaintext, string algorithm, SortedDictionary<string, string> context)
    {
        if (key.KeySpec == KeySpecs.SymmetricDefault)
        {
            return SealSymmetric(key, plaintext, context);
        }

        try
        {
            return ((RSA)key.KeyPair!).Encrypt(plaintext, OaepPadding(algorithm));
        }
        catch (CryptographicException)
        {
            throw KmsErrorException.Validation($"The plaintext ({plaintext.Length} bytes) is too long for {algorithm} with {key.Arn} ({key.KeySpec}).");
        }
    }
}
