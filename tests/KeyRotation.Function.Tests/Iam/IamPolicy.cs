using System.Text.Json.Nodes;

namespace KeyRotation.Function.Tests.Iam;

/// <summary>
/// An IAM policy (identity-based, or resource-based such as a key policy) and its evaluation for one request: an
/// explicit Deny in any matching statement wins, else an Allow in any matching statement, else nothing applies
/// (the implicit deny of the caller's overall decision).
/// </summary>
internal sealed class IamPolicy
{
    private IamPolicy(IReadOnlyList<IamStatement> statements) => Statements = statements;

    public IReadOnlyList<IamStatement> Statements { get; }

    public static IamPolicy Parse(JsonNode document)
    {
        var statement = document["Statement"] ?? throw new FormatException("a policy needs a Statement");
        var statements = statement is JsonArray array ? array.Select(s => IamStatement.Parse(s!.AsObject())) : [IamStatement.Parse(statement.AsObject())];
        return new IamPolicy([.. statements]);
    }

    public static IamPolicy Parse(string json) => Parse(JsonNode.Parse(json)!);

    public static IamPolicy Combine(params IamPolicy[] policies) => new([.. policies.SelectMany(p => p.Statements)]);

    /// <summary>The decision of this policy alone. Resource-based policies also match the request's principal.</summary>
    public PolicyDecision Evaluate(IamRequest request, bool resourceBased = false)
    {
        var matching = Statements.Where(s => s.Matches(request, resourceBased)).ToList();
        if (matching.Any(s => !s.IsAllow))
        {
            return PolicyDecision.ExplicitDeny;
        }

        return matching.Count > 0 ? PolicyDecision.Allow : PolicyDecision.NotApplicable;
    }

    /// <summary>The Sids of the statements that match the request (for messages).</summary>
    public IReadOnlyList<string> MatchingSids(IamRequest request, bool resourceBased = false) =>
        [.. Statements.Where(s => s.Matches(request, resourceBased)).Select(s => s.Sid ?? "(no Sid)")];
}

/// <summary>One statement: Effect, Action or NotAction, Resource or NotResource, Principal (resource-based only), Condition.</summary>
internal sealed record IamStatement(
    string? Sid,
    bool IsAllow,
    IReadOnlyList<string>? Actions,
    IReadOnlyList<string>? NotActions,
    IReadOnlyList<string>? Resources,
    IReadOnlyList<string>? NotResources,
    IReadOnlyList<string>? Principals,
    IReadOnlyList<IamCondition> Conditions)
{
    public static IamStatement Parse(JsonObject node)
    {
        var effect = (string?)node["Effect"];
        if (effect is not ("Allow" or "Deny"))
        {
            throw new FormatException($"statement {(string?)node[nameof(Sid)]}: Effect must be Allow or Deny, not {effect}");
        }

        if ((node["Action"] is null) == (node["NotAction"] is null) || (node["Resource"] is not null && node["NotResource"] is not null))
        {
            throw new FormatException($"statement {(string?)node[nameof(Sid)]}: exactly one of Action and NotAction, at most one of Resource and NotResource");
        }

        var conditions = new List<IamCondition>();
        foreach (var (op, block) in node["Condition"]?.AsObject() ?? [])
        {
            foreach (var (key, values) in block!.AsObject())
            {
                conditions.Add(new IamCondition(op, key, Strings(values)!));
            }
        }

        return new IamStatement(
            (string?)node[nameof(Sid)],
            effect == "Allow",
            Strings(node["Action"]),
            Strings(node["NotAction"]),
            Strings(node["Resource"]),
            Strings(node["NotResource"]),
            ParsePrincipals(node["Principal"]),
            conditions);
    }

    public bool Matches(IamRequest request, bool resourceBased)
    {
        var actionMatches = Actions is not null
            ? Actions.Any(a => IamPattern.ActionLike(a, request.Action))
            : !NotActions!.Any(a => IamPattern.ActionLike(a, request.Action));
        var resourceMatches = NotResources is not null
            ? !NotResources.Any(r => IamPattern.ArnLike(r, request.Resource))
            : (Resources ?? ["*"]).Any(r => IamPattern.ArnLike(r, request.Resource));
        var principalMatches = !resourceBased || (Principals ?? []).Any(p => p == "*" || p == request.Principal);
        return actionMatches && resourceMatches && principalMatches && Conditions.All(c => c.IsSatisfiedBy(request));
    }

    private static List<string>? Strings(JsonNode? node) => node switch
    {
        null => null,
        JsonArray array => [.. array.Select(Scalar)],
        _ => [Scalar(node)],
    };

    /// <summary>Policies may write booleans and numbers unquoted; IAM compares them as strings.</summary>
    private static string Scalar(JsonNode? node) => node switch
    {
        JsonValue value when value.TryGetValue<string>(out var text) => text,
        JsonValue value when value.TryGetValue<bool>(out var flag) => flag ? "true" : "false",
        JsonValue value => value.ToJsonString(),
        _ => throw new FormatException($"expected a scalar, found {node?.ToJsonString()}"),
    };

    /// <summary>"*" or the AWS principals; an account id or root ARN stays as written (KMS reads it as "this account's IAM").</summary>
    private static List<string>? ParsePrincipals(JsonNode? node) => node switch
    {
        null => null,
        JsonValue => [Scalar(node)],
        JsonObject map => Strings(map["AWS"]) ?? [],
        _ => throw new FormatException("Principal must be \"*\" or an object"),
    };
}
