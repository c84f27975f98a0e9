namespace KeyRotation.Function.Tests.Template;

/// <summary>The parts of template.yaml the tests look at, named once.</summary>
internal static class RotationStack
{
    public const string FunctionId = "RotationFunction";
    public const string ScheduleEventId = "RotationSchedule";
    public const string RoleId = "RotationFunctionRole";

    private static readonly Lazy<CloudFormationTemplate> Loaded = new(CloudFormationTemplate.Load);

    public static CloudFormationTemplate Template => Loaded.Value;

    public static Dictionary<string, object?> Function => Template.Properties(FunctionId);

    public static Dictionary<string, object?> Globals =>
        CloudFormationTemplate.Map(CloudFormationTemplate.Map(Template.Root["Globals"])["Function"]);

    /// <summary>A function property, taken from Globals when the function does not set it (as SAM merges them).</summary>
    public static object? FunctionSetting(string name) =>
        Function.TryGetValue(name, out var value) ? value : Globals.GetValueOrDefault(name);

    public static Dictionary<string, object?> Environment =>
        CloudFormationTemplate.Map(CloudFormationTemplate.Map(Function["Environment"])["Variables"]);

    public static Dictionary<string, object?> ScheduleEvent =>
        CloudFormationTemplate.Map(CloudFormationTemplate.Map(CloudFormationTemplate.Map(Function["Events"])[ScheduleEventId])["Properties"]);

    /// <summary>
    /// Every statement of the function role's policies, with both branches of any Fn::If (so the
    /// statements of every parameter combination), AWS::NoValue left out.
    /// </summary>
    public static IReadOnlyList<Dictionary<string, object?>> FunctionStatements =>
        CloudFormationTemplate.List(Template.Properties(RoleId)["Policies"])
            .SelectMany(policy => Branches(CloudFormationTemplate.Map(CloudFormationTemplate.Map(policy)["PolicyDocument"])["Statement"]))
            .SelectMany(statements => statements is List<object?> list ? list.SelectMany(Branches) : Branches(statements))
            .Select(CloudFormationTemplate.Map)
            .ToList();

    public static IReadOnlyList<string> Actions(Dictionary<string, object?> statement) =>
        CloudFormationTemplate.OneOrMany(statement["Action"]).Cast<string>().ToList();

    /// <summary>Resolves Fn::FindInMap against the template's Mappings (literal keys only).</summary>
    public static object? Resolve(object? node)
    {
        if (CloudFormationTemplate.Intrinsic(node) is ("Fn::FindInMap", List<object?> args))
        {
            var mappings = Template.Section("Mappings");
            var top = CloudFormationTemplate.Map(mappings[(string)args[0]!]);
            return CloudFormationTemplate.Map(top[(string)args[1]!])[(string)args[2]!];
        }

        return node;
    }

    private static IEnumerable<object?> Branches(object? node)
    {
        if (CloudFormationTemplate.Intrinsic(node) is ("Fn::If", List<object?> args))
        {
            return args.Skip(1).SelectMany(Branches);
        }

        return CloudFormationTemplate.Intrinsic(node) is ("Ref", "AWS::NoValue") ? [] : [node];
    }
}
