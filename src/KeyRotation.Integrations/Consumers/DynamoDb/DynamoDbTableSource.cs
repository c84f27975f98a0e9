using System.Runtime.CompilerServices;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using KeyRotation.Core.Consumers;

namespace KeyRotation.Integrations.Consumers.DynamoDb;

/// <summary>
/// Every DynamoDB table of the account in the client's Region (ListTables, pages of 100) with the key its encryption at
/// rest uses: DescribeTable's <c>SSEDescription.KMSMasterKeyArn</c>, the key ARN DynamoDB resolved when the key was set
/// (DynamoDB stores the ARN, never an alias). Tables on the AWS owned key (no SSEDescription) reference no KMS key of
/// the account and are not listed. A table whose DescribeTable is denied is "not checked"; one deleted meanwhile is left out.
/// </summary>
internal sealed class DynamoDbTableSource(IAmazonDynamoDB dynamo, ConsumerRequestPacer pacer) : IConsumerSource
{
    public const string Service = "dynamodb";
    public const string Kind = "table";

    public string Name => "DynamoDB tables";

    public async IAsyncEnumerable<ConsumerFinding> ScanAsync([EnumeratorCancellation] CancellationToken ct)
    {
        string? start = null;
        do
        {
            await pacer.WaitAsync(Service, "ListTables", ct);
            var page = await dynamo.ListTablesAsync(new ListTablesRequest { ExclusiveStartTableName = start, Limit = 100 }, ct);
            foreach (var name in page.TableNames ?? [])
            {
                if (await ReadAsync(name, ct) is { } finding)
                {
                    yield return finding;
                }
            }

            start = page.LastEvaluatedTableName;
        }
        while (start is not null);
    }

    private async Task<ConsumerFinding?> ReadAsync(string name, CancellationToken ct)
    {
        try
        {
            var table = await DescribeAsync(dynamo, pacer, name, ct);
            if (table.SSEDescription is not { KMSMasterKeyArn: { } keyArn })
            {
                return null;
            }

            return new ConsumerFinding.Found(new ConsumerResource(Service, Kind, table.TableArn ?? name, keyArn));
        }
        catch (ResourceNotFoundException)
        {
            return null;
        }
        catch (AmazonDynamoDBException ex) when (ex.ErrorCode is "AccessDeniedException" or "UnrecognizedClientException" || ex.StatusCode == System.Net.HttpStatusCode.Forbidden)
        {
            return new ConsumerFinding.NotChecked(new ConsumerResource(Service, Kind, name, null), ConsumerInventory.Reason(ex));
        }
    }

    /// <summary>DescribeTable, paced; the migrator reads the table the same way before it changes it.</summary>
    internal static async Task<TableDescription> DescribeAsync(IAmazonDynamoDB dynamo, ConsumerRequestPacer pacer, string name, CancellationToken ct)
    {
        await pacer.WaitAsync(Service, "DescribeTable", ct);
        return (await dynamo.DescribeTableAsync(new DescribeTableRequest { TableName = name }, ct)).Table;
    }

    /// <summary>The table name from the resource id: the part after "table/" of its ARN, or the id itself (a name).</summary>
    internal static string TableName(string id)
    {
        var at = id.IndexOf(":table/", StringComparison.Ordinal);
        return at < 0 ? id : id[(at + ":table/".Length)..];
    }
}
