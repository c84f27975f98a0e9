using System.CommandLine;
using System.Text.Json.Nodes;
using Amazon.KeyManagementService;
using KeyRotation.Cli.Errors;
using KeyRotation.Core.Configuration;
using KeyRotation.Core.Retention;
using KeyRotation.Integrations.Composition;
using Spectre.Console;

namespace KeyRotation.Cli.Commands;

/// <summary>
/// <c>retention plan|run [ALIAS...]</c>: what the retention function would do now (plan), or do it from a terminal
/// (run, with --yes), with the retention function's settings and validation (RETENTION_MODE and the rest).
/// </summary>
internal static class RetentionCommand
{
    public static Command Create(CliContextFactory factory)
    {
        var command = new Command("retention", "Disable and delete old generations as RETENTION_MODE allows (docs/retention.md).");
        command.Add(Plan(factory));
        command.Add(Run(factory));
        return command;
    }

    private static Command Plan(CliContextFactory factory)
    {
        var aliases = Arguments.Aliases("Aliases to plan (default: ROTATION_ALIASES).");
        var mode = ModeOption();
        var checkConsumers = RetentionConsumerCheck.Option();
        var command = new Command("plan", "Show what retention would do now for each alias, and why each key is kept; changes nothing.") { aliases, mode, checkConsumers };
        command.SetAction(async (parsed, ct) =>
        {
            var context = factory.For(parsed);
            var settings = Settings(context, Arguments.ValidAliases(parsed.GetValue(aliases)), parsed.GetValue(mode), parsed.GetValue(checkConsumers));
            var (kms, sandbox) = await context.ConnectAsync(ct);
            var listed = await UnknownAliases.RefuseAsync(context, kms, settings.Selection.Names, ct);
            using var consumers = await RetentionConsumerCheck.OpenAsync(context, settings);
            var plans = await RetentionUntouched.WithRolledBackAsync(kms, await Runner(context, kms, settings, null, sandbox, consumers).PlanAsync(settings.Selection.Resolve(listed.Names), ct), ct);
            if (context.Json)
            {
                context.WriteJson(ToJson(settings, plans));
            }
            else
            {
                Write(context, settings, plans);
            }

            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Run(CliContextFactory factory)
    {
        var aliases = Arguments.Aliases("Aliases to handle (default: ROTATION_ALIASES).");
        var mode = ModeOption();
        var yes = Arguments.Yes();
        var topic = Arguments.TopicArn();
        var checkConsumers = RetentionConsumerCheck.Option();
        var command = new Command("run", "Disable (and, with disable-then-delete, schedule deletion of) old generations now, as the retention function would.") { aliases, mode, yes, topic, checkConsumers };
        command.SetAction(async (parsed, ct) =>
        {
            var context = factory.For(parsed);
            var settings = Settings(context, Arguments.ValidAliases(parsed.GetValue(aliases)), parsed.GetValue(mode), parsed.GetValue(checkConsumers));
            var (kms, sandbox) = await context.ConnectAsync(ct);
            var listed = await UnknownAliases.RefuseAsync(context, kms, settings.Selection.Names, ct);

            // Before the question: a malformed consumer endpoint variable is bad input to name, not something to confirm first.
            using var consumers = await RetentionConsumerCheck.OpenAsync(context, settings);
            if (!await context.ConfirmAsync(parsed.GetValue(yes), $"Retention ({RetentionSettings.ModeValue(settings.Mode)}) may disable keys and schedule their deletion for {string.Join(", ", settings.Aliases)}. Go on?", ct))
            {
                context.Error("Cancelled; nothing was changed.");
                return ExitCodes.Failed;
            }

            var topicArn = parsed.GetValue(topic) ?? context.Environment.GetValueOrDefault(SettingNames.NotificationTopicArn);
            var notices = Notices.Create(context, string.IsNullOrWhiteSpace(topicArn) ? null : topicArn.Trim());
            var report = await Runner(context, kms, settings, notices, sandbox, consumers).RunAsync(RotationRun.NewRunId(context, "retention"), settings.Selection.Resolve(listed.Names), dryRun: false, ct);
            if (context.Json)
            {
                context.WriteJson(new JsonObject
                {
                    ["runId"] = report.RunId,
                    ["mode"] = RetentionSettings.ModeValue(settings.Mode),
                    ["actions"] = new JsonArray([.. report.Results.Where(r => r.Step.Action != RetentionAction.Keep || r.Outcome == RetentionOutcome.Failed).Select(r => (JsonNode)StepJson(r.Step, r.Outcome.ToString(), r.Error))]),
                    ["refused"] = RetentionEvidence.Refused(report),
                    ["skipped"] = new JsonArray([.. report.Skipped.Select(s => (JsonNode)new JsonObject { ["alias"] = s.Step.Alias, ["reason"] = s.Step.Reason })]),
                    ["notificationError"] = report.NotificationError,
                    ["notifications"] = RotationRun.NoticesToJson(notices.Printed),
                });
            }
            else
            {
                foreach (var result in report.Results.Where(r => r.Step.Action != RetentionAction.Keep || r.Outcome == RetentionOutcome.Failed))
                {
                    var colour = result.Outcome == RetentionOutcome.Failed ? "red" : "green";
                    context.Console.MarkupLine($"[{colour}]{result.Outcome}[/] {result.Step.Action} {Markup.Escape(result.Step.MarkerAlias ?? result.Step.KeyId)} ({Markup.Escape(result.Step.Alias)}): {Markup.Escape(result.Error ?? RetentionEvidence.Why(result.Step))}");
                }

                RetentionEvidence.WriteRefusals(context, report);

                foreach (var skipped in report.Skipped)
                {
                    context.Console.MarkupLine($"[yellow]Left alone[/] {Markup.Escape(skipped.Step.Alias)}: {Markup.Escape(skipped.Step.Reason)}");
                }

                if (!report.Acted.Any() && !report.Failed.Any() && !report.Refused.Any())
                {
                    context.Console.WriteLine("Nothing to do.");
                }

                RotationRun.WriteNotices(context, notices);
            }

            return report.Failed.Any() || report.NotificationError is not null ? ExitCodes.Failed : ExitCodes.Success;
        });
        return command;
    }

    /// <summary>For <c>plan</c>: the retention section, when RETENTION_MODE is set in the environment.</summary>
    public static async Task<JsonObject?> PlanIfConfiguredAsync(CliContext context, IAmazonKeyManagementService kms, IReadOnlyList<string> aliases, Sandbox? sandbox, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(context.Environment.GetValueOrDefault(SettingNames.RetentionMode)))
        {
            return null;
        }

        var settings = Settings(context, aliases, null, checkConsumers: false);
        using var consumers = await RetentionConsumerCheck.OpenAsync(context, settings);
        var plans = await RetentionUntouched.WithRolledBackAsync(kms, await Runner(context, kms, settings, null, sandbox, consumers).PlanAsync(await settings.Selection.ResolveAsync(kms, ct), ct), ct);
        if (!context.Json)
        {
            Write(context, settings, plans);
        }

        return ToJson(settings, plans);
    }

    private static Option<string?> ModeOption()
    {
        var option = new Option<string?>("--mode")
        {
            Description = "off, disable or disable-then-delete (default: RETENTION_MODE).",
            HelpName = "MODE",
        };

        // Refused by the parser, naming --mode; a bad RETENTION_MODE is still reported under the variable's name.
        option.AcceptOnlyFromAmong("off", "disable", "disable-then-delete");
        return option;
    }

    /// <param name="checkConsumers">--check-consumers: on whatever RETIRE_CHECK_CONSUMERS says (which also turns it on).</param>
    private static RetentionSettings Settings(CliContext context, IReadOnlyList<string> aliases, string? mode, bool checkConsumers)
    {
        var variables = SettingNames.Retention
            .Where(context.Environment.ContainsKey)
            .ToDictionary(name => name, name => context.Environment[name], StringComparer.Ordinal);
        if (aliases.Count > 0)
        {
            variables[SettingNames.RotationAliases] = string.Join(',', aliases);
        }
        else if (context.IsSandbox && !variables.ContainsKey(SettingNames.RotationAliases))
        {
            variables[SettingNames.RotationAliases] = string.Join(',', Sandbox.RetentionDemoAliases);
        }

        if (mode is not null)
        {
            variables[SettingNames.RetentionMode] = mode;
        }

        if (checkConsumers)
        {
            variables[SettingNames.RetireCheckConsumers] = "true";
        }

        if (string.IsNullOrWhiteSpace(variables.GetValueOrDefault(SettingNames.NotificationTopicArn)))
        {
            variables[SettingNames.NotificationTopicArn] = RotationRun.PlaceholderTopic;
        }

        return RetentionSettings.Parse(variables);
    }

    private static RetentionRunner Runner(CliContext context, IAmazonKeyManagementService kms, RetentionSettings settings, Notices? notices, Sandbox? sandbox, RetentionConsumerCheck consumers) =>
        new RotationComposition(new() { Kms = kms, Notifier = notices, Time = context.Host.Time, Log = new RotationRun.StderrLog(context), RegionClients = context.RegionClients(sandbox), ConsumerSources = consumers.Sources })
            .Retention(settings, settings.Escrow is null || context.IsSandbox ? null : context.CreateEscrowStore());

    private static readonly TabularColumn[] StepColumns = [new("Generation"), new("Key id or alias"), new("Action"), new("Why", Wraps: true)];

    private static void Write(CliContext context, RetentionSettings settings, IReadOnlyList<RetentionPlan> plans)
    {
        if (context.Format == OutputFormat.Text)
        {
            // One tab-separated line per step, the alias first, and nothing else on stdout: for cut and awk.
            Tabular.Write(context, [new("Alias"), .. StepColumns], [.. plans.SelectMany(TextRows)]);
            return;
        }

        context.Console.MarkupLine($"[bold]Retention[/] ({RetentionSettings.ModeValue(settings.Mode)}; keep {settings.RetainGenerations} behind the current key, disable after {settings.DisableAfterDays} days, schedule deletion after {settings.DeleteAfterDays} more, waiting period {settings.PendingWindowDays} days)");
        context.Console.MarkupLine($"Each disable and deletion needs the key (and each replica) proven unused for {settings.RetireUnusedForDays} days ({SettingNames.RetireUnusedForDays}); the alias's first key is {(settings.RetireOriginalKey ? "retired like the others" : "never touched")} ({SettingNames.RetireOriginalKey}).");
        foreach (var plan in plans)
        {
            if (plan.SkipReason is { } skip)
            {
                context.Console.MarkupLine($"[bold]{Markup.Escape(plan.Alias)}[/]: [yellow]left alone[/]: {Markup.Escape(skip)}");
                continue;
            }

            context.Console.MarkupLine($"[bold]{Markup.Escape(plan.Alias)}[/]");
            Tabular.Write(context, StepColumns, [.. plan.Steps.Select(StepCells)]);
        }
    }

    private static IReadOnlyList<TabularCell> StepCells(RetentionStep step) =>
    [
        step.Generation.ToString(System.Globalization.CultureInfo.InvariantCulture),
        step.MarkerAlias ?? step.KeyId,
        RetentionEvidence.Action(step),
        RetentionEvidence.Why(step),
    ];

    private static IEnumerable<IReadOnlyList<TabularCell>> TextRows(RetentionPlan plan) =>
        plan.SkipReason is { } skip
            ? [[plan.Alias, "-", "-", "left alone", skip]]
            : plan.Steps.Select(step => (IReadOnlyList<TabularCell>)[plan.Alias, .. StepCells(step)]);

    private static JsonObject ToJson(RetentionSettings settings, IReadOnlyList<RetentionPlan> plans) => new()
    {
        ["mode"] = RetentionSettings.ModeValue(settings.Mode),
        ["aliases"] = new JsonArray([.. plans.Select(p => (JsonNode)new JsonObject
        {
            ["alias"] = p.Alias,
            ["skipped"] = p.SkipReason,
            ["steps"] = new JsonArray([.. p.Steps.Select(s => (JsonNode)StepJson(s, null, null))]),
        })]),
    };

    private static JsonObject StepJson(RetentionStep step, string? outcome, string? error) => RetentionEvidence.With(new()
    {
        ["alias"] = step.Alias,
        ["keyId"] = step.KeyId,
        ["generation"] = step.Generation,
        ["markerAlias"] = step.MarkerAlias,
        ["action"] = step.Action.ToString(),
        ["outcome"] = outcome,
        ["reason"] = step.Reason,
        ["error"] = error,
    }, step);
}
