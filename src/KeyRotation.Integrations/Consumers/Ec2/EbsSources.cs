using System.Runtime.CompilerServices;
using Amazon.EC2;
using Amazon.EC2.Model;
using KeyRotation.Core.Consumers;

namespace KeyRotation.Integrations.Consumers.Ec2;

/// <summary>
/// The encrypted EBS volumes of the account in the client's Region (DescribeVolumes filtered on encrypted=true, pages
/// of 500) with their <c>KmsKeyId</c>: the key ARN EBS resolved when the volume was created (EBS stores the ARN, never
/// an alias). The resource id is the volume id.
/// </summary>
internal sealed class EbsVolumeSource(IAmazonEC2 ec2, ConsumerRequestPacer pacer) : IConsumerSource
{
    public const string Service = "ec2";
    public const string Kind = "volume";

    public string Name => "EBS volumes";

    public async IAsyncEnumerable<ConsumerFinding> ScanAsync([EnumeratorCancellation] CancellationToken ct)
    {
        string? next = null;
        do
        {
            await pacer.WaitAsync(Service, "DescribeVolumes", ct);
            var page = await ec2.DescribeVolumesAsync(new DescribeVolumesRequest { Filters = [new Filter("encrypted", ["true"])], MaxResults = 500, NextToken = next }, ct);
            foreach (var volume in (page.Volumes ?? []).Where(v => v.KmsKeyId is not null))
            {
                yield return new ConsumerFinding.Found(new ConsumerResource(Service, Kind, volume.VolumeId, volume.KmsKeyId));
            }

            next = string.IsNullOrEmpty(page.NextToken) ? null : page.NextToken;
        }
        while (next is not null);
    }
}

/// <summary>
/// The encrypted EBS snapshots the account owns in the client's Region (DescribeSnapshots with OwnerIds self, filtered
/// on encrypted=true, pages of 1000) with their <c>KmsKeyId</c>, the key ARN. Snapshots shared by other accounts are
/// theirs to move. The resource id is the snapshot id.
/// </summary>
internal sealed class EbsSnapshotSource(IAmazonEC2 ec2, ConsumerRequestPacer pacer) : IConsumerSource
{
    public const string Kind = "snapshot";

    public string Name => "EBS snapshots";

    public async IAsyncEnumerable<ConsumerFinding> ScanAsync([EnumeratorCancellation] CancellationToken ct)
    {
        string? next = null;
        do
        {
            await pacer.WaitAsync(EbsVolumeSource.Service, "DescribeSnapshots", ct);
            var page = await ec2.DescribeSnapshotsAsync(new DescribeSnapshotsRequest { OwnerIds = ["self"], Filters = [new Filter("encrypted", ["true"])], MaxResults = 1000, NextToken = next }, ct);
            foreach (var snapshot in (page.Snapshots ?? []).Where(s => s.KmsKeyId is not null))
            {
                yield return new ConsumerFinding.Found(new ConsumerResource(EbsVolumeSource.Service, Kind, snapshot.SnapshotId, snapshot.KmsKeyId));
            }

            next = string.IsNullOrEmpty(page.NextToken) ? null : page.NextToken;
        }
        while (next is not null);
    }
}
