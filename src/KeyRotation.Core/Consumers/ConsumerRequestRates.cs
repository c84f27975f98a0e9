namespace KeyRotation.Core.Consumers;

/// <summary>
/// Requests per second the inventory and the migration allow themselves per service and operation, well below what
/// each service throttles at, so that a scan never starves the applications of the account (docs/migration.md lists
/// them with each service's limits). One line per operation a source or migrator calls.
/// </summary>
public static class ConsumerRequestRates
{
    public static IReadOnlyDictionary<string, double> Defaults { get; } = new Dictionary<string, double>(StringComparer.Ordinal)
    {
        // DynamoDB control plane: ListTables and DescribeTable are cheap reads; an SSE change is a table update that
        // runs in the background, and UpdateTable fails with LimitExceededException when too many run at once.
        ["dynamodb:ListTables"] = 10,
        ["dynamodb:DescribeTable"] = 10,
        ["dynamodb:UpdateTable"] = 1,
    };
}
