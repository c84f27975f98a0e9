using System.Text.Json;
using KeyRotation.Core;

namespace KeyRotation.Function;

/// <summary>The report event: <c>{"report":{}}</c> for every configured alias, or <c>{"report":{"aliases":[...]}}</c>.</summary>
internal sealed partial record InvocationEvent
{
    private static readonly string[] ReportFields = ["aliases"];

    /// <summary>Aliases a report event names; null: every configured alias.</summary>
    public IReadOnlyList<string>? ReportAliases { get; init; }

    private static InvocationEvent ParseReport(JsonElement root)
    {
        RefuseUnknown(root, ["report"], "A report event");
        var report = root.GetProperty("report");
        if (report.ValueKind != JsonValueKind.Object)
        {
            throw new InvalidEventException($"\"report\" must be an object ({{}} or {{\"aliases\":[...]}}), not {Describe(report.ValueKind)}.");
        }

        RefuseUnknown(report, ReportFields, "\"report\"");
        if (!report.TryGetProperty("aliases", out var list))
        {
            return new InvocationEvent { Kind = InvocationKind.Report };
        }

        if (list.ValueKind != JsonValueKind.Array || list.GetArrayLength() == 0)
        {
            throw new InvalidEventException($"\"report\".\"aliases\" must be a non-empty array of alias names, not {(list.ValueKind == JsonValueKind.Array ? "an empty array" : Describe(list.ValueKind))}; leave it out to report on every configured alias.");
        }

        var aliases = new List<string>();
        foreach (var item in list.EnumerateArray())
        {
            var name = item.ValueKind == JsonValueKind.String ? item.GetString()! : throw new InvalidEventException($"\"report\".\"aliases\" must hold alias names (strings), not {Describe(item.ValueKind)}.");
            if (AliasNames.Validate(name) is { } problem)
            {
                throw new InvalidEventException($"\"report\".\"aliases\": {problem}.");
            }

            if (!aliases.Contains(name, StringComparer.Ordinal))
            {
                aliases.Add(name);
            }
        }

        return new InvocationEvent { Kind = InvocationKind.Report, ReportAliases = aliases };
    }
}
