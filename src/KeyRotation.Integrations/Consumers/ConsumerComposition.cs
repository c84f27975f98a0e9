using KeyRotation.Core.Consumers;
using KeyRotation.Integrations.Consumers.DynamoDb;
using KeyRotation.Integrations.Consumers.S3;
using KeyRotation.Integrations.Consumers.Ec2;
using KeyRotation.Integrations.Consumers.Ssm;

namespace KeyRotation.Integrations.Consumers;

/// <summary>
/// What <c>consumers</c> and <c>migrate</c> scan beyond the account's resources: the S3 objects of one bucket, under a
/// prefix (only when asked: objects are many). A prefix needs a bucket (<see cref="Problem"/>).
/// </summary>
public sealed record ConsumerScanOptions(string? Bucket = null, string? Prefix = null)
{
    /// <summary>Why these options cannot be used (the CLI reports it as bad usage), or null.</summary>
    public string? Problem() => Prefix is not null && Bucket is null ? "--prefix needs --bucket: it names objects of one bucket." : null;
}

/// <summary>
/// The one place that builds the consumer sources and migrators, in scan order. A new consumer type is one source
/// (implementing Core's <see cref="IConsumerSource"/>) and, when it can be moved in place, one migrator
/// (<see cref="IConsumerMigrator"/>), each a line here; its IAM actions go in <see cref="ConsumerPermissions"/>.
/// </summary>
public static class ConsumerComposition
{
    public static IReadOnlyList<IConsumerSource> Sources(ConsumerClients clients, ConsumerScanOptions options, ConsumerRequestPacer pacer)
    {
        ArgumentNullException.ThrowIfNull(clients);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(pacer);
        return
        [
            new DynamoDbTableSource(clients.DynamoDb, pacer),
            new S3BucketEncryptionSource(clients.S3, clients.Region, pacer),
            .. options.Bucket is { } bucket ? [new S3ObjectSource(clients.S3, bucket, options.Prefix ?? string.Empty, pacer)] : Array.Empty<IConsumerSource>(),
            new SsmParameterSource(clients.Ssm, pacer),
            new EbsVolumeSource(clients.Ec2, pacer),
            new EbsSnapshotSource(clients.Ec2, pacer),
        ];
    }

    public static IReadOnlyList<IConsumerMigrator> Migrators(ConsumerClients clients, ConsumerScanOptions options, ConsumerRequestPacer pacer)
    {
        ArgumentNullException.ThrowIfNull(clients);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(pacer);
        return
        [
            new DynamoDbTableMigrator(clients.DynamoDb, pacer),
            new S3BucketEncryptionMigrator(clients.S3, pacer),
            new S3ObjectMigrator(clients.S3, pacer),
            new SsmParameterMigrator(clients.Ssm, pacer),
            new EbsRunbook(clients.Ec2, pacer),
        ];
    }
}
