using System.Globalization;
using Amazon.EC2;
using Amazon.EC2.Model;
using KeyRotation.Core.Consumers;

namespace KeyRotation.Integrations.Consumers.Ec2;

/// <summary>
/// EBS volumes and snapshots cannot change key in place: a volume's data is re-encrypted only by copying a snapshot of
/// it under the new key and creating a new volume from the copy, which then takes the old volume's place (the instance
/// stopped meanwhile). This "migrator" changes nothing: it answers <see cref="MigrationResult.Manual"/> with the AWS CLI
/// steps for the resource, with the volume's Availability Zone, type, IOPS, throughput and attachments read from
/// DescribeVolumes, and the current key's ARN (EBS stores the resolved ARN, so the alias would only be resolved once).
/// </summary>
internal sealed class EbsRunbook(IAmazonEC2 ec2, ConsumerRequestPacer pacer) : IConsumerMigrator
{
    public bool Handles(ConsumerResource resource)
    {
        ArgumentNullException.ThrowIfNull(resource);
        return resource.Service == EbsVolumeSource.Service && resource.Kind is EbsVolumeSource.Kind or EbsSnapshotSource.Kind;
    }

    public async Task<MigrationOutcome> MigrateAsync(ConsumerResource resource, MigrationTarget target, bool dryRun, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(resource);
        ArgumentNullException.ThrowIfNull(target);
        var region = target.CurrentKeyArn.Split(':')[3];
        var key = target.CurrentKeyArn;
        if (resource.Kind == EbsSnapshotSource.Kind)
        {
            return new MigrationOutcome(MigrationResult.Manual, string.Join('\n', SnapshotSteps(resource.Id, region, key)));
        }

        await pacer.WaitAsync(EbsVolumeSource.Service, "DescribeVolumes", ct);
        var volume = (await ec2.DescribeVolumesAsync(new DescribeVolumesRequest { VolumeIds = [resource.Id] }, ct)).Volumes?.FirstOrDefault();
        return volume is null
            ? new MigrationOutcome(MigrationResult.Failed, "the volume no longer exists")
            : new MigrationOutcome(MigrationResult.Manual, string.Join('\n', VolumeSteps(volume, region, key)));
    }

    private static IEnumerable<string> SnapshotSteps(string snapshotId, string region, string key)
    {
        yield return $"1. aws ec2 copy-snapshot --region {region} --source-region {region} --source-snapshot-id {snapshotId} --encrypted --kms-key-id {key} --description \"{snapshotId} under {key}\"   (prints the copy's SnapshotId: COPY)";
        yield return $"2. aws ec2 wait snapshot-completed --region {region} --snapshot-ids COPY";
        yield return "3. point what uses the snapshot at COPY: register AMIs from it again, update launch templates and restore jobs; copy its tags (aws ec2 create-tags)";
        yield return $"4. when nothing uses it any more: aws ec2 delete-snapshot --region {region} --snapshot-id {snapshotId} (a snapshot behind an AMI goes after aws ec2 deregister-image)";
    }

    private static IEnumerable<string> VolumeSteps(Volume volume, string region, string key)
    {
        var id = volume.VolumeId;
        var options = $"--volume-type {volume.VolumeType?.Value ?? "gp3"}"
            + (volume.Iops is { } iops && volume.VolumeType?.Value is "io1" or "io2" or "gp3" ? $" --iops {iops.ToString(CultureInfo.InvariantCulture)}" : string.Empty)
            + (volume.Throughput is { } throughput && volume.VolumeType?.Value == "gp3" ? $" --throughput {throughput.ToString(CultureInfo.InvariantCulture)}" : string.Empty);
        yield return $"1. aws ec2 create-snapshot --region {region} --volume-id {id} --description \"{id} before moving to {key}\"   (prints SNAP)";
        yield return $"2. aws ec2 wait snapshot-completed --region {region} --snapshot-ids SNAP";
        yield return $"3. aws ec2 copy-snapshot --region {region} --source-region {region} --source-snapshot-id SNAP --encrypted --kms-key-id {key}   (prints COPY), then aws ec2 wait snapshot-completed --region {region} --snapshot-ids COPY";
        yield return $"4. aws ec2 create-volume --region {region} --availability-zone {volume.AvailabilityZone} --snapshot-id COPY {options}   (prints NEW, encrypted under {key}), then aws ec2 wait volume-available --region {region} --volume-ids NEW";
        var step = 5;
        foreach (var attachment in volume.Attachments ?? [])
        {
            yield return $"{step++}. swap on {attachment.InstanceId}: aws ec2 stop-instances --region {region} --instance-ids {attachment.InstanceId}; aws ec2 wait instance-stopped ...; aws ec2 detach-volume --region {region} --volume-id {id}; aws ec2 wait volume-available ... {id}; aws ec2 attach-volume --region {region} --volume-id NEW --instance-id {attachment.InstanceId} --device {attachment.Device}; aws ec2 start-instances --region {region} --instance-ids {attachment.InstanceId}";
        }

        yield return $"{step}. check the application, copy the volume's tags to NEW (aws ec2 create-tags), then delete the old volume and the intermediate snapshots: aws ec2 delete-volume --region {region} --volume-id {id}; aws ec2 delete-snapshot --region {region} --snapshot-id SNAP (and COPY once no volume is created from it again)";
    }
}
