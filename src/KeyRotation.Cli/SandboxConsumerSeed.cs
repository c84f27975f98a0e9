using KeyRotation.Core.Consumers;
using KeyRotation.LocalConsumers;
using KeyRotation.LocalConsumers.S3;

namespace KeyRotation.Cli;

/// <summary>
/// The resources the sandbox seeds on <see cref="Sandbox.Orders"/>'s generations, so <c>consumers</c> has something to
/// find and <c>migrate</c> something to move. The walkthrough ends where an account would: generation 2 (old enough to
/// disable) and 3 (kept behind the current key) are free once migrated, and generation 1, the original key that
/// retention keeps anyway, stays pinned by an EBS volume, which cannot change key in place (<c>migrate</c> prints its
/// runbook instead).
/// </summary>
internal static class SandboxConsumerSeed
{
    /// <summary>Its default encryption names generation 2's key ARN (BucketKeyEnabled on, as migrate keeps it).</summary>
    public const string Bucket = "demo-orders-archive";

    /// <summary>Objects of <see cref="Bucket"/>: one under generation 2, one under 3, one under the current key.</summary>
    public static IReadOnlyList<string> Objects { get; } = ["invoices/2026-08.csv", "invoices/2026-09.csv", "invoices/2026-10.csv"];

    /// <summary>A DynamoDB table under generation 3's key ARN.</summary>
    public const string Table = "demo-orders";

    /// <summary>A SecureString parameter written with generation 2's key ARN.</summary>
    public const string Password = "/demo/orders/db-password";

    /// <summary>A SecureString parameter that names the alias itself: it follows the alias, so it is fine.</summary>
    public const string Token = "/demo/orders/api-token";

    /// <summary>An EBS volume under generation 1, the alias's original key, attached to an instance.</summary>
    public const string Volume = "vol-0de00000000000001";

    /// <summary>
    /// The resources on <paramref name="generations"/>: EBS on the first key, the bucket, one object and the password on
    /// the next one (generation 2 of the seed), the table and another object on the one before the current key. With
    /// fewer generations (an alias an operator changed) they share the ones there are.
    /// </summary>
    public static async Task<SandboxConsumerState> StateAsync(AliasGenerations generations, string region, string account)
    {
        ArgumentNullException.ThrowIfNull(generations);
        var earlier = generations.All.Where(g => g.Role == GenerationRole.Earlier && g.KeyArn is not null).OrderBy(g => g.Generation).Select(g => g.KeyArn!).ToList();
        var current = generations.Current.KeyArn!;
        var original = earlier.Count > 0 ? earlier[0] : current;
        var old = earlier.Count > 1 ? earlier[1] : original;
        var retained = earlier.Count > 0 ? earlier[^1] : current;

        // Through the endpoints' own operations, so ETags, checksums and versions are what they would write.
        await using var services = await SandboxConsumerServices.StartAsync(region, account);
        services.S3.AddBucket(Bucket, region, new LocalS3EncryptionRule("aws:kms", old, BucketKeyEnabled: true));
        foreach (var (key, keyArn) in Objects.Zip([old, retained, current]))
        {
            services.S3.Put(Bucket, Invoice(key, keyArn));
        }

        services.DynamoDb.AddTable(Table, retained);
        services.Ssm.AddSecureString(Password, "sandbox-password", old, description: "Demo: the orders database password");
        services.Ssm.AddSecureString(Token, "sandbox-token", generations.AliasName, description: "Demo: the orders API token, under the alias");
        services.Ec2.AddVolume(new EbsVolume(Volume, original, AvailabilityZone: region + "a", Size: 20, InstanceId: "i-0de00000000000001", Device: "/dev/xvdf"));
        return services.Export();
    }

    private static LocalS3Object Invoice(string key, string keyArn)
    {
        var content = System.Text.Encoding.UTF8.GetBytes($"order,amount\n{key[9..16]}-0001,42.00\n");
        return new LocalS3Object
        {
            Key = key,
            Content = content,
            ContentType = "text/csv",
            Sse = "aws:kms",
            KmsKeyId = keyArn,
            Metadata = new Dictionary<string, string>(StringComparer.Ordinal) { ["source"] = "sandbox" },
            Tags = [new("team", "orders")],
            ChecksumAlgorithm = "CRC32",
            ChecksumValue = LocalS3Checksums.Compute("CRC32", content),
            ChecksumType = "FULL_OBJECT",
        };
    }
}
