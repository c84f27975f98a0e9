using System.Globalization;
using System.Text;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;

namespace KeyRotation.Testing.Soak;

/// <summary>How an alias is configured to move: the function's default (a new key) or the key's strategy tag.</summary>
internal enum SoakStrategy
{
    /// <summary>A symmetric key, ROTATION_STRATEGY's default: each period a new key.</summary>
    NewKey,

    /// <summary>An RSA encryption key: a new key of the same spec and usage (KMS cannot rotate its material).</summary>
    NewKeyAsymmetric,

    /// <summary>Tagged keyrotation:strategy=material: new material in the same key (RotateKeyOnDemand).</summary>
    Material,

    /// <summary>Tagged keyrotation:strategy=auto: material while on-demand rotations are left, then a new key.</summary>
    Auto,
}

/// <summary>An alias as the soak created it, with what it must still hold afterwards: its first key and some data.</summary>
internal sealed record SeededAlias(string Alias, SoakStrategy Strategy, string FirstKeyId, KeySpec Spec, KeyUsageType Usage, byte[] Ciphertext, string Plaintext)
{
    /// <summary>The encryption algorithm of <see cref="Ciphertext"/>; null for symmetric keys.</summary>
    public EncryptionAlgorithmSpec? Algorithm => Strategy == SoakStrategy.NewKeyAsymmetric ? EncryptionAlgorithmSpec.RSAES_OAEP_SHA_256 : null;
}

/// <summary>Creates the aliases of one seed, every strategy present, through the SDK as an application team would.</summary>
internal static class SoakAliases
{
    /// <summary>The strategy tag is a public contract (docs/how-it-works.md: tags); copied, so the soak does not lean on the code it guards.</summary>
    private const string StrategyTag = "keyrotation:strategy";

    public static async Task<IReadOnlyList<SeededAlias>> SeedAsync(IAmazonKeyManagementService kms, Random random, int count, CancellationToken ct)
    {
        // The strategies come from the seed, in order, before any parallel work: the same seed, the same aliases.
        var strategies = Enumerable.Range(0, count)
            .Select(i => i < 4 ? (SoakStrategy)i : (SoakStrategy)random.Next(4))
            .ToList();
        var seeded = new SeededAlias[count];
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = ct }, async (i, token) =>
        {
            seeded[i] = await CreateAsync(kms, SoakWorld.AliasPrefix + "a" + i.ToString("D5", CultureInfo.InvariantCulture), strategies[i], token);
        });
        return seeded;
    }

    private static async Task<SeededAlias> CreateAsync(IAmazonKeyManagementService kms, string alias, SoakStrategy strategy, CancellationToken ct)
    {
        var asymmetric = strategy == SoakStrategy.NewKeyAsymmetric;
        var request = new CreateKeyRequest
        {
            Description = "soak " + alias,
            KeySpec = asymmetric ? KeySpec.RSA_2048 : KeySpec.SYMMETRIC_DEFAULT,
            KeyUsage = KeyUsageType.ENCRYPT_DECRYPT,
            Tags = [new Tag { TagKey = "team", TagValue = "soak" }],
        };
        if (strategy is SoakStrategy.Material or SoakStrategy.Auto)
        {
            request.Tags.Add(new Tag { TagKey = StrategyTag, TagValue = strategy == SoakStrategy.Material ? "material" : "auto" });
        }

        var key = (await kms.CreateKeyAsync(request, ct)).KeyMetadata;
        await kms.CreateAliasAsync(new CreateAliasRequest { AliasName = alias, TargetKeyId = key.KeyId }, ct);
        var plaintext = "written before the soak under " + alias;
        var encrypt = new EncryptRequest { KeyId = alias, Plaintext = new MemoryStream(Encoding.UTF8.GetBytes(plaintext)) };
        if (asymmetric)
        {
            encrypt.EncryptionAlgorithm = EncryptionAlgorithmSpec.RSAES_OAEP_SHA_256;
        }

        var ciphertext = (await kms.EncryptAsync(encrypt, ct)).CiphertextBlob.ToArray();
        return new SeededAlias(alias, strategy, key.KeyId, request.KeySpec, request.KeyUsage, ciphertext, plaintext);
    }
}
