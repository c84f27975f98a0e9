using System.Text.Json.Nodes;

namespace KeyRotation.LocalConsumers;

/// <summary>
/// DynamoDB's control plane for the consumer inventory, in the AWS JSON 1.0 protocol AWSSDK.DynamoDBv2 speaks
/// (X-Amz-Target DynamoDB_20120810.&lt;Operation&gt;), as the DynamoDB API reference documents it: ListTables
/// (ExclusiveStartTableName, Limit, LastEvaluatedTableName; pages of at most <see cref="PageSize"/>), DescribeTable
/// (Table.SSEDescription {Status, SSEType, KMSMasterKeyArn}; none for the AWS owned key) and UpdateTable with
/// SSESpecification (KMSMasterKeyId stored as the key ARN it names; ResourceInUseException unless ACTIVE; the answer's
/// SSEDescription is UPDATING, the table's own ENABLED at once). Tables in <see cref="Denied"/> answer
/// AccessDeniedException. Errors are HTTP 400 with {"__type": "com.amazonaws.dynamodb.v20120810#Name", "message"}.
/// </summary>
internal sealed partial class LocalDynamoDb : LocalAwsEndpoint
{
    private const string Prefix = "com.amazonaws.dynamodb.v20120810#";
    private readonly Lock _gate = new();
    private readonly SortedDictionary<string, Table> _tables = new(StringComparer.Ordinal);

    public LocalDynamoDb(string region = "us-east-1", string account = "111122223333")
    {
        Region = region;
        Account = account;
    }

    public string Region { get; }

    public string Account { get; }

    /// <summary>The most table names one ListTables answers, whatever Limit asks (the API's own maximum is 100).</summary>
    public int PageSize { get; set; } = 100;

    /// <summary>Tables whose DescribeTable and UpdateTable the caller may not call.</summary>
    public HashSet<string> Denied { get; } = new(StringComparer.Ordinal);

    public string ArnOf(string name) => $"arn:aws:dynamodb:{Region}:{Account}:table/{name}";

    /// <summary>A table encrypted with <paramref name="keyArn"/>, or with the AWS owned key when null.</summary>
    public void AddTable(string name, string? keyArn, string status = "ACTIVE")
    {
        lock (_gate)
        {
            _tables[name] = new Table(name, keyArn, status);
        }
    }

    /// <summary>The key ARN a table is encrypted with now (null: the AWS owned key).</summary>
    public string? KeyOf(string name)
    {
        lock (_gate)
        {
            return _tables[name].KeyArn;
        }
    }

    protected override Task<EndpointAnswer> AnswerAsync(RecordedRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var body = request.Json;
        lock (_gate)
        {
            return Task.FromResult(request.Operation switch
            {
                "ListTables" => Ok(ListTables(body)),
                "DescribeTable" => WithTable(body, table => Ok(new JsonObject { ["Table"] = Describe(table, table.KeyArn is null ? null : "ENABLED") })),
                "UpdateTable" => WithTable(body, table => Update(table, body)),
                _ => Error("UnknownOperationException", $"The double does not answer {request.Operation}."),
            });
        }
    }

    private JsonObject ListTables(JsonObject body)
    {
        var start = (string?)body["ExclusiveStartTableName"];
        var limit = Math.Min((int?)body["Limit"] ?? 100, PageSize);
        var names = _tables.Keys.Where(n => start is null || string.CompareOrdinal(n, start) > 0).ToList();
        var page = names.Take(limit).ToList();
        var answer = new JsonObject { ["TableNames"] = new JsonArray([.. page.Select(n => (JsonNode)n)]) };
        if (names.Count > page.Count)
        {
            answer["LastEvaluatedTableName"] = page[^1];
        }

        return answer;
    }

    private EndpointAnswer WithTable(JsonObject body, Func<Table, EndpointAnswer> then)
    {
        var name = (string?)body["TableName"] ?? string.Empty;
        if (Denied.Contains(name))
        {
            return Error("AccessDeniedException", $"User: arn:aws:iam::{Account}:user/operator is not authorized to perform: dynamodb:DescribeTable on resource: {ArnOf(name)} because no identity-based policy allows the dynamodb:DescribeTable action");
        }

        return _tables.TryGetValue(name, out var table) ? then(table) : Error("ResourceNotFoundException", $"Requested resource not found: Table: {name} not found");
    }

    private EndpointAnswer Update(Table table, JsonObject body)
    {
        if (table.Status != "ACTIVE")
        {
            return Error("ResourceInUseException", $"Attempt to change a resource which is still in use: Table is being updated: {table.Name}");
        }

        var sse = body["SSESpecification"]?.AsObject();
        var keyId = (string?)sse?["KMSMasterKeyId"];
        if (sse is null || (bool?)sse["Enabled"] != true || (string?)sse["SSEType"] != "KMS" || keyId is null || !keyId.StartsWith("arn:aws:kms:", StringComparison.Ordinal))
        {
            return Error("ValidationException", "The double takes SSESpecification {Enabled: true, SSEType: KMS, KMSMasterKeyId: a key ARN}.");
        }

        _tables[table.Name] = table with { KeyArn = keyId };
        return Ok(new JsonObject { ["TableDescription"] = Describe(_tables[table.Name], "UPDATING") });
    }

    private JsonObject Describe(Table table, string? sseStatus)
    {
        var json = new JsonObject
        {
            ["TableName"] = table.Name,
            ["TableArn"] = ArnOf(table.Name),
            ["TableStatus"] = table.Status,
            ["CreationDateTime"] = 1.7e9,
        };
        if (table.KeyArn is not null)
        {
            json["SSEDescription"] = new JsonObject { ["Status"] = sseStatus, ["SSEType"] = "KMS", ["KMSMasterKeyArn"] = table.KeyArn };
        }

        return json;
    }

    private static EndpointAnswer Ok(JsonObject body) => new(200, "application/x-amz-json-1.0", body.ToJsonString());

    private static EndpointAnswer Error(string type, string message) =>
        new(400, "application/x-amz-json-1.0", new JsonObject { ["__type"] = Prefix + type, ["message"] = message }.ToJsonString());

    private sealed record Table(string Name, string? KeyArn, string Status);
}
