using System.CommandLine;
using Amazon.KeyManagementService;
using KeyRotation.Core.Reencryption;

namespace KeyRotation.Cli.Commands;

/// <summary>
/// <c>--source-key-id</c> and <c>--encryption-algorithm</c> of <c>reencrypt</c>, checked against the alias's current
/// key before any ciphertext is read: a symmetric key needs neither (its ciphertexts name their key); an RSA
/// ENCRYPT_DECRYPT key needs both, since an RSA ciphertext does not say which key or algorithm made it (the KMS
/// ReEncrypt API reference: SourceKeyId and SourceEncryptionAlgorithm are then required); any other key cannot be
/// re-encrypted to. The source key must be one of the alias's generations. Every refusal is bad usage (exit 2).
/// </summary>
internal static class ReencryptionKeyOptions
{
    private static readonly string[] RsaAlgorithms = [EncryptionAlgorithmSpec.RSAES_OAEP_SHA_1.Value, EncryptionAlgorithmSpec.RSAES_OAEP_SHA_256.Value];

    public static Option<string?> SourceKeyId() => new("--source-key-id")
    {
        Description = "The generation of the alias the ciphertexts were encrypted under (key id, key ARN or alias name): required for RSA keys, whose ciphertexts do not name their key; for symmetric keys KMS then refuses ciphertexts of any other key.",
        HelpName = "KEY",
    };

    public static Option<string?> EncryptionAlgorithm() => new("--encryption-algorithm")
    {
        Description = "RSA keys only: the algorithm the ciphertexts were encrypted with, which the new ones get too (required for RSA keys).",
        HelpName = string.Join('|', RsaAlgorithms),
    };

    /// <summary>What the run sends KMS besides the ciphertext; the options' problems as <see cref="UsageException"/>s naming them.</summary>
    public static async Task<ReencryptionSource> ResolveAsync(ReencryptionTarget target, string? sourceKeyId, string? algorithmName, bool contextGiven, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(target);
        var current = target.CurrentKey;
        var rsa = IsRsaEncryption(current.KeySpec, current.KeyUsage);
        if (!rsa && !IsSymmetricEncryption(current.KeySpec, current.KeyUsage))
        {
            throw new UsageException($"{target.Alias}'s current key {current.KeyId} is {current.KeySpec?.Value ?? "?"} for {current.KeyUsage?.Value ?? "?"}: reencrypt works with encryption keys (SYMMETRIC_DEFAULT, or RSA_2048, RSA_3072 or RSA_4096, for ENCRYPT_DECRYPT) only.");
        }

        var spec = current.KeySpec!.Value;
        EncryptionAlgorithmSpec? algorithm = null;
        if (!rsa && algorithmName is not null)
        {
            throw new UsageException($"--encryption-algorithm applies to RSA keys only: {target.Alias}'s current key {current.KeyId} is {spec}, whose ciphertexts KMS reads with SYMMETRIC_DEFAULT; leave the option out.");
        }

        if (rsa)
        {
            if (algorithmName is null)
            {
                throw new UsageException($"--encryption-algorithm is required for {target.Alias}: its current key {current.KeyId} is {spec}; give the algorithm the ciphertexts were encrypted with ({string.Join(" or ", RsaAlgorithms)}).");
            }

            algorithm = RsaAlgorithms.Contains(algorithmName, StringComparer.Ordinal)
                ? EncryptionAlgorithmSpec.FindValue(algorithmName)
                : throw new UsageException($"--encryption-algorithm: '{algorithmName}' is not an RSA encryption algorithm KMS offers for {spec}; use {string.Join(" or ", RsaAlgorithms)} (names are case-sensitive).");
            if (sourceKeyId is null)
            {
                throw new UsageException($"--source-key-id is required for {target.Alias}: its current key {current.KeyId} is {spec}, and RSA ciphertexts do not name the key that encrypted them; give the generation they are under ('keyrotation status {target.Alias}' lists them).");
            }

            if (contextGiven)
            {
                throw new UsageException($"--encryption-context and --destination-encryption-context apply to symmetric keys only: {target.Alias}'s current key {current.KeyId} is {spec}, and KMS binds no encryption context to RSA ciphertexts.");
            }
        }

        return new ReencryptionSource(sourceKeyId is null ? null : await GenerationArnAsync(target, sourceKeyId, rsa, algorithm, ct), algorithm);
    }

    /// <summary>The key ARN of <paramref name="sourceKeyId"/>, refused unless it is a generation of the alias that can open the ciphertexts.</summary>
    private static async Task<string> GenerationArnAsync(ReencryptionTarget target, string sourceKeyId, bool rsa, EncryptionAlgorithmSpec? algorithm, CancellationToken ct)
    {
        var key = await target.DescribeAsync(sourceKeyId, ct)
            ?? throw new UsageException($"--source-key-id: {sourceKeyId} does not exist in this account and Region.");
        if (!(await target.FindAsync(key.KeyId, ct)).IsGeneration)
        {
            var others = target.AliasesOf(key.KeyId);
            var whose = others.Count > 0 ? $" (a key of {string.Join(", ", others)})" : string.Empty;
            throw new UsageException($"--source-key-id: {sourceKeyId} is key {key.KeyId}{whose}, which is not a generation of {target.Alias}; reencrypt moves ciphertexts between the alias's own generations only ('keyrotation status {target.Alias}' lists them).");
        }

        // One algorithm for both sides: the source must be the same kind of key as the current one.
        var sameKind = rsa ? IsRsaEncryption(key.KeySpec, key.KeyUsage) : IsSymmetricEncryption(key.KeySpec, key.KeyUsage);
        if (!sameKind || (algorithm is not null && key.EncryptionAlgorithms?.Contains(algorithm.Value) == false))
        {
            throw new UsageException($"--source-key-id: {sourceKeyId} is key {key.KeyId}, {key.KeySpec?.Value ?? "?"} for {key.KeyUsage?.Value ?? "?"}{(algorithm is null ? string.Empty : $" ({string.Join(", ", key.EncryptionAlgorithms ?? [])})")}, and {target.Alias}'s current key is {target.CurrentKey.KeySpec!.Value}{(algorithm is null ? string.Empty : $" with {algorithm.Value}")}: reencrypt moves ciphertexts between generations of one kind of encryption key.");
        }

        return key.Arn;
    }

    private static bool IsSymmetricEncryption(KeySpec? spec, KeyUsageType? usage) => spec == KeySpec.SYMMETRIC_DEFAULT && usage == KeyUsageType.ENCRYPT_DECRYPT;

    private static bool IsRsaEncryption(KeySpec? spec, KeyUsageType? usage) =>
        (spec == KeySpec.RSA_2048 || spec == KeySpec.RSA_3072 || spec == KeySpec.RSA_4096) && usage == KeyUsageType.ENCRYPT_DECRYPT;
}
