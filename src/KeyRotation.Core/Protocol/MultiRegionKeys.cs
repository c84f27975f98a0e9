using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;

namespace KeyRotation.Core.Protocol;

/// <summary>
/// What DescribeKey says about a multi-Region key (its primary's Region, its replicas' Regions), and which of them this
/// tool rotates: a primary, as a set with its replicas, from the primary's Region; never a replica on its own.
/// </summary>
internal static class MultiRegionKeys
{
    /// <summary>True for the primary key of a multi-Region set (with or without replicas).</summary>
    public static bool IsPrimary(KeyMetadata key) =>
        key.MultiRegion == true && key.MultiRegionConfiguration?.MultiRegionKeyType == MultiRegionKeyType.PRIMARY;

    /// <summary>The Regions holding a replica of the key, in a fixed order (empty for a single-Region key).</summary>
    public static IReadOnlyList<string> ReplicaRegions(KeyMetadata key) =>
        [.. (key.MultiRegionConfiguration?.ReplicaKeys ?? []).Select(r => r.Region).Where(r => !string.IsNullOrEmpty(r)).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];

    /// <summary>The primary key's Region, from its key ARN in the multi-Region configuration; null when KMS did not say.</summary>
    public static string? PrimaryRegion(KeyMetadata key) => key.MultiRegionConfiguration?.PrimaryKey?.Region;

    /// <summary>Why a multi-Region key cannot be rotated from here (a Failed outcome, nothing changed), or null.</summary>
    public static string? Refuse(string alias, KeyMetadata key)
    {
        if (key.MultiRegion != true)
        {
            return null;
        }

        if (key.MultiRegionConfiguration?.MultiRegionKeyType == MultiRegionKeyType.REPLICA)
        {
            var primary = PrimaryRegion(key) ?? "the primary key's Region";
            return $"{alias} points at {key.Arn ?? key.KeyId}, a replica of a multi-Region key whose primary is in {primary}: the rotation in {primary} rotates the whole set " +
                $"(primary, replicas, and the alias in every Region that has it). Rotate {alias} there, and leave it out of this Region's aliases. Nothing was changed.";
        }

        if (!IsPrimary(key))
        {
            return $"{alias} points at multi-Region key {key.KeyId}, but KMS did not say whether it is a primary or a replica key; nothing was changed.";
        }

        if (key.Origin == OriginType.EXTERNAL)
        {
            return $"{alias} points at multi-Region key {key.KeyId} with imported key material: every replica would need the same material imported in its own Region, which this tool does not do. Nothing was changed.";
        }

        return null;
    }

    /// <summary>What a dry run adds for a multi-Region primary: the Regions its replicas go to.</summary>
    public static string DescribePlan(KeyMetadata key)
    {
        var regions = ReplicaRegions(key);
        return regions.Count == 0
            ? " (multi-Region, no replicas)"
            : $" (multi-Region: replicated into {string.Join(", ", regions)} with each replica's own policy, description and tags; the alias moves in those Regions first, then here)";
    }
}
