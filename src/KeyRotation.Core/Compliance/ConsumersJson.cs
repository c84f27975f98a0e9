using System.Text.Json.Nodes;
using KeyRotation.Core.Consumers;
using KeyRotation.Core.Retention;

namespace KeyRotation.Core.Compliance;

/// <summary>
/// A key's consumers as JSON, the one builder of the report's per-generation <c>consumers</c> (docs/report.schema.json)
/// and the proof's <c>consumers</c> in retention's output (the retention function's response and <c>retention plan/run
/// --output json</c>, docs/retention.md). Both hold <c>count</c>, <c>resources</c> (what each stores and how that names
/// the key) and <c>notChecked</c> (with the reason). The proof's adds what the report's leaves out on purpose: each
/// not-checked resource's <c>reference</c>, and <c>seen</c>, how many KMS-encrypted resources the scan checked. The
/// report's schema forbids both, so adding them there would break its consumers.
/// </summary>
public static class ConsumersJson
{
    /// <summary>The report's: the resources that reference this generation and the alias's resources not checked.</summary>
    public static JsonObject ForGeneration(GenerationConsumers consumers)
    {
        ArgumentNullException.ThrowIfNull(consumers);
        return Common(consumers.Uses, consumers.NotChecked, notCheckedReference: false);
    }

    /// <summary>The proof's: as the report's, with each not-checked resource's reference and the count of resources seen.</summary>
    public static JsonObject ForRetirement(RetirementConsumers consumers)
    {
        ArgumentNullException.ThrowIfNull(consumers);
        var json = Common(consumers.Uses, consumers.NotChecked, notCheckedReference: true);
        json["seen"] = consumers.Seen;
        return json;
    }

    private static JsonObject Common(IReadOnlyList<ConsumerUse> uses, IReadOnlyList<ConsumerFinding.NotChecked> notChecked, bool notCheckedReference) => new()
    {
        ["count"] = uses.Count,
        ["resources"] = new JsonArray([.. uses.Select(u =>
        {
            var json = Resource(u.Resource, reference: true);
            json["via"] = u.Match.Describe();
            return (JsonNode)json;
        })]),
        ["notChecked"] = new JsonArray([.. notChecked.Select(n =>
        {
            var json = Resource(n.Resource, notCheckedReference);
            json["reason"] = n.Reason;
            return (JsonNode)json;
        })]),
    };

    private static JsonObject Resource(ConsumerResource resource, bool reference)
    {
        var json = new JsonObject
        {
            ["service"] = resource.Service,
            ["kind"] = resource.Kind,
            ["id"] = resource.Id,
        };
        if (reference)
        {
            json["reference"] = resource.KeyReference;
        }

        return json;
    }
}
