namespace KeyRotation.LocalConsumers;

/// <summary>
/// The volumes and snapshots as data, so an EC2 that stops can start again where it was (the CLI sandbox keeps them in
/// a file between commands). The test knobs (<see cref="Denied"/>, <see cref="PageSize"/>) are not state.
/// </summary>
internal sealed partial class LocalEc2
{
    public LocalEc2Resources ExportResources()
    {
        lock (_gate)
        {
            return new LocalEc2Resources([.. _volumes], [.. _snapshots]);
        }
    }

    /// <summary>Replaces every volume and snapshot with those of <paramref name="resources"/> (from <see cref="ExportResources"/>).</summary>
    public void ImportResources(LocalEc2Resources resources)
    {
        ArgumentNullException.ThrowIfNull(resources);
        lock (_gate)
        {
            _volumes.Clear();
            _volumes.AddRange(resources.Volumes);
            _snapshots.Clear();
            _snapshots.AddRange(resources.Snapshots);
        }
    }
}

/// <summary>The EBS volumes and snapshots of <see cref="LocalEc2"/>, in the order they were added (the order DescribeVolumes answers).</summary>
internal sealed record LocalEc2Resources(IReadOnlyList<EbsVolume> Volumes, IReadOnlyList<EbsSnapshot> Snapshots);
