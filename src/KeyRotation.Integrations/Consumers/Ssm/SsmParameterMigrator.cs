using Amazon.SimpleSystemsManagement;
using Amazon.SimpleSystemsManagement.Model;
using KeyRotation.Core.Consumers;

namespace KeyRotation.Integrations.Consumers.Ssm;

/// <summary>
/// Moves a SecureString parameter to the current key by writing its value again as a new version: GetParameter with
/// decryption (the old key decrypts), then PutParameter with Overwrite, Type SecureString, KeyId = the current key's
/// ARN, and the parameter's tier, description, policies, allowed pattern and data type as DescribeParameters shows
/// them (PutParameter with Overwrite cannot take Tags, and needs none: the parameter's tags stay). The key ARN, not the
/// alias: SSM would resolve an alias only at this write, and the next inventory could not tell which generation the
/// latest version is under. The parameter is read again first (already on the key: skipped; changed since the scan:
/// left as it was), and its metadata after the write, to check the new version is under the key. Earlier versions stay
/// under their keys (GetParameterHistory still decrypts them while those keys are enabled); labels stay on their versions.
/// </summary>
internal sealed class SsmParameterMigrator(IAmazonSimpleSystemsManagement ssm, ConsumerRequestPacer pacer) : IConsumerMigrator
{
    public bool Handles(ConsumerResource resource)
    {
        ArgumentNullException.ThrowIfNull(resource);
        return resource is { Service: SsmParameterSource.Service, Kind: SsmParameterSource.Kind };
    }

    public async Task<MigrationOutcome> MigrateAsync(ConsumerResource resource, MigrationTarget target, bool dryRun, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(resource);
        ArgumentNullException.ThrowIfNull(target);
        var name = resource.Id;
        var metadata = await SsmParameterSource.DescribeOneAsync(ssm, pacer, name, ct);
        if (metadata is null)
        {
            return new MigrationOutcome(MigrationResult.Failed, "the parameter no longer exists");
        }

        if (string.Equals(metadata.KeyId, target.CurrentKeyArn, StringComparison.Ordinal))
        {
            return new MigrationOutcome(MigrationResult.AlreadyCurrent, $"already on {target.CurrentKeyArn}");
        }

        if (!string.Equals(metadata.KeyId, resource.KeyReference, StringComparison.Ordinal))
        {
            return new MigrationOutcome(MigrationResult.Failed, $"its key changed since the scan (now {metadata.KeyId}); left as it was: run again");
        }

        var version = metadata.Version ?? 0;
        var keeping = Keeping(metadata);
        if (dryRun)
        {
            return new MigrationOutcome(MigrationResult.WouldMove, $"PutParameter version {version + 1} under {target.CurrentKeyArn} (now {metadata.KeyId}), keeping {keeping}");
        }

        await pacer.WaitAsync(SsmParameterSource.Service, "GetParameter", ct);
        var current = (await ssm.GetParameterAsync(new GetParameterRequest { Name = name, WithDecryption = true }, ct)).Parameter;
        if (current.Version != version)
        {
            return new MigrationOutcome(MigrationResult.Failed, $"version {current.Version} was written while it was read (the scan saw {version}); left as it was: run again");
        }

        await pacer.WaitAsync(SsmParameterSource.Service, "PutParameter", ct);
        var put = await ssm.PutParameterAsync(
            new PutParameterRequest
            {
                Name = name,
                Value = current.Value,
                Type = ParameterType.SecureString,
                KeyId = target.CurrentKeyArn,
                Overwrite = true,
                Tier = metadata.Tier,
                Description = metadata.Description,
                AllowedPattern = metadata.AllowedPattern,
                Policies = metadata.Policies is { Count: > 0 } policies ? $"[{string.Join(",", policies.Select(p => p.PolicyText))}]" : null,
                DataType = metadata.DataType,
            },
            ct);
        if (put.Version != version + 1)
        {
            // PutParameter has no condition: another writer's version came in between; both are in the history.
            return new MigrationOutcome(MigrationResult.Failed, $"wrote version {put.Version} under the current key, but another version was written after {version}: check GetParameterHistory");
        }

        var after = await SsmParameterSource.DescribeOneAsync(ssm, pacer, name, ct);
        return string.Equals(after?.KeyId, target.CurrentKeyArn, StringComparison.Ordinal)
            ? new MigrationOutcome(MigrationResult.Moved, $"version {put.Version} under {target.CurrentKeyArn}, keeping {keeping}")
            : new MigrationOutcome(MigrationResult.Failed, $"version {put.Version} was written, but DescribeParameters shows key {after?.KeyId ?? "none"}: check the parameter");
    }

    /// <summary>What the new version keeps, in words: "tier Advanced, description, 1 policy, allowed pattern, data type text".</summary>
    private static string Keeping(ParameterMetadata metadata)
    {
        var kept = new List<string> { $"tier {metadata.Tier?.Value ?? "Standard"}" };
        if (metadata.Description is not null)
        {
            kept.Add("description");
        }

        if (metadata.Policies is { Count: > 0 } policies)
        {
            kept.Add($"{policies.Count} policy(ies)");
        }

        if (metadata.AllowedPattern is not null)
        {
            kept.Add("allowed pattern");
        }

        kept.Add($"data type {metadata.DataType ?? "text"}");
        kept.Add("tags");
        return string.Join(", ", kept);
    }
}
