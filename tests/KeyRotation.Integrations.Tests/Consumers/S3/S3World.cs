using Amazon.Runtime;
using Amazon.S3;
using KeyRotation.Core.Consumers;
using KeyRotation.Integrations.Consumers.S3;
using KeyRotation.LocalConsumers.S3;

namespace KeyRotation.Integrations.Tests.Consumers.S3;

/// <summary>
/// The real S3 client (path-style, standard retries) against a <see cref="LocalS3Server"/> the test starts and stops,
/// the target of a migration, and the loop the migrate command runs: scan a source, migrate each found resource.
/// </summary>
internal sealed class S3World : IAsyncDisposable
{
    public const string Region = "us-east-1";
    public const string OldKeyArn = "arn:aws:kms:us-east-1:111122223333:key/0b3c7f6e-1111-4a5b-9c8d-000000000001";
    public const string NewKeyArn = "arn:aws:kms:us-east-1:111122223333:key/0b3c7f6e-2222-4a5b-9c8d-000000000002";
    public static readonly MigrationTarget Target = new("alias/app-data", "arn:aws:kms:us-east-1:111122223333:alias/app-data", NewKeyArn);

    public S3World()
    {
        Client = new AmazonS3Client(
            new BasicAWSCredentials("test", "test"),
            new AmazonS3Config { ServiceURL = Server.Url.ToString(), ForcePathStyle = true, AuthenticationRegion = Region, RetryMode = RequestRetryMode.Standard, MaxErrorRetry = 2 });
        // The local endpoint does not throttle; ConsumerRequestPacer's own tests cover the pacing.
        Pacer = ConsumerRequestPacer.Unpaced();
    }

    public LocalS3Server Server { get; } = new();

    public AmazonS3Client Client { get; }

    public ConsumerRequestPacer Pacer { get; }

    public S3ObjectSource Objects(string bucket, string prefix, int pageSize = 1000) => new(Client, bucket, prefix, Pacer, pageSize);

    public S3ObjectMigrator ObjectMigrator() => new(Client, Pacer);

    /// <summary>An SSE-KMS object under <see cref="OldKeyArn"/> with a full-object CRC32 checksum of its content.</summary>
    public static LocalS3Object KmsObject(string key, string content = "data") => new()
    {
        Key = key,
        Content = System.Text.Encoding.UTF8.GetBytes(content),
        Sse = "aws:kms",
        KmsKeyId = OldKeyArn,
        ChecksumAlgorithm = "CRC32",
        ChecksumValue = LocalS3Checksums.Compute("CRC32", System.Text.Encoding.UTF8.GetBytes(content)),
        ChecksumType = "FULL_OBJECT",
    };

    /// <summary>What the migrate command does for one source: each resource found, migrated in turn.</summary>
    public static async Task<List<(ConsumerResource Resource, MigrationOutcome Outcome)>> MigrateAllAsync(IConsumerSource source, IConsumerMigrator migrator, bool dryRun = false, CancellationToken ct = default)
    {
        var outcomes = new List<(ConsumerResource, MigrationOutcome)>();
        await foreach (var finding in source.ScanAsync(ct))
        {
            if (finding is ConsumerFinding.Found found && migrator.Handles(found.Resource))
            {
                outcomes.Add((found.Resource, await migrator.MigrateAsync(found.Resource, Target, dryRun, ct)));
            }
        }

        return outcomes;
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        Pacer.Dispose();
        await Server.DisposeAsync();
    }
}
