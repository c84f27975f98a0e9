using System.Text.Json.Nodes;

namespace KeyRotation.Core.Compliance;

/// <summary>
/// The report as JSON, in the one shape the CLI (<c>report --output json</c>) and the function's report event answer;
/// docs/report.schema.json is its schema and a test validates real output against it. Times are
/// <see cref="RecordedTime"/>'s, ages in days with one decimal.
/// </summary>
public static class ComplianceReportJson
{
    /// <summary>The version of the shape: raised when a field changes meaning or goes away (new fields do not raise it).</summary>
    public const int SchemaVersion = 1;

    public static JsonObject ToJson(ComplianceReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        return new JsonObject
        {
            ["schemaVersion"] = SchemaVersion,
            ["generatedAt"] = RecordedTime.Format(report.GeneratedAt),
            ["maxKeyAgeDays"] = report.MaxKeyAgeDays,
            ["schedule"] = new JsonObject
            {
                ["expression"] = report.Schedule.Expression,
                ["timeZone"] = report.Schedule.TimeZone,
                ["periodDays"] = report.Schedule.Period is { } period ? Math.Round(period.TotalDays, 2) : null,
            },
            ["lastUseRead"] = report.LastUseRead,
            ["summary"] = new JsonObject
            {
                ["aliases"] = report.Aliases.Count,
                ["compliant"] = report.Compliant,
                ["dueSoon"] = report.DueSoon,
                ["overdue"] = report.Overdue,
                ["notMeasured"] = report.Unmeasured,
            },
            ["aliases"] = new JsonArray([.. report.Aliases.Select(a => (JsonNode)ToJson(a, report.ConsumersRead))]),
        };
    }

    private static JsonObject ToJson(AliasCompliance alias, bool consumersRead)
    {
        var period = alias.Cryptoperiod;
        var json = new JsonObject
        {
            ["alias"] = alias.Alias,
            ["account"] = alias.Account,
            ["region"] = alias.Region,
            ["standing"] = period is null ? null : Standing(period.Standing),
            ["overdue"] = period?.IsOverdue,
            ["dueSoon"] = period is null ? null : period.Standing == CryptoperiodStanding.DueSoon,
            ["currentKeyId"] = alias.Status?.Current.KeyId,
            ["currentKeyArn"] = alias.Status?.Current.Arn,
            ["generation"] = alias.Status?.Current.Generation,
            ["step"] = alias.Status?.Step is { } step ? Protocol.RotationSteps.Name(step) : null,
            ["keyCreatedAt"] = Time(alias.Status?.Current.CreatedAt),
            ["materialSince"] = Time(period?.MaterialSince),
            ["ageDays"] = period is null ? null : Math.Round(period.Age.TotalDays, 1),
            ["lastRotation"] = Time(alias.LastRotation),
            ["lastRotationSource"] = alias.LastRotationSource,
            ["cryptoperiodDays"] = period?.CryptoperiodDays,
            ["cryptoperiodSource"] = period?.CryptoperiodSource,
            ["dueBy"] = Time(period?.DueBy),
            ["nextScheduledRun"] = Time(period?.NextScheduledRun),
            ["generations"] = new JsonArray([.. alias.Generations.Select(g => (JsonNode)ToJson(g, consumersRead))]),
            ["keyCost"] = alias.Cost is not { } cost ? null : new JsonObject
            {
                ["enabled"] = cost.Enabled,
                ["disabled"] = cost.Disabled,
                ["pendingDeletion"] = cost.PendingDeletion,
                ["other"] = cost.Other,
                ["estimatedMonthlyDollars"] = cost.MonthlyDollars,
            },
            ["error"] = alias.Error,
        };
        return json;
    }

    private static JsonObject ToJson(GenerationCompliance generation, bool consumersRead)
    {
        var key = generation.Key;
        var json = new JsonObject
        {
            ["role"] = generation.Role,
            ["keyId"] = key.KeyId,
            ["arn"] = key.Arn,
            ["generation"] = key.Generation,
            ["keyState"] = key.Missing ? "NotFound" : key.KeyState,
            ["lifecycle"] = generation.Lifecycle,
            ["deletionDate"] = Time(key.DeletionDate),
            ["state"] = key.State,
            ["createdAt"] = Time(key.CreatedAt),
            ["retiredAt"] = key.RetiredAt,
            ["lastUse"] = LastUse(generation.LastUse),
            ["replicas"] = new JsonArray([.. generation.Replicas.Select(r => (JsonNode)new JsonObject
            {
                ["region"] = r.Region,
                ["keyId"] = r.KeyId,
                ["keyState"] = r.KeyState,
                ["lastUse"] = LastUse(r.LastUse),
            })]),
            ["monthlyDollars"] = generation.MonthlyDollars,
        };
        if (consumersRead)
        {
            // A field of its own only when the inventory ran, so a report without it reads exactly as before.
            json["consumers"] = generation.Consumers is { } consumers ? ConsumersJson.ForGeneration(consumers) : null;
        }

        return json;
    }

    private static JsonObject? LastUse(LastUseEvidence? use) => use is null ? null : new JsonObject
    {
        ["kind"] = use.Kind,
        ["at"] = Time(use.At),
        ["operation"] = use.Operation,
        ["cloudTrailEventId"] = use.CloudTrailEventId,
        ["description"] = use.Description,
    };

    /// <summary>The standing as the JSON, CSV and docs spell it.</summary>
    public static string Standing(CryptoperiodStanding standing) => standing switch
    {
        CryptoperiodStanding.Overdue => "overdue",
        CryptoperiodStanding.DueSoon => "due-soon",
        _ => "compliant",
    };

    private static string? Time(DateTimeOffset? time) => time is { } t ? RecordedTime.Format(t) : null;
}
