namespace KeyRotation.Core.Consumers;

/// <summary>
/// One kind of resource that can reference KMS keys (S3 buckets, S3 objects under a prefix, DynamoDB tables, SSM
/// SecureString parameters, EBS volumes and snapshots), in the account and Region of the client it was built with.
/// A source yields every KMS-encrypted resource it sees with the reference it stores; the inventory decides which
/// generation of an alias that reference names. Reading is paged and paced by the source.
/// </summary>
public interface IConsumerSource
{
    /// <summary>What the source scans, for progress lines and errors ("S3 buckets", "DynamoDB tables").</summary>
    string Name { get; }

    IAsyncEnumerable<ConsumerFinding> ScanAsync(CancellationToken ct);
}
