using System.CommandLine;
using System.Text.Json.Nodes;
using KeyRotation.Core;
using KeyRotation.Core.Configuration;
using KeyRotation.Core.History;
using Spectre.Console;

namespace KeyRotation.Cli.Commands;

/// <summary><c>status [ALIAS...]</c>: each alias's current key, its earlier generations, rolled-back ones, and unfinished work.</summary>
internal static class StatusCommand
{
    public static Command Create(CliContextFactory factory)
    {
        var aliases = Arguments.Aliases("Aliases to show (default: ROTATION_ALIASES; with --sandbox, the demo aliases).");
        var command = new Command("status", "Show each alias's current key, the chain of earlier generations, and any rotation left in progress.") { aliases };
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

            var (kms, _) = await context.ConnectAsync(ct);
            if (configured is not null)
            {
                names = await configured.ResolveAsync(kms, ct);
            }
            var history = new AliasHistory(kms);
            var statuses = new List<(string Alias, AliasStatus? Status, string? Error)>();
            foreach (var alias in names)
            {
                try
                {
                    statuses.Add((alias, await history.GetAsync(alias, ct), null));
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
                    Write(context, alias, status, error);
                }
            }

            return statuses.Any(s => s.Error is not null) ? ExitCodes.Failed : ExitCodes.Success;
        });
        return command;
    }

    private static void Write(CliContext context, string alias, AliasStatus? status, string? error)
    {
        var console = context.Console;
        if (status is null)
        {
            console.MarkupLine($"[bold]{Markup.Escape(alias)}[/]: [red]{Markup.Escape(error ?? "unknown")}[/]");
            console.WriteLine();
            return;
        }

        console.MarkupLine($"[bold]{Markup.Escape(alias)}[/] -> {Markup.Escape(status.Current.KeyId)}{(status.RotatedByTool ? string.Empty : " (not rotated by this tool yet)")}");
        var table = new Table { Border = context.Host.StdoutIsTerminal ? TableBorder.Rounded : TableBorder.Simple };
        table.AddColumns("", "Generation", "Key id", "State", "Key state", "Created", "Retired");
        void Row(string role, KeyGeneration key) => table.AddRow(
            role,
            key.Generation.ToString(System.Globalization.CultureInfo.InvariantCulture),
            Markup.Escape(key.KeyId),
            Markup.Escape(key.State ?? "-"),
            Markup.Escape(key.Missing ? "not found" : key.KeyState ?? "-"),
            Markup.Escape(key.CreatedAt is { } created ? RotationTags.FormatTime(created) : "-"),
            Markup.Escape(key.RolledBackAt is not null ? $"{key.RetiredAt} (rolled back)" : key.State == RotationTags.KeyStates.Retired ? key.RetiredAt ?? "-" : "-"));
        Row("current", status.Current);
        foreach (var key in status.Earlier)
        {
            Row("earlier", key);
        }

        foreach (var key in status.RolledBack)
        {
            Row("rolled back", key);
        }

        console.Write(table);
        if (status.InProgress is { } progress)
        {
            console.MarkupLine($"[yellow]In progress:[/] {Markup.Escape(progress)}");
        }

        console.WriteLine();
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
        };

    private static JsonObject ToJson(KeyGeneration key) => new()
    {
        ["keyId"] = key.KeyId,
        ["arn"] = key.Arn,
        ["generation"] = key.Generation,
        ["state"] = key.State,
        ["keyState"] = key.Missing ? "NotFound" : key.KeyState,
        ["created"] = key.CreatedAt is { } created ? RotationTags.FormatTime(created) : null,
        ["retired"] = key.RetiredAt,
        ["restored"] = key.RestoredAt,
        ["rolledBack"] = key.RolledBackAt,
        ["previousKeyId"] = key.PreviousKeyId,
        ["successorKeyId"] = key.SuccessorKeyId,
        ["sequence"] = key.Sequence,
    };
}
