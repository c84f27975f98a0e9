namespace KeyRotation.LocalKms;

/// <summary>What each KMS key spec allows (usage, algorithms), per the KMS key spec reference.</summary>
internal static class KeySpecs
{
    public const string SymmetricDefault = "SYMMETRIC_DEFAULT";

    public const string EncryptDecrypt = "ENCRYPT_DECRYPT";

    public const string SignVerify = "SIGN_VERIFY";

    public const string GenerateVerifyMac = "GENERATE_VERIFY_MAC";

    public const string KeyAgreement = "KEY_AGREEMENT";

    private static readonly string[] RsaEncryption = ["RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256"];

    private static readonly string[] RsaSigning =
    [
        "RSASSA_PSS_SHA_256", "RSASSA_PSS_SHA_384", "RSASSA_PSS_SHA_512",
        "RSASSA_PKCS1_V1_5_SHA_256", "RSASSA_PKCS1_V1_5_SHA_384", "RSASSA_PKCS1_V1_5_SHA_512",
    ];

    public static readonly IReadOnlyList<string> All =
    [
        SymmetricDefault, "HMAC_224", "HMAC_256", "HMAC_384", "HMAC_512",
        "RSA_2048", "RSA_3072", "RSA_4096",
        "ECC_NIST_P256", "ECC_NIST_P384", "ECC_NIST_P521", "ECC_SECG_P256K1",
    ];

    public static bool IsHmac(string spec) => spec.StartsWith("HMAC_", StringComparison.Ordinal);

    public static bool IsRsa(string spec) => spec.StartsWith("RSA_", StringComparison.Ordinal);

    public static bool IsEcc(string spec) => spec.StartsWith("ECC_", StringComparison.Ordinal);

    /// <summary>Key "type" as UpdateAlias compares it: symmetric, asymmetric or HMAC.</summary>
    public static string TypeOf(string spec) =>
        spec == SymmetricDefault ? "symmetric" : IsHmac(spec) ? "HMAC" : "asymmetric";

    public static int HmacMaterialBytes(string spec) => spec switch
    {
        "HMAC_224" => 28,
        "HMAC_256" => 32,
        "HMAC_384" => 48,
        _ => 64,
    };

    public static IReadOnlyList<string> AllowedUsages(string spec) => spec switch
    {
        SymmetricDefault => [EncryptDecrypt],
        _ when IsHmac(spec) => [GenerateVerifyMac],
        _ when IsRsa(spec) => [EncryptDecrypt, SignVerify],
        "ECC_SECG_P256K1" => [SignVerify],
        _ => [SignVerify, KeyAgreement],
    };

    public static IReadOnlyList<string>? EncryptionAlgorithms(string spec, string usage) =>
        usage != EncryptDecrypt ? null : spec == SymmetricDefault ? [SymmetricDefault] : RsaEncryption;

    public static IReadOnlyList<string>? SigningAlgorithms(string spec, string usage) =>
        usage != SignVerify ? null : spec switch
        {
            _ when IsRsa(spec) => RsaSigning,
            "ECC_NIST_P384" => ["ECDSA_SHA_384"],
            "ECC_NIST_P521" => ["ECDSA_SHA_512"],
            _ => ["ECDSA_SHA_256"],
        };

    public static IReadOnlyList<string>? MacAlgorithms(string spec) =>
        IsHmac(spec) ? ["HMAC_SHA_" + spec[5..]] : null;

    public static IReadOnlyList<string>? KeyAgreementAlgorithms(string usage) =>
        usage == KeyAgreement ? ["ECDH"] : null;
}
