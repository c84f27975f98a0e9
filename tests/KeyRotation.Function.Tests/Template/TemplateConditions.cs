namespace KeyRotation.Function.Tests.Template;

/// <summary>
/// Evaluates a template's conditions and condition-dependent values for given parameter values, as
/// CloudFormation does: parameters not given take their Default; Fn::If, Fn::FindInMap (literal keys) and
/// Ref to parameters are resolved, anything else is returned as it is.
/// </summary>
internal static class TemplateConditions
{
    public static bool Evaluate(CloudFormationTemplate template, object? condition, IReadOnlyDictionary<string, string> parameters)
    {
        switch (CloudFormationTemplate.Intrinsic(condition))
        {
            case ("Condition", string name):
                return Evaluate(template, template.Conditions[name], parameters);
            case ("Fn::Equals", List<object?> pair):
                return string.Equals(Scalar(template, pair[0], parameters), Scalar(template, pair[1], parameters), StringComparison.Ordinal);
            case ("Fn::Not", List<object?> single):
                return !Evaluate(template, single.Single(), parameters);
            case ("Fn::And", List<object?> all):
                return all.All(c => Evaluate(template, c, parameters));
            case ("Fn::Or", List<object?> any):
                return any.Any(c => Evaluate(template, c, parameters));
            default:
                throw new InvalidOperationException($"not a condition: {condition}");
        }
    }

    /// <summary>Whether the named condition holds for these parameters.</summary>
    public static bool Holds(CloudFormationTemplate template, string conditionName, IReadOnlyDictionary<string, string> parameters) =>
        Evaluate(template, new Dictionary<string, object?> { ["Condition"] = conditionName }, parameters);

    /// <summary>The node with every Fn::If decided, and Ref to parameters and Fn::FindInMap replaced by their values.</summary>
    public static object? Resolve(CloudFormationTemplate template, object? node, IReadOnlyDictionary<string, string> parameters)
    {
        switch (CloudFormationTemplate.Intrinsic(node))
        {
            case ("Fn::If", List<object?> args):
                return Resolve(template, Holds(template, (string)args[0]!, parameters) ? args[1] : args[2], parameters);
            case ("Ref", string name) when template.Parameters.ContainsKey(name):
                return ParameterValue(template, name, parameters);
            case ("Fn::FindInMap", List<object?> args):
                var top = CloudFormationTemplate.Map(template.Section("Mappings")[Scalar(template, args[0], parameters)]);
                return CloudFormationTemplate.Map(top[Scalar(template, args[1], parameters)])[Scalar(template, args[2], parameters)];
        }

        return node switch
        {
            Dictionary<string, object?> map => map.ToDictionary(pair => pair.Key, pair => Resolve(template, pair.Value, parameters), StringComparer.Ordinal),
            List<object?> list => list.Select(item => Resolve(template, item, parameters)).ToList(),
            _ => node,
        };
    }

    private static string ParameterValue(CloudFormationTemplate template, string name, IReadOnlyDictionary<string, string> parameters) =>
        parameters.TryGetValue(name, out var value)
            ? value
            : (string?)CloudFormationTemplate.Map(template.Parameters[name]).GetValueOrDefault("Default")
              ?? throw new InvalidOperationException($"parameter {name} has no value and no Default");

    private static string Scalar(CloudFormationTemplate template, object? node, IReadOnlyDictionary<string, string> parameters) =>
        Resolve(template, node, parameters) as string ?? throw new InvalidOperationException($"not a scalar: {node}");
}
