using System.Text.Json;
using Json.Schema;

namespace KeyRotation.IntegrationTests.Cli;

/// <summary>docs/report.schema.json, loaded once: the contract both the CLI's report and the function's report event answer.</summary>
internal static class ReportSchema
{
    private static readonly Lazy<JsonSchema> Schema = new(() =>
        JsonSchema.FromText(File.ReadAllText(Path.Combine(MarkdownPage.RepositoryRoot, "docs", "report.schema.json"))));

    /// <summary>Every place the document breaks the schema, with the schema's reason; empty when it is valid.</summary>
    public static IReadOnlyList<string> Violations(JsonElement document)
    {
        var result = Schema.Value.Evaluate(document, new EvaluationOptions { OutputFormat = OutputFormat.List });
        return result.IsValid
            ? []
            : [.. (result.Details ?? []).Where(d => d.Errors is { Count: > 0 }).SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Value}")).DefaultIfEmpty("invalid")];
    }
}
