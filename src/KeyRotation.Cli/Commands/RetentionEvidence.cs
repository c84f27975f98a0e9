using System.Text.Json.Nodes;
using KeyRotation.Core;
using KeyRotation.Core.Compliance;
using KeyRotation.Core.Retention;
using Spectre.Console;

namespace KeyRotation.Cli.Commands;

/// <summary>
/// The proof of non-use in <c>retention plan</c> and <c>retention run</c> output: a retirement the proof refused reads
/// "Keep (Disable refused)" with the use that refused it, a proven one gives its proof after its reason, and the JSON
/// carries both as the function's response does.
/// </summary>
internal static class RetentionEvidence
{
    /// <summary>The Action cell: the action, or for a refused retirement which action was refused.</summary>
    public static string Action(RetentionStep step) => step.Refused is { } refused ? $"{step.Action} ({refused} refused)" : step.Action.ToString();

    /// <summary>The Why cell: the reason, then the proof of a retirement that goes on.</summary>
    public static string Why(RetentionStep step) =>
        step.Refused is null && step.Proof is { } proof ? $"{step.Reason}; {proof.Describe()}" : step.Reason;

    /// <summary>Adds "refused" and "proof" to a step's JSON when it has them.</summary>
    public static JsonObject With(JsonObject json, RetentionStep step)
    {
        if (step.Refused is { } refused)
        {
            json["refusedAction"] = refused.ToString();
        }

        if (step.Proof is { } proof)
        {
            json["proof"] = Json(proof);
        }

        return json;
    }

    /// <summary>The run's refusals, for <c>retention run --output json</c>.</summary>
    public static JsonArray Refused(RetentionReport report) =>
        new([.. report.Refused.Select(r => (JsonNode)new JsonObject
        {
            ["alias"] = r.Step.Alias,
            ["keyId"] = r.Step.KeyId,
            ["generation"] = r.Step.Generation,
            ["refusedAction"] = r.Step.Refused!.Value.ToString(),
            ["reason"] = r.Step.Reason,
            ["proof"] = Json(r.Step.Proof!),
        })]);

    /// <summary>One line per refusal, for <c>retention run</c> as a table.</summary>
    public static void WriteRefusals(CliContext context, RetentionReport report)
    {
        foreach (var result in report.Refused)
        {
            context.Console.MarkupLine($"[yellow]Kept[/] {result.Step.Refused} refused {Markup.Escape(result.Step.KeyId)} ({Markup.Escape(result.Step.Alias)}): {Markup.Escape(result.Step.Reason)}");
        }
    }

    private static JsonObject Json(RetirementProof proof)
    {
        var json = new JsonObject
        {
            ["verdict"] = proof.Verdict.ToString(),
            ["readAt"] = RecordedTime.Format(proof.ReadAt),
            ["retireUnusedForDays"] = proof.WindowDays,
            ["summary"] = proof.Describe(),
            ["keys"] = new JsonArray([.. proof.Keys.Select(k => (JsonNode)new JsonObject
            {
                ["keyId"] = k.KeyId,
                ["region"] = k.Region,
                ["finding"] = k.Finding.ToString(),
                ["description"] = k.Description,
                ["provenUnusedDays"] = k.ProvenUnusedDays,
                ["operation"] = k.Operation,
                ["lastUsedAt"] = k.LastUsedAt is { } at ? RecordedTime.Format(at) : null,
                ["cloudTrailEventId"] = k.CloudTrailEventId,
            })]),
        };
        if (proof.Consumers is { } consumers)
        {
            // Only with RETIRE_CHECK_CONSUMERS or --check-consumers: without it the proof reads as before.
            json["consumers"] = ConsumersJson.ForRetirement(consumers);
        }

        return json;
    }
}
