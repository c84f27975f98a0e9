using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace KeyRotation.LocalConsumers;

/// <summary>
/// Parameter Store for the consumer inventory, in the AWS JSON 1.1 protocol AWSSDK.SimpleSystemsManagement speaks
/// (X-Amz-Target AmazonSSM.&lt;Operation&gt;), as the SSM API reference documents it: DescribeParameters
/// (ParameterFilters Type and Name with Option Equals, MaxResults up to 50, NextToken; KeyId as the latest version was
/// written with it), GetParameter (WithDecryption; the value in clear only then) and PutParameter (a new version;
/// Overwrite required for an existing name and refused together with Tags; Advanced cannot go back to Standard;
/// policies only on the Advanced tier; the value must match AllowedPattern; KeyId alias/aws/ssm when none is given).
/// A field PutParameter leaves out is not carried over from the version before, so a writer that drops one shows.
/// Names in <see cref="DeniedDecryption"/> answer GetParameter with AccessDeniedException (the key's Decrypt denied).
/// </summary>
internal sealed partial class LocalSsm : LocalAwsEndpoint
{
    private readonly Lock _gate = new();
    private readonly SortedDictionary<string, List<Version>> _parameters = new(StringComparer.Ordinal);

    public string Region { get; init; } = "us-east-1";

    public string Account { get; init; } = "111122223333";

    /// <summary>The most parameters one DescribeParameters answers, whatever MaxResults asks.</summary>
    public int PageSize { get; set; } = 50;

    public HashSet<string> DeniedDecryption { get; } = new(StringComparer.Ordinal);

    /// <summary>A SecureString parameter's first version, as PutParameter with these fields would create it.</summary>
    public void AddSecureString(string name, string value, string keyId, string tier = "Standard", string? description = null, string? allowedPattern = null, IReadOnlyList<string>? policies = null, IReadOnlyDictionary<string, string>? tags = null)
    {
        lock (_gate)
        {
            _parameters[name] = [new Version(1, value, "SecureString", keyId, tier, description, allowedPattern, policies ?? [], "text", tags ?? new Dictionary<string, string>())];
        }
    }

    /// <summary>Every version of a parameter, oldest first.</summary>
    public IReadOnlyList<Version> VersionsOf(string name)
    {
        lock (_gate)
        {
            return [.. _parameters[name]];
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
                "DescribeParameters" => Describe(body),
                "GetParameter" => Get(body),
                "PutParameter" => Put(body),
                _ => Error("InvalidAction", $"The double does not answer {request.Operation}."),
            });
        }
    }

    private EndpointAnswer Describe(JsonObject body)
    {
        IEnumerable<KeyValuePair<string, List<Version>>> matching = _parameters;
        foreach (var filter in body["ParameterFilters"]?.AsArray().Select(f => f!.AsObject()) ?? [])
        {
            var values = filter["Values"]!.AsArray().Select(v => (string)v!).ToHashSet(StringComparer.Ordinal);
            matching = (string?)filter["Key"] switch
            {
                "Type" => matching.Where(p => values.Contains(p.Value[^1].Type)),
                "Name" => matching.Where(p => values.Contains(p.Key)),
                var key => throw new InvalidOperationException($"The double does not filter on {key}."),
            };
        }

        var all = matching.ToList();
        var start = body["NextToken"] is { } token ? int.Parse((string)token!, System.Globalization.CultureInfo.InvariantCulture) : 0;
        var size = Math.Min((int?)body["MaxResults"] ?? 50, PageSize);
        var page = all.Skip(start).Take(size).ToList();
        var answer = new JsonObject { ["Parameters"] = new JsonArray([.. page.Select(p => (JsonNode)Metadata(p.Key, p.Value[^1]))]) };
        if (start + size < all.Count)
        {
            answer["NextToken"] = (start + size).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return Ok(answer);
    }

    private JsonObject Metadata(string name, Version latest)
    {
        var json = new JsonObject
        {
            ["Name"] = name,
            ["ARN"] = ArnOf(name),
            ["Type"] = latest.Type,
            ["KeyId"] = latest.KeyId,
            ["LastModifiedDate"] = 1.7e9 + latest.Number,
            ["LastModifiedUser"] = $"arn:aws:iam::{Account}:user/operator",
            ["Version"] = latest.Number,
            ["Tier"] = latest.Tier,
            ["Policies"] = new JsonArray([.. latest.Policies.Select(p => (JsonNode)new JsonObject { ["PolicyText"] = p, ["PolicyType"] = (string?)JsonNode.Parse(p)!["Type"], ["PolicyStatus"] = "Pending" })]),
            ["DataType"] = latest.DataType,
        };
        if (latest.Description is not null)
        {
            json["Description"] = latest.Description;
        }

        if (latest.AllowedPattern is not null)
        {
            json["AllowedPattern"] = latest.AllowedPattern;
        }

        return json;
    }

    private EndpointAnswer Get(JsonObject body)
    {
        var name = (string)body["Name"]!;
        if (!_parameters.TryGetValue(name, out var versions))
        {
            return Error("ParameterNotFound", $"Parameter {name} not found.");
        }

        var decrypt = (bool?)body["WithDecryption"] == true;
        if (decrypt && DeniedDecryption.Contains(name))
        {
            return Error("AccessDeniedException", $"User: arn:aws:iam::{Account}:user/operator is not authorized to perform: kms:Decrypt on the key of {name}");
        }

        var latest = versions[^1];
        return Ok(new JsonObject
        {
            ["Parameter"] = new JsonObject
            {
                ["Name"] = name,
                ["Type"] = latest.Type,
                ["Value"] = decrypt ? latest.Value : Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes("ciphertext:" + latest.Value)),
                ["Version"] = latest.Number,
                ["ARN"] = ArnOf(name),
                ["DataType"] = latest.DataType,
                ["LastModifiedDate"] = 1.7e9 + latest.Number,
            },
        });
    }

    private EndpointAnswer Put(JsonObject body)
    {
        var name = (string)body["Name"]!;
        var value = (string)body["Value"]!;
        var overwrite = (bool?)body["Overwrite"] == true;
        var exists = _parameters.TryGetValue(name, out var versions);
        if (overwrite && body["Tags"] is not null)
        {
            return Error("ValidationException", "Invalid request: tags and overwrite can't be used together. To create a parameter with tags, please remove overwrite flag. To update tags on an existing parameter, please use AddTagsToResource or RemoveTagsFromResource.");
        }

        if (exists && !overwrite)
        {
            return Error("ParameterAlreadyExists", "The parameter already exists. To overwrite this value, set the overwrite option in the request to true.");
        }

        var tier = (string?)body["Tier"] ?? "Standard";
        if (exists && versions![^1].Tier == "Advanced" && tier == "Standard")
        {
            return Error("ValidationException", "This parameter uses the advanced-parameter tier. You can't downgrade a parameter from the advanced-parameter tier to the standard-parameter tier.");
        }

        var policies = body["Policies"] is { } text ? JsonNode.Parse((string)text!)!.AsArray().Select(p => p!.ToJsonString()).ToList() : [];
        if (policies.Count > 0 && tier != "Advanced")
        {
            return Error("InvalidPolicyTypeException", "Parameter policies are supported only on the advanced tier.");
        }

        var pattern = (string?)body["AllowedPattern"];
        if (pattern is not null && !Regex.IsMatch(value, pattern, RegexOptions.None, TimeSpan.FromSeconds(1)))
        {
            return Error("ParameterPatternMismatchException", $"Parameter value, cannot be validated against allowedPattern: {pattern}");
        }

        var type = (string?)body["Type"] ?? versions?[^1].Type ?? "String";
        var next = new Version(
            (versions?.Count ?? 0) + 1,
            value,
            type,
            type == "SecureString" ? (string?)body["KeyId"] ?? "alias/aws/ssm" : null,
            tier,
            (string?)body["Description"],
            pattern,
            policies,
            (string?)body["DataType"] ?? "text",
            versions?[0].Tags ?? new Dictionary<string, string>());
        if (exists)
        {
            versions!.Add(next);
        }
        else
        {
            _parameters[name] = [next];
        }

        return Ok(new JsonObject { ["Version"] = next.Number, ["Tier"] = tier });
    }

    private string ArnOf(string name) => $"arn:aws:ssm:{Region}:{Account}:parameter{(name.StartsWith('/') ? name : "/" + name)}";

    private static EndpointAnswer Ok(JsonObject body) => new(200, "application/x-amz-json-1.1", body.ToJsonString());

    private static EndpointAnswer Error(string type, string message) =>
        new(400, "application/x-amz-json-1.1", new JsonObject { ["__type"] = type, ["message"] = message }.ToJsonString());

    /// <summary>One version of a parameter, with the fields PutParameter wrote it with.</summary>
    internal sealed record Version(long Number, string Value, string Type, string? KeyId, string Tier, string? Description, string? AllowedPattern, IReadOnlyList<string> Policies, string DataType, IReadOnlyDictionary<string, string> Tags);
}
