using System.Security.Cryptography;

namespace KeyRotation.Testing;

/// <summary>RSA keys for tests, generated once per test run (3072-bit generation takes about a second).</summary>
internal static class EscrowKeys
{
    private static readonly Lazy<RSA> Escrow3072 = new(() => RSA.Create(3072));
    private static readonly Lazy<RSA> Small2048 = new(() => RSA.Create(2048));

    /// <summary>The escrow key pair the tests configure.</summary>
    public static RSA Escrow => Escrow3072.Value;

    /// <summary>A key too small for escrow, also used as KMS's import wrapping key in unit tests.</summary>
    public static RSA Rsa2048 => Small2048.Value;

    public static string EscrowPublicPem => Escrow.ExportSubjectPublicKeyInfoPem();

    public static string EscrowPublicBase64Der => Convert.ToBase64String(Escrow.ExportSubjectPublicKeyInfo());
}
