using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace KeyRotation.Function.Tests.Iam;

/// <summary>
/// The translated template deployed, on paper: every intrinsic function the role's policies use (Ref, Fn::Sub,
/// Fn::Join, Fn::Split, Fn::Select, Fn::If with the template's Conditions, Fn::FindInMap, Fn::GetAtt) resolved for one
/// set of parameter values, in account 111122223333, Region eu-west-1. Resources get made-up physical ids shaped like
/// the real ones.
/// </summary>
internal sealed partial class StackInstance
{
    public const string Partition = "aws";
    public const string Region = "eu-west-1";
    public const string AccountId = "111122223333";
    public const string StackName = "key-rotation";
    public const string RoleId = "RotationFunctionRole";

    private static readonly JsonObject NoValue = new() { ["__NoValue"] = true };

    private readonly JsonObject _template;
    private readonly Dictionary<string, JsonNode> _parameters = new(StringComparer.Ordinal);
    private readonly Dictionary<string, bool> _conditions = new(StringComparer.Ordinal);

    public StackInstance(JsonObject template, IReadOnlyDictionary<string, string> parameterValues)
    {
        _template = template;
        foreach (var (name, definition) in template["Parameters"]?.AsObject() ?? [])
        {
            var value = parameterValues.TryGetValue(name, out var given) ? given : definition!["Default"]?.ToString()
                ?? throw new ArgumentException($"parameter {name} has no default; give it a value");
            _parameters[name] = (string?)definition!["Type"] == "CommaDelimitedList"
                ? new JsonArray([.. value.Split(',').Select(v => (JsonNode)v.Trim())])
                : JsonValue.Create(value);
        }

        foreach (var name in parameterValues.Keys.Where(k => !_parameters.ContainsKey(k)))
        {
            throw new ArgumentException($"template.yaml has no parameter {name}");
        }

        foreach (var (name, _) in template["Conditions"]?.AsObject() ?? [])
        {
            Condition(name);
        }
    }

    /// <summary>The role's ARN: its RoleName when given, else a name as CloudFormation generates one.</summary>
    public string RoleArn => $"arn:{Partition}:iam::{AccountId}:role/{RoleName}";

    private string RoleName =>
        Resolve(_template["Resources"]![RoleId]!["Properties"]![nameof(RoleName)]) is JsonValue name ? (string)name! : $"{StackName}-{RoleId}-1A2B3C4D5E6F";

    /// <summary>The resolved properties of a resource.</summary>
    public JsonObject Properties(string logicalId) =>
        Resolve(_template["Resources"]?[logicalId]?["Properties"] ?? throw new ArgumentException($"no resource {logicalId}"))!.AsObject();

    /// <summary>The role's inline policies, as one policy (statements of all of them).</summary>
    public IamPolicy RolePolicy() => RolePolicy(RoleId);

    /// <summary>The inline policies of the role <paramref name="roleId"/>, as one policy.</summary>
    public IamPolicy RolePolicy(string roleId) =>
        IamPolicy.Combine([.. Properties(roleId)["Policies"]!.AsArray().Select(p => IamPolicy.Parse(p!["PolicyDocument"]!))]);

    /// <summary>The ARN of a role without a RoleName, as CloudFormation generates its name.</summary>
    public static string GeneratedRoleArn(string roleId) => $"arn:{Partition}:iam::{AccountId}:role/{StackName}-{roleId}-1A2B3C4D5E6F";

    public bool Condition(string name)
    {
        if (_conditions.TryGetValue(name, out var known))
        {
            return known;
        }

        var definition = _template["Conditions"]?[name] ?? throw new ArgumentException($"no condition {name}");
        return _conditions[name] = Truth(definition);
    }

    /// <summary>A template fragment with every intrinsic resolved; AWS::NoValue removes the property or list item.</summary>
    public JsonNode? Resolve(JsonNode? node)
    {
        switch (node)
        {
            case JsonArray array:
                return new JsonArray([.. array.Select(Resolve).Where(n => !ReferenceEquals(n, NoValue))]);
            case JsonObject map when map.Count == 1 && IsIntrinsic(map.First().Key):
                return Intrinsic(map.First().Key, map.First().Value);
            case JsonObject map:
                var resolved = new JsonObject();
                foreach (var (key, value) in map)
                {
                    var child = Resolve(value);
                    if (!ReferenceEquals(child, NoValue))
                    {
                        resolved[key] = child;
                    }
                }

                return resolved;
            default:
                return node?.DeepClone();
        }
    }

    private static bool IsIntrinsic(string key) => key is "Ref" or "Condition" || key.StartsWith("Fn::", StringComparison.Ordinal);

    private JsonNode? Intrinsic(string name, JsonNode? argument)
    {
        var args = argument as JsonArray;
        switch (name)
        {
            case "Ref":
                return Ref((string)argument!);
            case "Fn::If":
                return Condition((string)args![0]!) ? Resolve(args[1]) : Resolve(args[2]);
            case "Fn::Join":
                var parts = Resolve(args![1])!.AsArray().Select(Text);
                return string.Join(Literal(args[0]), parts);
            case "Fn::Split":
                return new JsonArray([.. Text(Resolve(args![1])).Split(Literal(args[0])).Select(s => (JsonNode)s)]);
            case "Fn::Select":
                var index = int.Parse(Text(Resolve(args![0])), CultureInfo.InvariantCulture);
                return Resolve(args[1])!.AsArray()[index]!.DeepClone();
            case "Fn::FindInMap":
                var map = _template["Mappings"]![Text(Resolve(args![0]))]![Text(Resolve(args[1]))]![Text(Resolve(args[2]))];
                return map!.DeepClone();
            case "Fn::GetAtt":
                var attribute = args is not null ? (Text(args[0]), Text(args[1])) : (((string)argument!).Split('.', 2)[0], ((string)argument!).Split('.', 2)[1]);
                return GetAtt(attribute.Item1, attribute.Item2);
            case "Fn::Sub":
                return Sub(args is null ? (string)argument! : Literal(args[0]), args is null ? null : Resolve(args[1])!.AsObject());
            default:
                throw new NotSupportedException($"intrinsic {name} is not modelled");
        }
    }

    private JsonNode Ref(string name) => name switch
    {
        "AWS::Partition" => Partition,
        "AWS::Region" => Region,
        "AWS::AccountId" => AccountId,
        "AWS::StackName" => StackName,
        "AWS::URLSuffix" => "amazonaws.com",
        "AWS::NoValue" => NoValue,
        _ when _parameters.TryGetValue(name, out var value) => value.DeepClone(),
        _ when _template["Resources"]?[name] is { } resource => PhysicalId(name, (string)resource["Type"]!),
        _ => throw new ArgumentException($"Ref to unknown {name}"),
    };

    private static string PhysicalId(string logicalId, string type) => type switch
    {
        "AWS::SNS::Topic" => $"arn:{Partition}:sns:{Region}:{AccountId}:{StackName}-{logicalId}",
        "AWS::SQS::Queue" => $"https://sqs.{Region}.amazonaws.com/{AccountId}/{StackName}-{logicalId}",
        "AWS::S3::Bucket" => $"{StackName}-{logicalId}".ToLowerInvariant(),
        _ => $"{StackName}-{logicalId}",
    };

    private JsonNode GetAtt(string logicalId, string attribute) => (logicalId, attribute) switch
    {
        (RoleId, "Arn") => RoleArn,
        (_, "Arn") when (string?)_template["Resources"]?[logicalId]?["Type"] == "AWS::Logs::LogGroup" =>
            $"arn:{Partition}:logs:{Region}:{AccountId}:log-group:{StackName}-{logicalId}:*",
        (_, "Arn") when (string?)_template["Resources"]?[logicalId]?["Type"] == "AWS::SQS::Queue" =>
            $"arn:{Partition}:sqs:{Region}:{AccountId}:{StackName}-{logicalId}",
        (_, "Arn") when (string?)_template["Resources"]?[logicalId]?["Type"] == "AWS::S3::Bucket" =>
            $"arn:{Partition}:s3:::{PhysicalId(logicalId, "AWS::S3::Bucket")}",
        _ => $"{StackName}-{logicalId}-{attribute}",
    };

    private string Sub(string pattern, JsonObject? variables) =>
        SubVariable().Replace(pattern, match =>
        {
            var name = match.Groups[1].Value;
            if (name.StartsWith('!'))
            {
                return "${" + name[1..] + "}";
            }

            if (variables?[name] is { } variable)
            {
                return Text(variable);
            }

            return name.Contains('.', StringComparison.Ordinal) && !name.StartsWith("AWS::", StringComparison.Ordinal)
                ? Text(GetAtt(name.Split('.', 2)[0], name.Split('.', 2)[1]))
                : Text(Ref(name));
        });

    private bool Truth(JsonNode node)
    {
        var (name, argument) = node.AsObject().Single();
        var args = argument as JsonArray;
        return name switch
        {
            "Fn::Equals" => Text(Resolve(args![0])) == Text(Resolve(args[1])),
            "Fn::Not" => !Truth(args![0]!),
            "Fn::And" => args!.All(a => Truth(a!)),
            "Fn::Or" => args!.Any(a => Truth(a!)),
            "Condition" => Condition((string)argument!),
            _ => throw new NotSupportedException($"condition function {name} is not modelled"),
        };
    }

    private static string Literal(JsonNode? node) =>
        node is JsonValue value && value.TryGetValue<string>(out var text) ? text : throw new FormatException($"expected a literal string, found {node?.ToJsonString()}");

    private static string Text(JsonNode? node) => node switch
    {
        JsonValue value when value.TryGetValue<string>(out var text) => text,
        JsonValue value => value.ToJsonString(),
        _ => throw new FormatException($"expected a string, found {node?.ToJsonString()}"),
    };

    [GeneratedRegex(@"\$\{([^}]+)\}")]
    private static partial Regex SubVariable();
}
