using System.Globalization;
using System.Text.Json.Nodes;
using KeyRotation.Cli.Targets;
using KeyRotation.Core.Consumers;
using Spectre.Console;

namespace KeyRotation.Cli.Commands;

/// <summary>One account and Region's inventory (<see cref="Target"/> null: the caller's own), or the error that stopped it.</summary>
internal sealed record TargetReport(AccountTarget? Target, ConsumerReport? Report, string? Error);

/// <summary>
/// The output of <c>consumers</c>: every generation (current first) with the resources that reference it, a "none
/// found" row for a generation without any, and the resources that could not be checked with their reasons; as a
/// table, tab-separated text, CSV (one row per line, via and reason in columns of their own) or one JSON document.
/// </summary>
internal static class ConsumersOutput
{
    public static void Write(CliContext context, string alias, IReadOnlyList<TargetReport> reports)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(reports);
        if (context.Json)
        {
            context.WriteJson(reports.Count == 1 && reports[0].Target is null
                ? ToJson(reports[0].Report!)
                : new JsonObject { ["alias"] = alias, ["targets"] = new JsonArray([.. reports.Select(r => (JsonNode)TargetJson(r))]) });
            return;
        }

        var across = reports.Any(r => r.Target is not null);
        var rows = reports.SelectMany(Rows).ToList();
        TabularColumn[] columns = context.Format switch
        {
            OutputFormat.Csv => [new("account"), new("region"), new("alias"), new("generation"), new("role"), new("keyId"), new("service"), new("kind"), new("resource"), new("versionId"), new("reference"), new("via"), new("reason")],
            _ => [new("Account"), new("Region"), new("Alias"), new("Generation"), new("Role"), new("Key id"), new("Service"), new("Kind"), new("Resource"), new("Reference"), new("Note", Wraps: true)],
        };
        IReadOnlyList<TabularCell> Cells(ConsumerRow r) => context.Format == OutputFormat.Csv
            ? [r.Account, r.Region, r.Alias, r.Generation, r.Role, r.KeyId, r.Service, r.Kind, r.Resource, r.VersionId, r.Reference, r.Via, r.Reason]
            : [r.Account, r.Region, r.Alias, r.Generation, r.Role, r.KeyId, r.Service, r.Kind, r.Resource, r.Reference, Note(r)];

        // Account and Region only across targets; the alias only in text (one grep-able line per row) and csv.
        var skip = context.Format == OutputFormat.Csv ? 0 : across ? 0 : 2;
        var keepAlias = context.Format is OutputFormat.Csv or OutputFormat.Text || across;
        var chosen = columns.Select((c, i) => (c, i)).Where(x => x.i >= skip && (keepAlias || x.c.Header != "Alias")).Select(x => x.i).ToList();
        if (context.Format == OutputFormat.Table && !across && reports[0].Report is { } single)
        {
            context.Console.WriteLine($"{alias} ({single.Generations.AliasArn}): current key {single.Generations.Current.KeyId}, generation {single.Generations.Current.Generation.ToString(CultureInfo.InvariantCulture)}");
        }

        Tabular.Write(context, [.. chosen.Select(i => columns[i])], [.. rows.Select(r => (IReadOnlyList<TabularCell>)[.. chosen.Select(i => Cells(r)[i])])]);
        if (context.Format == OutputFormat.Table)
        {
            foreach (var report in reports)
            {
                context.Console.WriteLine($"{(report.Target is null ? string.Empty : report.Target + ": ")}{Summary(alias, report)}");
            }
        }
    }

    /// <summary>Exit 1 with one line on stderr when a resource could not be checked or a target failed: the inventory is incomplete.</summary>
    public static int Finish(CliContext context, string alias, IReadOnlyList<TargetReport> reports)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(reports);
        var notChecked = reports.Sum(r => r.Report?.NotChecked.Count ?? 0);
        var failed = reports.Count(r => r.Error is not null);
        if (notChecked == 0 && failed == 0)
        {
            return ExitCodes.Success;
        }

        var parts = new List<string>();
        if (notChecked > 0)
        {
            parts.Add($"{notChecked} resource(s) not checked");
        }

        if (failed > 0)
        {
            parts.Add($"{failed} target(s) failed");
        }

        context.Error($"keyrotation {context.Parsed.CommandResult.Command.Name}: {alias}: {string.Join(", ", parts)} (listed with the reason); the inventory is incomplete.");
        return ExitCodes.Failed;
    }

    public static string Summary(string alias, TargetReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        if (report.Report is not { } r)
        {
            return $"not read: {report.Error}";
        }

        var current = r.Uses.Count(u => !u.OnOldGeneration);
        var old = r.Uses.Count - current;
        return $"{r.Uses.Count} resource(s) reference {alias}: {current} the current key or the alias, {old} an earlier generation; {r.NotChecked.Count} not checked; {r.Seen} KMS-encrypted resource(s) seen.";
    }

    private static string Note(ConsumerRow row) => row.Reason.Length > 0 ? row.Reason : row.Via.Length > 0 ? $"by {row.Via}" : string.Empty;

    private static IEnumerable<ConsumerRow> Rows(TargetReport report)
    {
        var (account, region) = (report.Target?.AccountId ?? string.Empty, report.Target?.Region ?? string.Empty);
        if (report.Report is not { } r)
        {
            yield return new ConsumerRow(account, region, string.Empty, "-", "error", "-", "-", "-", "-", string.Empty, "-", string.Empty, report.Error ?? "failed");
            yield break;
        }

        var alias = r.Generations.AliasName;
        foreach (var (generation, uses) in r.ByGeneration())
        {
            var number = generation.Generation.ToString(CultureInfo.InvariantCulture);
            var role = RoleName(generation.Role);
            if (uses.Count == 0)
            {
                yield return new ConsumerRow(account, region, alias, number, role, generation.KeyId, "-", "-", "-", string.Empty, "-", string.Empty, "none found");
            }

            foreach (var use in uses)
            {
                yield return new ConsumerRow(account, region, alias, number, role, generation.KeyId, use.Resource.Service, use.Resource.Kind, use.Resource.Id, use.Resource.VersionId ?? string.Empty, use.Resource.KeyReference ?? "-", use.Match.Describe(), string.Empty);
            }
        }

        foreach (var skipped in r.NotChecked)
        {
            yield return new ConsumerRow(account, region, alias, "-", "not checked", "-", skipped.Resource.Service, skipped.Resource.Kind, skipped.Resource.Id, skipped.Resource.VersionId ?? string.Empty, "-", string.Empty, skipped.Reason);
        }
    }

    public static string RoleName(GenerationRole role) => role switch
    {
        GenerationRole.Current => "current",
        GenerationRole.Earlier => "earlier",
        _ => "rolled back",
    };

    private static JsonObject TargetJson(TargetReport report)
    {
        var json = report.Report is { } r ? ToJson(r) : new JsonObject();
        json.Insert(0, "account", report.Target?.AccountId);
        json.Insert(1, "region", report.Target?.Region);
        json["error"] = report.Error;
        return json;
    }

    public static JsonObject ToJson(ConsumerReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        return new JsonObject
        {
            ["alias"] = report.Generations.AliasName,
            ["aliasArn"] = report.Generations.AliasArn,
            ["generations"] = new JsonArray([.. report.ByGeneration().Select(g => (JsonNode)new JsonObject
            {
                ["generation"] = g.Generation.Generation,
                ["role"] = RoleName(g.Generation.Role),
                ["keyId"] = g.Generation.KeyId,
                ["keyArn"] = g.Generation.KeyArn,
                ["resources"] = new JsonArray([.. g.Uses.Select(u => (JsonNode)ResourceJson(u.Resource, u.Match.Describe()))]),
            })]),
            ["notChecked"] = new JsonArray([.. report.NotChecked.Select(n =>
            {
                var json = ResourceJson(n.Resource, null);
                json["reason"] = n.Reason;
                return (JsonNode)json;
            })]),
            ["seen"] = report.Seen,
        };
    }

    public static JsonObject ResourceJson(ConsumerResource resource, string? via)
    {
        ArgumentNullException.ThrowIfNull(resource);
        var json = new JsonObject
        {
            ["service"] = resource.Service,
            ["kind"] = resource.Kind,
            ["id"] = resource.Id,
            ["versionId"] = resource.VersionId,
            ["reference"] = resource.KeyReference,
        };
        if (via is not null)
        {
            json["via"] = via;
        }

        return json;
    }

    private sealed record ConsumerRow(string Account, string Region, string Alias, string Generation, string Role, string KeyId, string Service, string Kind, string Resource, string VersionId, string Reference, string Via, string Reason);
}
