using System.CommandLine;
using System.Text.Json.Nodes;
using KeyRotation.Cli.Errors;
using KeyRotation.Cli.Targets;
using KeyRotation.Core;
using KeyRotation.Core.Configuration;
using KeyRotation.Core.History;
using KeyRotation.Core.Protocol;
using KeyRotation.Core.Retention;
using Spectre.Console;

namespace KeyRotation.Cli.Commands;

/// <summary><c>status [ALIAS...]</c>: each alias's current key, its earlier generations, rolled-back ones, and unfinished work.</summary>
internal static class StatusCommand
{
    public static Command Create(CliContextFactory factory)
    {
        var aliases = Arguments.Aliases("Aliases to show (default: ROTATION_ALIASES; with --sandbox, the demo aliases).");
        var all = MaterialRotationRows.AllOption();
        var command = new Command("status", "Show each alias's current key, the chain of earlier generations, and any rotation left in progress.") { aliases, all };
        command.SetAction(async (parsed, ct) =>
        {
            var context = factory.For(parsed);
            var names = Arguments.ValidAliases(parsed.GetValue(aliases));
            var configured = names.Count > 0 || context.IsSandbox ? null : Arguments.ConfiguredSelection(context.Environment);
            if (names.Count == 0 && context.IsSandbox)
            {
                names = Sandbox.DemoAliases;
            }

            if (names.Count == 0 && configured is null)
            {
                throw new UsageException($"No alias to show: name aliases (for example alias/app-data) or set {SettingNames.RotationAliases}.");
            }

            if (context.Targets.AccountsFile is not null)
            {
                if (configured is { Prefixes.Count: > 0 })
                {
                    throw new UsageException($"--accounts reads each account's aliases by name: {SettingNames.RotationAliases} holds a pattern ({configured.Prefixes[0]}*); name the aliases on the command line.");
                }

                return await StatusAcrossAccounts.RunAsync(context, configured?.Names ?? names, ct);
            }

            var (kms, sandbox) = await context.ConnectAsync(ct);
            // One paged ListAliases answers every alias's marker aliases and resolves the patterns: no DescribeKey per marker.
            var snapshot = await context.WaitAsync("Listing aliases", () => AliasSnapshot.ReadAsync(kms, ct));
            if (configured is not null)
            {
                names = configured.Resolve(snapshot.Names);
            }

            UnknownAliases.Refuse(context, snapshot, names);

            var history = new AliasHistory(kms, snapshot, context.RegionClients(sandbox));
            var statuses = new List<(string Alias, AliasStatus? Status, string? Error)>();
            foreach (var alias in names)
            {
                try
                {
                    statuses.Add((alias, await context.WaitAsync($"Reading {alias}", () => history.GetAsync(alias, ct)), null));
                }
                catch (RotationException ex)
                {
                    statuses.Add((alias, null, ex.Message));
                }
            }

            if (context.Json)
            {
                context.WriteJson(new JsonObject { ["aliases"] = new JsonArray([.. statuses.Select(s => (JsonNode)ToJson(s.Alias, s.Status, s.Error))]) });
            }
            else
            {
                foreach (var (alias, status, error) in statuses)
                {
                    Write(context, alias, status, error, parsed.GetValue(all));
                }
            }

            return statuses.Any(s => s.Error is not null) ? ExitCodes.Failed : ExitCodes.Success;
        });
        return command;
    }

    private static void Write(CliContext context, string alias, AliasStatus? status, string? error, bool allMaterials)
    {
        var console = context.Console;
        if (status is null)
        {
            // An alias that could not be read is an error: on stderr, in one line, whatever the output format.
            context.Error($"{alias}: {error}");
            return;
        }

        if (context.Format == OutputFormat.Table)
        {
            console.MarkupLine($"[bold]{Markup.Escape(alias)}[/] -> {Markup.Escape(status.Current.KeyId)}{(status.RotatedByTool ? string.Empty : " (not rotated by this tool yet)")}");
        }

        // "Generation state" is this tool's tag (active, retired); "KMS key state" is KMS's own (Enabled, Disabled...).
        TabularColumn[] columns = [new("Alias"), new("Role"), new("Generation"), new("Key id"), new("Generation state"), new("KMS key state"), new("Created"), new("Retired")];
        var rows = new List<IReadOnlyList<TabularCell>>();
        void Row(string role, KeyGeneration key) => rows.Add(
        [
            alias,
            role,
            key.Generation.ToString(System.Globalization.CultureInfo.InvariantCulture),
            key.KeyId,
            key.State ?? "-",
            key.Missing ? "not found" : key.KeyState ?? "-",
            key.CreatedAt is { } created ? RecordedTime.Format(created) : "-",
            key.RolledBackAt is not null ? $"{key.RetiredAt} (rolled back)" : key.Retired ? key.RetiredAt ?? "-" : "-",
        ]);

        // One history: after each key, the new materials KMS gave it in place (same key id), collapsed unless --all.
        void Materials(KeyGeneration key) => rows.AddRange(MaterialRotationRows.For(context, alias, key, allMaterials));

        Row("current", status.Current);
        Materials(status.Current);
        foreach (var key in status.Earlier)
        {
            Row("earlier", key);
            Materials(key);
        }

        foreach (var key in status.RolledBack)
        {
            Row("rolled back", key);
        }

        // The alias heads the block in table output; text output repeats it on every line, for grep and awk.
        Tabular.Write(context, context.Format == OutputFormat.Text ? columns : columns[1..], context.Format == OutputFormat.Text ? rows : [.. rows.Select(r => (IReadOnlyList<TabularCell>)[.. r.Skip(1)])]);
        WriteReplicas(context, alias, status);
        if (context.Format == OutputFormat.Text)
        {
            context.Stdout.WriteLine($"{alias}\tcost\t{KeyCost.For(status).Describe()}");
        }
        else
        {
            console.WriteLine(KeyCost.For(status).Describe());
        }
        if (status.InProgress is { } progress)
        {
            // The step (docs/hooks.md) as Secrets Manager shows a pending stage: only while something is unfinished.
            var step = status.Step is { } known && known != RotationStep.Finished ? RotationSteps.Name(known) : null;
            if (context.Format == OutputFormat.Text)
            {
                context.Stdout.WriteLine($"{alias}\tin progress\t{progress}");
                if (step is not null)
                {
                    context.Stdout.WriteLine($"{alias}\tstep\t{step}");
                }
            }
            else
            {
                console.MarkupLine($"[yellow]In progress:[/] {Markup.Escape(progress)}{(step is null ? string.Empty : $" (step: {step})")}");
            }
        }

        if (context.Format == OutputFormat.Table)
        {
            console.WriteLine();
        }
    }

    /// <summary>A multi-Region primary's replicas, one row per Region: the replica's KMS key state and where that Region's alias points.</summary>
    private static void WriteReplicas(CliContext context, string alias, AliasStatus status)
    {
        if (status.Replicas.Count == 0)
        {
            return;
        }

        string AliasThere(ReplicaStatus replica) => replica.Error is not null ? "-" : replica.AliasKeyId is null ? "no alias" : replica.AliasKeyId == status.Current.KeyId ? "this replica" : replica.AliasKeyId;
        var rows = status.Replicas.Select(r => (IReadOnlyList<TabularCell>)[alias, "replica", r.Region, r.KeyId, r.Error is null ? r.KeyState ?? "-" : $"not read: {r.Error}", AliasThere(r)]).ToList();
        TabularColumn[] columns = [new("Alias"), new("Role"), new("Region"), new("Key id"), new("KMS key state"), new("Alias there")];
        Tabular.Write(context, context.Format == OutputFormat.Text ? columns : columns[2..], context.Format == OutputFormat.Text ? rows : [.. rows.Select(r => (IReadOnlyList<TabularCell>)[.. r.Skip(2)])]);
    }

    private static JsonObject ToJson(string alias, AliasStatus? status, string? error) => status is null
        ? new JsonObject { ["alias"] = alias, ["error"] = error }
        : new JsonObject
        {
            ["alias"] = alias,
            ["rotatedByTool"] = status.RotatedByTool,
            ["current"] = ToJson(status.Current),
            ["earlier"] = new JsonArray([.. status.Earlier.Select(k => (JsonNode)ToJson(k))]),
            ["rolledBack"] = new JsonArray([.. status.RolledBack.Select(k => (JsonNode)ToJson(k))]),
            ["inProgress"] = status.InProgress,
            ["step"] = status.Step is { } step ? RotationSteps.Name(step) : null,
            ["replicas"] = new JsonArray([.. status.Replicas.Select(r => (JsonNode)new JsonObject
            {
                ["region"] = r.Region,
                ["keyId"] = r.KeyId,
                ["arn"] = r.Arn,
                ["keyState"] = r.KeyState,
                ["aliasKeyId"] = r.AliasKeyId,
                ["error"] = r.Error,
            })]),
            ["keyCost"] = KeyCostJson(KeyCost.For(status)),
        };

    private static JsonObject KeyCostJson(KeyCost cost) => new()
    {
        ["enabled"] = cost.Enabled,
        ["disabled"] = cost.Disabled,
        ["pendingDeletion"] = cost.PendingDeletion,
        ["other"] = cost.Other,
        ["estimatedMonthlyDollars"] = cost.MonthlyDollars,
    };

    private static JsonObject ToJson(KeyGeneration key) => new()
    {
        ["keyId"] = key.KeyId,
        ["arn"] = key.Arn,
        ["generation"] = key.Generation,
        ["state"] = key.State,
        ["keyState"] = key.Missing ? "NotFound" : key.KeyState,
        ["created"] = key.CreatedAt is { } created ? RecordedTime.Format(created) : null,
        ["retired"] = key.RetiredAt,
        ["restored"] = key.RestoredAt,
        ["rolledBack"] = key.RolledBackAt,
        ["previousKeyId"] = key.PreviousKeyId,
        ["successorKeyId"] = key.SuccessorKeyId,
        ["sequence"] = key.Sequence,
        ["materialRotations"] = new JsonArray([.. key.MaterialRotations.Select(m => (JsonNode)new JsonObject
        {
            ["rotatedAt"] = RecordedTime.Format(m.RotatedAt),
            ["keyMaterialId"] = m.KeyMaterialId,
            ["rotationType"] = m.RotationType,
        })]),
    };
}
