namespace KeyRotation.LocalConsumers;

/// <summary>
/// The tables as data, so a DynamoDB that stops can start again where it was (the CLI sandbox keeps them in a file
/// between commands). Only the resources: the test knobs (<see cref="Denied"/>, <see cref="PageSize"/>) are not state.
/// </summary>
internal sealed partial class LocalDynamoDb
{
    /// <summary>Every table, in name order.</summary>
    public IReadOnlyList<LocalDynamoDbTable> ExportTables()
    {
        lock (_gate)
        {
            return [.. _tables.Values.Select(t => new LocalDynamoDbTable(t.Name, t.KeyArn, t.Status))];
        }
    }

    /// <summary>Replaces every table with <paramref name="tables"/> (from <see cref="ExportTables"/>).</summary>
    public void ImportTables(IEnumerable<LocalDynamoDbTable> tables)
    {
        ArgumentNullException.ThrowIfNull(tables);
        lock (_gate)
        {
            _tables.Clear();
            foreach (var table in tables)
            {
                _tables.Add(table.Name, new Table(table.Name, table.KeyArn, table.Status));
            }
        }
    }
}

/// <summary>One table as <see cref="LocalDynamoDb.ExportTables"/> keeps it: its name, its key ARN (null: the AWS owned key) and its status.</summary>
internal sealed record LocalDynamoDbTable(string Name, string? KeyArn, string Status);
