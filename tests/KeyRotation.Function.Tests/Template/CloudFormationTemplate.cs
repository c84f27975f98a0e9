using YamlDotNet.RepresentationModel;

namespace KeyRotation.Function.Tests.Template;

/// <summary>
/// template.yaml as a plain tree: mappings are dictionaries, sequences lists, scalars strings, and
/// CloudFormation short-form tags become their long form (<c>!Ref X</c> is <c>{"Ref": "X"}</c>,
/// <c>!GetAtt A.B</c> is <c>{"Fn::GetAtt": ["A", "B"]}</c>, <c>!Sub s</c> is <c>{"Fn::Sub": s}</c>).
/// </summary>
internal sealed class CloudFormationTemplate
{
    private CloudFormationTemplate(Dictionary<string, object?> root) => Root = root;

    public Dictionary<string, object?> Root { get; }

    public Dictionary<string, object?> Section(string name) =>
        Root.TryGetValue(name, out var value) && value is Dictionary<string, object?> section ? section : [];

    public Dictionary<string, object?> Parameters => Section("Parameters");

    public Dictionary<string, object?> Resources => Section("Resources");

    public Dictionary<string, object?> Conditions => Section("Conditions");

    public Dictionary<string, object?> Properties(string logicalId) =>
        Map(Map(Resources[logicalId])["Properties"]);

    public static CloudFormationTemplate Load() => Load("template.yaml");

    public static CloudFormationTemplate Load(string relativePath) => Parse(File.ReadAllText(RepositoryFiles.PathOf(relativePath)));

    public static CloudFormationTemplate Parse(string yaml)
    {
        var stream = new YamlStream();
        using var reader = new StringReader(yaml);
        stream.Load(reader);
        return new CloudFormationTemplate(Map(Convert(stream.Documents[0].RootNode)));
    }

    public static Dictionary<string, object?> Map(object? node) =>
        node as Dictionary<string, object?> ?? throw new InvalidOperationException($"expected a mapping, found {Describe(node)}");

    public static List<object?> List(object? node) =>
        node as List<object?> ?? throw new InvalidOperationException($"expected a sequence, found {Describe(node)}");

    /// <summary>A scalar or a list of scalars (IAM's Action and Resource accept both) as a list.</summary>
    public static IReadOnlyList<object?> OneOrMany(object? node) => node is List<object?> list ? list : [node];

    /// <summary>Every node of the tree, depth first, the root included.</summary>
    public static IEnumerable<object?> Descendants(object? node)
    {
        yield return node;
        IEnumerable<object?> children = node switch
        {
            Dictionary<string, object?> map => map.Values,
            List<object?> list => list,
            _ => [],
        };
        foreach (var child in children)
        {
            foreach (var descendant in Descendants(child))
            {
                yield return descendant;
            }
        }
    }

    /// <summary>The single intrinsic function a node is, for example ("Ref", "X"), or null.</summary>
    public static (string Name, object? Argument)? Intrinsic(object? node) =>
        node is Dictionary<string, object?> { Count: 1 } map
        && map.Keys.Single() is var key && (key == "Ref" || key == "Condition" || key.StartsWith("Fn::", StringComparison.Ordinal))
            ? (key, map[key])
            : null;

    private static string Describe(object? node) => node?.GetType().Name ?? "null";

    private static object? Convert(YamlNode node)
    {
        object? plain = node switch
        {
            YamlMappingNode mapping => mapping.Children.ToDictionary(
                pair => ((YamlScalarNode)pair.Key).Value ?? string.Empty,
                pair => Convert(pair.Value),
                StringComparer.Ordinal),
            YamlSequenceNode sequence => sequence.Children.Select(Convert).ToList(),
            YamlScalarNode scalar => scalar.Value,
            _ => throw new InvalidOperationException($"unsupported YAML node {node.NodeType}"),
        };

        var tag = node.Tag;
        if (tag.IsEmpty || tag.IsNonSpecific || !tag.Value.StartsWith('!'))
        {
            return plain;
        }

        var name = tag.Value[1..];
        return name switch
        {
            "Ref" => new Dictionary<string, object?> { ["Ref"] = plain },
            "Condition" => new Dictionary<string, object?> { ["Condition"] = plain },
            "GetAtt" when plain is string dotted => new Dictionary<string, object?>
            {
                ["Fn::GetAtt"] = dotted.Split('.', 2).Cast<object?>().ToList(),
            },
            _ => new Dictionary<string, object?> { ["Fn::" + name] = plain },
        };
    }
}

/// <summary>Files of the repository the tests run from, found by walking up to KeyRotation.sln.</summary>
internal static class RepositoryFiles
{
    public static string Root { get; } = FindRoot();

    public static string PathOf(string relativePath) => Path.Combine(Root, relativePath);

    public static string Read(string relativePath) => File.ReadAllText(PathOf(relativePath));

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "KeyRotation.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"no KeyRotation.sln above {AppContext.BaseDirectory}");
    }
}
