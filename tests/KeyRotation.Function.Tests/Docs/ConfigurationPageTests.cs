using System.Text.RegularExpressions;
using KeyRotation.Core.Configuration;
using KeyRotation.Function.Tests.Template;

namespace KeyRotation.Function.Tests.Docs;

/// <summary>
/// docs/configuration.md's table of every knob and the code stay in step: each template parameter and each setting
/// the functions read is one row, and a row pairs a variable with a parameter exactly when the template sets that
/// variable from that parameter.
/// </summary>
public sealed partial class ConfigurationPageTests
{
    private const string None = "—";

    private static IReadOnlyList<(string? Parameter, string? Variable)> Knobs =>
        [.. MarkdownPage.TableRows(MarkdownPage.Load("docs/configuration.md").Section("## Every knob"))
            .Select(row => (Name(row[0]), Name(row[1])))];

    [Fact]
    public void KnobTable_HasOneRowPerTemplateParameter()
    {
        var documented = Knobs.Select(k => k.Parameter).OfType<string>().ToList();

        Assert.Equal(documented.Distinct(StringComparer.Ordinal).Count(), documented.Count);
        Assert.Equal(RotationStack.Template.Parameters.Keys.Order(StringComparer.Ordinal), documented.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void KnobTable_NamesEverySettingTheFunctionsRead_AndNoOther()
    {
        var settings = SettingNames.All.Concat(SettingNames.Retention).ToHashSet(StringComparer.Ordinal);

        Assert.Equal(settings.Order(StringComparer.Ordinal), Knobs.Select(k => k.Variable).OfType<string>().Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void KnobTable_PairsEachVariableWithTheParametersTheTemplateSetsItFrom()
    {
        var template = RotationStack.Template;
        var variables = new[] { "RotationFunction", "RetentionFunction" }
            .SelectMany(function => CloudFormationTemplate.Map(CloudFormationTemplate.Map(template.Properties(function)["Environment"])["Variables"]))
            .GroupBy(variable => variable.Key, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.SelectMany(v => ParametersReferencedBy(v.Value, template)).ToHashSet(StringComparer.Ordinal), StringComparer.Ordinal);

        foreach (var (variable, fromTemplate) in variables)
        {
            var documented = Knobs.Where(k => k.Variable == variable).Select(k => k.Parameter).OfType<string>();
            Assert.True(
                fromTemplate.SetEquals(documented),
                $"{variable}: the template sets it from [{string.Join(", ", fromTemplate.Order(StringComparer.Ordinal))}], the table pairs it with [{string.Join(", ", documented)}]");
        }
    }

    private static string? Name(string cell) => cell == None ? null : MarkdownPage.CodeNames(cell).Single();

    /// <summary>The template parameters a value refers to: through Ref, and through ${Name} in Fn::Sub.</summary>
    private static IEnumerable<string> ParametersReferencedBy(object? value, CloudFormationTemplate template) =>
        CloudFormationTemplate.Descendants(value).OfType<Dictionary<string, object?>>().SelectMany(map => map switch
        {
            _ when map.TryGetValue("Ref", out var name) && name is string parameter => [parameter],
            _ when map.TryGetValue("Fn::Sub", out var text) && text is string sub => SubstitutedName().Matches(sub).Select(m => m.Groups[1].Value),
            _ => Enumerable.Empty<string>(),
        }).Where(template.Parameters.ContainsKey);

    [GeneratedRegex(@"\$\{([A-Za-z0-9]+)\}")]
    private static partial Regex SubstitutedName();
}
