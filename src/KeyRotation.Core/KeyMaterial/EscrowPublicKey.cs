using System.Security.Cryptography;

namespace KeyRotation.Core.KeyMaterial;

/// <summary>
/// The customer's escrow RSA public key (ESCROW_PUBLIC_KEY): PEM, or one-line base64 DER SubjectPublicKeyInfo,
/// at least 3072 bits. Imported key material is wrapped with it (RSAES-OAEP, SHA-256, MGF1 SHA-256) before it is
/// written to the escrow bucket; only the holder of the private key can read it back.
/// </summary>
public sealed class EscrowPublicKey
{
    /// <summary>The smallest escrow key accepted, in bits.</summary>
    public const int MinimumKeySize = 3072;

    /// <summary>The only padding used for escrow copies; written into every escrow object.</summary>
    public const string WrappingAlgorithm = "RSAES_OAEP_SHA_256";

    private readonly byte[] _subjectPublicKeyInfo;

    private EscrowPublicKey(byte[] subjectPublicKeyInfo, int keySize)
    {
        _subjectPublicKeyInfo = subjectPublicKeyInfo;
        KeySize = keySize;
        Sha256 = Fingerprint(subjectPublicKeyInfo);
    }

    /// <summary>Key size in bits.</summary>
    public int KeySize { get; }

    /// <summary>Lower-case hex SHA-256 of the DER SubjectPublicKeyInfo; names the key in escrow objects.</summary>
    public string Sha256 { get; }

    /// <summary>Parses and checks the key; throws <see cref="FormatException"/> saying what is wrong (never echoing the text).</summary>
    public static EscrowPublicKey Parse(string text) =>
        TryParse(text, out var key, out var problem) ? key : throw new FormatException(problem);

    /// <summary>Parses and checks the key; <paramref name="problem"/> says what is wrong, without echoing the text (it may be a private key).</summary>
    public static bool TryParse(string? text, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out EscrowPublicKey? key, [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out string? problem)
    {
        key = null;
        problem = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            problem = "the escrow public key is empty";
            return false;
        }

        var trimmed = text.Trim();
        if (trimmed.Contains("PRIVATE KEY", StringComparison.Ordinal))
        {
            // Anywhere, not only in the first PEM block: a private key must never reach the function's environment.
            problem = "the escrow public key is a private key (it holds a PEM PRIVATE KEY block); configure the public key only (openssl pkey -in escrow.pem -pubout) and keep the private key off the function";
            return false;
        }

        byte[] der;
        var pkcs1 = false;
        if (trimmed.Contains("-----BEGIN", StringComparison.Ordinal))
        {
            if (!PemEncoding.TryFind(trimmed, out var fields))
            {
                problem = "the escrow public key looks like PEM but is not valid PEM (check the BEGIN/END lines and the base64 between them)";
                return false;
            }

            var label = trimmed[fields.Label];
            if (label.Contains("PRIVATE KEY", StringComparison.Ordinal))
            {
                problem = $"the escrow public key is a private key (PEM \"{label}\"); configure the public key only (openssl pkey -in escrow.pem -pubout) and keep the private key off the function";
                return false;
            }

            if (label is not "PUBLIC KEY" and not "RSA PUBLIC KEY")
            {
                problem = $"the escrow public key is PEM \"{label}\", not \"PUBLIC KEY\" (an RSA SubjectPublicKeyInfo)";
                return false;
            }

            pkcs1 = label == "RSA PUBLIC KEY";
            der = new byte[fields.DecodedDataLength];
            if (!Convert.TryFromBase64Chars(trimmed.AsSpan()[fields.Base64Data], der, out _))
            {
                problem = "the escrow public key's PEM body is not valid base64";
                return false;
            }
        }
        else
        {
            try
            {
                der = Convert.FromBase64String(trimmed);
            }
            catch (FormatException)
            {
                problem = "the escrow public key is neither PEM nor base64 DER SubjectPublicKeyInfo";
                return false;
            }
        }

        using var rsa = RSA.Create();
        try
        {
            int read;
            if (pkcs1)
            {
                rsa.ImportRSAPublicKey(der, out read);
            }
            else
            {
                rsa.ImportSubjectPublicKeyInfo(der, out read);
            }

            if (read != der.Length)
            {
                problem = $"the escrow public key has {der.Length - read} byte(s) after the key; give exactly one key";
                return false;
            }

            // The canonical encoding, so the fingerprint is the one a restore computes from the private key.
            der = rsa.ExportSubjectPublicKeyInfo();
        }
        catch (CryptographicException)
        {
            problem = Classify(der);
            return false;
        }

        if (rsa.KeySize < MinimumKeySize)
        {
            problem = $"the escrow public key is a {rsa.KeySize}-bit RSA key; at least {MinimumKeySize} bits are required";
            return false;
        }

        key = new EscrowPublicKey(der, rsa.KeySize);
        return true;
    }

    /// <summary>Lower-case hex SHA-256 of a DER SubjectPublicKeyInfo.</summary>
    public static string Fingerprint(ReadOnlySpan<byte> subjectPublicKeyInfo) => Convert.ToHexStringLower(SHA256.HashData(subjectPublicKeyInfo));

    /// <summary>Wraps key material for escrow (RSAES-OAEP with SHA-256 and MGF1 SHA-256).</summary>
    public byte[] Wrap(ReadOnlySpan<byte> material)
    {
        using var rsa = RSA.Create();
        rsa.ImportSubjectPublicKeyInfo(_subjectPublicKeyInfo, out _);
        return rsa.Encrypt(material, RSAEncryptionPadding.OaepSHA256);
    }

    private static string Classify(byte[] der)
    {
        using (var privateRsa = RSA.Create())
        {
            if (Imports(() => privateRsa.ImportPkcs8PrivateKey(der, out _)) || Imports(() => privateRsa.ImportRSAPrivateKey(der, out _)))
            {
                return "the escrow public key is a private key; configure the public key only (openssl pkey -in escrow.pem -pubout) and keep the private key off the function";
            }
        }

        using (var ec = ECDsa.Create())
        {
            if (Imports(() => ec.ImportSubjectPublicKeyInfo(der, out _)))
            {
                return "the escrow public key is an EC key, not RSA; escrow needs an RSA key of at least 3072 bits";
            }
        }

        return "the escrow public key is not an RSA public key in DER SubjectPublicKeyInfo form";
    }

    private static bool Imports(Action import)
    {
        try
        {
            import();
            return true;
        }
        catch (CryptographicException)
        {
            return false;
        }
    }
}
