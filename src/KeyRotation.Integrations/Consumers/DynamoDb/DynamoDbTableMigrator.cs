using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using KeyRotation.Core.Consumers;

namespace KeyRotation.Integrations.Consumers.DynamoDb;

/// <summary>
/// Moves a table's encryption at rest to the current key: UpdateTable with SSESpecification {Enabled, SSEType KMS,
/// KMSMasterKeyId = the current key's ARN}. DynamoDB stores the resolved key ARN, not an alias, so the target is the key
/// itself (naming the alias would be resolved once, at this call). The table is read again first: already on the key is
/// skipped; a table that is not ACTIVE, or whose key changed since the scan, is left as it was. DynamoDB re-wraps the
/// table key in the background (SSEDescription.Status UPDATING, then ENABLED); the data stays readable throughout.
/// </summary>
internal sealed class DynamoDbTableMigrator(IAmazonDynamoDB dynamo, ConsumerRequestPacer pacer) : IConsumerMigrator
{
    public bool Handles(ConsumerResource resource)
    {
        ArgumentNullException.ThrowIfNull(resource);
        return resource is { Service: DynamoDbTableSource.Service, Kind: DynamoDbTableSource.Kind };
    }

    public async Task<MigrationOutcome> MigrateAsync(ConsumerResource resource, MigrationTarget target, bool dryRun, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(resource);
        ArgumentNullException.ThrowIfNull(target);
        var name = DynamoDbTableSource.TableName(resource.Id);
        var table = await DynamoDbTableSource.DescribeAsync(dynamo, pacer, name, ct);
        var now = table.SSEDescription?.KMSMasterKeyArn;
        if (string.Equals(now, target.CurrentKeyArn, StringComparison.Ordinal))
        {
            return new MigrationOutcome(MigrationResult.AlreadyCurrent, $"already on {target.CurrentKeyArn}");
        }

        if (!string.Equals(now, resource.KeyReference, StringComparison.Ordinal))
        {
            return new MigrationOutcome(MigrationResult.Failed, $"its key changed since the scan (now {now ?? "the AWS owned key"}); left as it was: run again");
        }

        if (table.TableStatus != TableStatus.ACTIVE || table.SSEDescription?.Status == SSEStatus.UPDATING)
        {
            return new MigrationOutcome(MigrationResult.Failed, $"the table is {(table.TableStatus != TableStatus.ACTIVE ? table.TableStatus?.Value : "updating its encryption")}; left as it was: run again when it is ACTIVE");
        }

        if (dryRun)
        {
            return new MigrationOutcome(MigrationResult.WouldMove, $"UpdateTable SSESpecification KMS {target.CurrentKeyArn} (now {now})");
        }

        await pacer.WaitAsync(DynamoDbTableSource.Service, "UpdateTable", ct);
        var updated = await dynamo.UpdateTableAsync(
            new UpdateTableRequest
            {
                TableName = name,
                SSESpecification = new SSESpecification { Enabled = true, SSEType = SSEType.KMS, KMSMasterKeyId = target.CurrentKeyArn },
            },
            ct);
        var answered = updated.TableDescription?.SSEDescription;
        return string.Equals(answered?.KMSMasterKeyArn, target.CurrentKeyArn, StringComparison.Ordinal)
            ? new MigrationOutcome(MigrationResult.Moved, $"now {target.CurrentKeyArn} (encryption {answered!.Status?.Value ?? "UPDATING"}: DynamoDB re-wraps the table key in the background)")
            : new MigrationOutcome(MigrationResult.Failed, $"UpdateTable answered key {answered?.KMSMasterKeyArn ?? "none"}, not {target.CurrentKeyArn}: check the table");
    }
}
