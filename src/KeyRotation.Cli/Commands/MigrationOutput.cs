using System.Text.Json.Nodes;
using KeyRotation.Cli.Targets;
using KeyRotation.Core.Consumers;
using Spectre.Console;

namespace KeyRotation.Cli.Commands;

/// <summary>One account and Region's migration (<see cref="Target"/> null: the caller's own), or the error that stopped it.</summary>
internal sealed record TargetMigration(AccountTarget? Target, MigrationSummary? Summary, string? Error);

/// <summary>
/// The output of <c>migrate</c>: one row per resource that references the alias's generations (outcome Moved, Skipped
/// when already current, Would move in a dry run, Manual with the runbook, Failed with the reason), the resources not
/// checked, then the runbooks step by step and the summary line.
/// </summary>
internal static class MigrationOutput
{
    public static void Write(CliContext context, IReadOnlyList<TargetMigration> results)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(results);
        if (context.Json)
        {
            context.WriteJson(results.Count == 1 && results[0].Target is null
                ? ToJson(results[0].Summary!)
                : new JsonObject { ["targets"] = new JsonArray([.. results.Select(r => (JsonNode)TargetJson(r))]) });
            return;
        }

        var across = results.Any(r => r.Target is not null);
        var rows = results.SelectMany(Rows).ToList();
        TabularColumn[] all = [new("Account"), new("Region"), new("Service"), new("Kind"), new("Resource"), new("From"), new("Outcome"), new("Detail", Wraps: true)];
        var skip = across || context.Format == OutputFormat.Csv ? 0 : 2;
        var csv = context.Format == OutputFormat.Csv;
        Tabular.Write(context, all[skip..], [.. rows.Select(r => (IReadOnlyList<TabularCell>)[.. r.Skip(skip).Select((cell, i) => i + skip == all.Length - 1 && !csv ? new TabularCell(FirstLine(cell.Text), cell.Colour) : cell)])]);
        if (csv)
        {
            return;
        }

        foreach (var result in results)
        {
            foreach (var item in result.Summary?.Items.Where(i => i.Outcome.Result == MigrationResult.Manual) ?? [])
            {
                var steps = item.Outcome.Detail.Split('\n');
                if (context.Format == OutputFormat.Text)
                {
                    foreach (var step in steps)
                    {
                        context.Stdout.WriteLine($"runbook\t{item.Use.Resource.Id}\t{step}");
                    }

                    continue;
                }

                // Straight to stdout, not through the console's layout: a step holds shell commands, which a line
                // break inserted at the console's width would cut in the middle when copied.
                context.Stdout.WriteLine();
                context.Stdout.WriteLine($"Runbook for {item.Use.Resource.Service} {item.Use.Resource.Kind} {item.Use.Resource.Id}{(result.Target is null ? string.Empty : $" ({result.Target})")}:");
                foreach (var step in steps)
                {
                    context.Stdout.WriteLine($"  {step}");
                }
            }
        }

        if (context.Format == OutputFormat.Table)
        {
            context.Console.WriteLine();
            foreach (var result in results)
            {
                var summary = result.Summary is { } s ? $"{(s.DryRun ? "Dry run, nothing changed: " : string.Empty)}{s.Describe()}." : $"not migrated: {result.Error}";
                context.Console.WriteLine($"{(result.Target is null ? string.Empty : result.Target + ": ")}{summary}");
            }
        }
    }

    /// <summary>Exit 1 with one line on stderr when a resource failed or was not checked, or a target failed; after every other resource was processed.</summary>
    public static int Finish(CliContext context, string alias, IReadOnlyList<TargetMigration> results)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(results);
        var failed = results.Sum(r => r.Summary?.Count(MigrationResult.Failed) ?? 0);
        var notChecked = results.Sum(r => r.Summary?.NotChecked.Count ?? 0);
        var targets = results.Count(r => r.Error is not null);
        if (failed + notChecked + targets == 0)
        {
            return ExitCodes.Success;
        }

        var parts = new List<string>();
        if (failed > 0)
        {
            parts.Add($"{failed} resource(s) failed and were left as they were");
        }

        if (notChecked > 0)
        {
            parts.Add($"{notChecked} not checked");
        }

        if (targets > 0)
        {
            parts.Add($"{targets} target(s) failed");
        }

        context.Error($"keyrotation migrate: {alias}: {string.Join(", ", parts)} (listed with the reason); run again to retry.");
        return ExitCodes.Failed;
    }

    public static string OutcomeName(MigrationResult result) => result switch
    {
        MigrationResult.AlreadyCurrent => "Skipped",
        MigrationResult.WouldMove => "Would move",
        _ => result.ToString(),
    };

    /// <summary>A runbook's place in the table: it follows the table, step by step.</summary>
    private static string FirstLine(string text) => text.Split('\n') is { Length: > 1 } lines ? $"runbook below ({lines.Length} steps)" : text;

    private static IEnumerable<IReadOnlyList<TabularCell>> Rows(TargetMigration result)
    {
        var (account, region) = (result.Target?.AccountId ?? string.Empty, result.Target?.Region ?? string.Empty);
        if (result.Summary is not { } summary)
        {
            yield return [account, region, "-", "-", "-", "-", new TabularCell("Failed", "red"), result.Error ?? "failed"];
            yield break;
        }

        foreach (var item in summary.Items)
        {
            var resource = item.Use.Resource;
            var from = $"generation {item.Use.Match.Generation.Generation} ({item.Use.Match.Describe()})";
            var colour = item.Outcome.Result switch
            {
                MigrationResult.Failed => "red",
                MigrationResult.Moved => "green",
                MigrationResult.Manual => "yellow",
                _ => null,
            };
            yield return [account, region, resource.Service, resource.Kind, resource.Id, from, new TabularCell(OutcomeName(item.Outcome.Result), colour), item.Outcome.Detail];
        }

        foreach (var skipped in summary.NotChecked)
        {
            yield return [account, region, skipped.Resource.Service, skipped.Resource.Kind, skipped.Resource.Id, "-", new TabularCell("Not checked", "red"), skipped.Reason];
        }
    }

    private static JsonObject TargetJson(TargetMigration result)
    {
        var json = result.Summary is { } s ? ToJson(s) : new JsonObject();
        json.Insert(0, "account", result.Target?.AccountId);
        json.Insert(1, "region", result.Target?.Region);
        json["error"] = result.Error;
        return json;
    }

    public static JsonObject ToJson(MigrationSummary summary)
    {
        ArgumentNullException.ThrowIfNull(summary);
        return new JsonObject
        {
            ["alias"] = summary.Target.AliasName,
            ["targetKeyArn"] = summary.Target.CurrentKeyArn,
            ["dryRun"] = summary.DryRun,
            ["results"] = new JsonArray([.. summary.Items.Select(i =>
            {
                var json = ConsumersOutput.ResourceJson(i.Use.Resource, i.Use.Match.Describe());
                json["generation"] = i.Use.Match.Generation.Generation;
                json["outcome"] = i.Outcome.Result.ToString();
                json["detail"] = i.Outcome.Result == MigrationResult.Manual ? null : i.Outcome.Detail;
                json["runbook"] = i.Outcome.Result == MigrationResult.Manual ? new JsonArray([.. i.Outcome.Detail.Split('\n').Select(s => (JsonNode)s)]) : null;
                return (JsonNode)json;
            })]),
            ["notChecked"] = new JsonArray([.. summary.NotChecked.Select(n =>
            {
                var json = ConsumersOutput.ResourceJson(n.Resource, null);
                json["reason"] = n.Reason;
                return (JsonNode)json;
            })]),
            ["summary"] = new JsonObject
            {
                ["moved"] = summary.Count(MigrationResult.Moved),
                ["wouldMove"] = summary.Count(MigrationResult.WouldMove),
                ["skipped"] = summary.Count(MigrationResult.AlreadyCurrent),
                ["manual"] = summary.Count(MigrationResult.Manual),
                ["failed"] = summary.Count(MigrationResult.Failed),
                ["notChecked"] = summary.NotChecked.Count,
            },
        };
    }
}
