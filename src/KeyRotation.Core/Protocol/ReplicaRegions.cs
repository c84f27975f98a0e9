using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using Amazon.Runtime;
using KeyRotation.Core.History;

namespace KeyRotation.Core.Protocol;

/// <summary>
/// What status and rollback do in the replica Regions of a multi-Region set: read each Region's replica and alias, and
/// point the alias back, Region by Region, before the primary Region's alias moves (which stays the protocol's record).
/// Nothing for a single-Region key.
/// </summary>
internal sealed class ReplicaRegions
{
    private readonly KmsRegionClients? _regions;

    public ReplicaRegions(KmsRegionClients? regions) => _regions = regions;

    /// <summary>The set's replicas of <paramref name="primary"/>, one per Region, with where each Region's alias points.</summary>
    public async Task<IReadOnlyList<ReplicaStatus>> ReadAsync(string alias, KeyMetadata primary, CancellationToken ct)
    {
        var statuses = new List<ReplicaStatus>();
        foreach (var region in MultiRegionKeys.ReplicaRegions(primary))
        {
            if (_regions is null)
            {
                statuses.Add(new ReplicaStatus { Region = region, KeyId = primary.KeyId, Error = "not read: no KMS client for this Region" });
                continue;
            }

            try
            {
                var calls = new KmsCalls(_regions.For(region));
                var replica = await calls.DescribeAsync(primary.KeyId, ct);
                var aliasTarget = await calls.DescribeAsync(alias, ct);
                statuses.Add(new ReplicaStatus
                {
                    Region = region,
                    KeyId = primary.KeyId,
                    Arn = replica?.Arn,
                    KeyState = replica is null ? "NotFound" : replica.KeyState?.Value,
                    AliasKeyId = aliasTarget?.KeyId,
                });
            }
            catch (Exception ex) when (ex is RotationException or AmazonClientException or HttpRequestException)
            {
                statuses.Add(new ReplicaStatus { Region = region, KeyId = primary.KeyId, Error = ex.Message });
            }
        }

        return statuses;
    }

    /// <summary>Why the alias cannot go back to <paramref name="targetKeyId"/> in some replica Region (it has no Enabled replica there), or null.</summary>
    public async Task<string?> RefuseAsync(string alias, KeyMetadata current, string targetKeyId, CancellationToken ct)
    {
        foreach (var region in MultiRegionKeys.ReplicaRegions(current))
        {
            var calls = Calls(region);
            var aliasTarget = await InRegion(region, () => calls.DescribeAsync(alias, ct));
            if (aliasTarget?.KeyId != current.KeyId)
            {
                continue;
            }

            var target = await InRegion(region, () => calls.DescribeAsync(targetKeyId, ct));
            if (target?.KeyState != KeyState.Enabled)
            {
                return $"{alias} in {region} points at the replica of {current.KeyId}, but {targetKeyId} has {(target is null ? "no replica" : $"a {target.KeyState} replica")} there: " +
                    "the alias must only point at a key that works in every Region. Nothing was changed.";
            }
        }

        return null;
    }

    /// <summary>
    /// In each replica Region where the alias points at the current set: tag that replica rolled back and point the alias
    /// at the target's replica. Safe to repeat (a Region already moved back is left alone).
    /// </summary>
    /// <param name="now">The rollback's time, for the rolled-back-at and retired-at tags.</param>
    public async Task MoveBackAsync(string alias, KeyMetadata current, string targetKeyId, string now, CancellationToken ct)
    {
        foreach (var region in MultiRegionKeys.ReplicaRegions(current))
        {
            var kms = Client(region);
            var calls = new KmsCalls(kms);
            await InRegion(region, async () =>
            {
                if ((await calls.DescribeAsync(alias, ct))?.KeyId != current.KeyId)
                {
                    return true;
                }

                await calls.TagAsync(current.KeyId, KeyRecordTags.RolledBack(targetKeyId, now), ct);
                await KmsCalls.CallAsync("UpdateAlias", () => kms.UpdateAliasAsync(new UpdateAliasRequest { AliasName = alias, TargetKeyId = targetKeyId }, ct));
                return true;
            });
        }
    }

    private KmsCalls Calls(string region) => new(Client(region));

    private IAmazonKeyManagementService Client(string region) =>
        (_regions ?? throw new RotationException($"The alias's key has a replica in {region}, and this run has no KMS client for that Region."))
            .For(region);

    private static async Task<T> InRegion<T>(string region, Func<Task<T>> step)
    {
        try
        {
            return await step();
        }
        catch (Exception ex) when (ex is RotationException or AmazonServiceException or AmazonClientException or HttpRequestException)
        {
            var cause = ex is AmazonServiceException service ? $"KMS {service.ErrorCode ?? service.GetType().Name}: {service.Message}" : ex.Message;
            throw new RotationException($"Replica Region {region}: {cause}", ex);
        }
    }
}
