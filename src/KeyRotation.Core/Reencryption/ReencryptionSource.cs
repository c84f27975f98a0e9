using Amazon.KeyManagementService;

namespace KeyRotation.Core.Reencryption;

/// <summary>
/// How KMS is to read the stored ciphertexts of a run and write the new ones. <see cref="KeyArn"/>: the generation they
/// were encrypted under, sent as SourceKeyId (required for RSA ciphertexts, which do not name their key; for symmetric
/// ones optional, and KMS then refuses a ciphertext of another key). <see cref="Algorithm"/>: the RSA encryption
/// algorithm, sent as both SourceEncryptionAlgorithm and DestinationEncryptionAlgorithm (an RSA alias's generations
/// share their key spec); null for symmetric keys, where KMS's default SYMMETRIC_DEFAULT applies.
/// </summary>
internal sealed record ReencryptionSource(string? KeyArn, EncryptionAlgorithmSpec? Algorithm)
{
    /// <summary>Symmetric ciphertexts, each naming its own key.</summary>
    public static ReencryptionSource FromCiphertext { get; } = new(null, null);
}
