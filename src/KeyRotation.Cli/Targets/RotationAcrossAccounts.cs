using System.Text.Json.Nodes;
using KeyRotation.Cli.Commands;
using KeyRotation.Core;
using KeyRotation.Core.Configuration;
using KeyRotation.Integrations.Composition;
using Spectre.Console;

namespace KeyRotation.Cli.Targets;

/// <summary>
/// <c>plan</c> and <c>rotate</c> with <c>--accounts FILE</c>: the same engine, settings and confirmation as in one
/// account, run target by target with the role each line names; one table of results whose every row names the
/// account and Region. A target that cannot be reached is one failed row; the others still run.
/// </summary>
internal static class RotationAcrossAccounts
{
    public static async Task<int> RunAsync(CliContext context, RotationSettings settings, string? topicArn, RotationRequest request, bool yes, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(request);
        if (settings.Options.KeyMaterialOrigin == KeyMaterialOrigin.External)
        {
            // Each account escrows below its own prefix of the central bucket, with its own ESCROW_* settings.
            throw new UsageException($"{SettingNames.KeyMaterialOrigin}=EXTERNAL is not rotated across accounts: each account escrows under its own prefix; rotate those aliases one account at a time with --role-arn and that account's ESCROW_* settings.");
        }

        var connections = await MultiTargetRun.PrepareAsync(context);
        if (!request.DryRun && !await context.ConfirmAsync(yes, $"Rotate {request.Aliases.Count} alias(es) ({string.Join(", ", request.Aliases)}) in {connections.Count} account/Region target(s) ({string.Join("; ", connections.Select(c => c.Target))})?", ct))
        {
            context.Error("Cancelled; nothing was changed.");
            return ExitCodes.Failed;
        }

        var results = await MultiTargetRun.ForEachAsync(context, connections, (connection, token) => RunOneAsync(context, connection, settings, topicArn, request, token), ct);
        var rows = results
            .SelectMany(r => r.Value is { } run
                ? run.Report.Results.Select(a => new RotationRow(r.Target, a))
                : [new RotationRow(r.Target, new AliasRotationResult { Alias = "-", Outcome = RotationOutcome.Failed, Reason = r.Error ?? "unknown error" })])
            .ToList();
        var printed = results.SelectMany(r => (r.Value?.Notices?.Printed ?? []).Select(n => (r.Target, Notice: n))).ToList();

        if (context.Json)
        {
            context.WriteJson(new JsonObject
            {
                ["rotationId"] = request.RotationId,
                ["dryRun"] = request.DryRun,
                ["results"] = new JsonArray([.. rows.Select(r => (JsonNode)ToJson(r))]),
                ["notifications"] = new JsonArray([.. printed.Select(p => (JsonNode)new JsonObject { ["account"] = p.Target.AccountId, ["region"] = p.Target.Region, ["subject"] = p.Notice.Subject, ["body"] = p.Notice.Body })]),
            });
        }
        else
        {
            Write(context, request, rows);
            foreach (var (target, notice) in printed)
            {
                if (context.Format == OutputFormat.Text)
                {
                    context.Error($"Notification ({target.AccountId} {target.Region}): {notice.Subject}\n{notice.Body.TrimEnd()}");
                    continue;
                }

                context.Console.WriteLine();
                context.Console.MarkupLine($"[bold]Notification[/] for {target.AccountId} {target.Region} (printed here; NOTIFICATION_TOPIC_ARN is not set): {Markup.Escape(notice.Subject)}");
                context.Console.WriteLine(notice.Body.TrimEnd());
            }
        }

        return rows.Any(r => r.Result.Outcome == RotationOutcome.Failed || r.Result.NotificationError is not null) ? ExitCodes.Failed : ExitCodes.Success;
    }

    private static async Task<TargetRotation> RunOneAsync(CliContext context, TargetConnection connection, RotationSettings settings, string? topicArn, RotationRequest request, CancellationToken ct)
    {
        var log = new TargetLog(context, connection.Target);
        var notices = request.DryRun ? null : Notices.Create(context, topicArn, connection.Aws.Credentials);
        var options = request.DryRun
            ? settings.Options
            : settings.Options with { FailureAdvice = RotationRun.CliFailureAdvice(request.Aliases), ListPreviousKeyGrants = true };
        var engine = new RotationComposition(request.DryRun
            ? new() { Kms = connection.Kms, Notifier = new Notices.Silent(), Time = context.Host.Time, Log = log }
            : new() { Kms = connection.Kms, Notifier = notices, Time = context.Host.Time, Log = log, CreateKeyClient = connection.CreateKeyClient(), KeyFinder = connection.KeyFinder(context), HookFunctions = context.HookFunctions(null, connection.Aws.Credentials) })
            .Engine(options);

        // Patterns (alias/prod/*) select each target's own aliases. Each target gets the whole run timeout from its own
        // start, as a function run in that account would.
        var aliases = await settings.Selection.ResolveAsync(connection.Kms, ct);
        var report = await RotationRun.RunAsync(
            context,
            EngineHandle.For(engine, null, settings.Options.MaxConcurrency),
            request with { Aliases = aliases, Deadline = request.DryRun ? null : context.Host.Time.GetUtcNow() + settings.Options.RunTimeout },
            ct);
        return new TargetRotation(report, notices);
    }

    private static void Write(CliContext context, RotationRequest request, IReadOnlyList<RotationRow> rows)
    {
        TabularColumn[] columns = [new("Account"), new("Region"), new("Alias"), new("Outcome"), new("Previous key"), new("New key"), new("Reason", Wraps: true)];
        Tabular.Write(context, columns, [.. rows.Select(r => (IReadOnlyList<TabularCell>)
        [
            r.Target.AccountId,
            r.Target.Region,
            r.Result.Alias,
            new TabularCell(r.Result.Outcome.ToString(), r.Result.Outcome switch
            {
                RotationOutcome.Rotated => "green",
                RotationOutcome.Failed => "red",
                RotationOutcome.Planned => "blue",
                _ => "yellow",
            }),
            r.Result.PreviousKeyId ?? "-",
            r.Result.NewKeyId ?? "-",
            context.Format == OutputFormat.Text ? RotationRun.Reason(r.Result) : RotationRun.WithoutKeyIds(RotationRun.Reason(r.Result), r.Result.PreviousKeyId, r.Result.NewKeyId),
        ])]);
        if (context.Format == OutputFormat.Table)
        {
            var counts = rows.GroupBy(r => r.Result.Outcome).Select(g => $"{g.Count()} {g.Key.ToString().ToLowerInvariant()}");
            context.Console.WriteLine($"{(request.DryRun ? "Plan" : "Rotation")} {request.RotationId} across {rows.Select(r => r.Target).Distinct().Count()} account/Region target(s): {string.Join(", ", counts)}.");
        }
    }

    private static JsonObject ToJson(RotationRow row) => new()
    {
        ["account"] = row.Target.AccountId,
        ["region"] = row.Target.Region,
        ["alias"] = row.Result.Alias == "-" ? null : row.Result.Alias,
        ["outcome"] = row.Result.Outcome.ToString(),
        ["previousKeyId"] = row.Result.PreviousKeyId,
        ["newKeyId"] = row.Result.NewKeyId,
        ["reason"] = RotationRun.InCliWords(row.Result.Reason),
        ["resumed"] = row.Result.Resumed,
        ["notificationError"] = row.Result.NotificationError,
    };

    private sealed record TargetRotation(RotationReport Report, Notices? Notices);

    private sealed record RotationRow(AccountTarget Target, AliasRotationResult Result);
}
