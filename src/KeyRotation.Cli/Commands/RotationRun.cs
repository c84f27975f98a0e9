using Amazon.KeyManagementService;
using System.Globalization;
using System.Text.Json.Nodes;
using KeyRotation.Core;
using KeyRotation.Core.Configuration;
using KeyRotation.Core.KeyMaterial;
using Spectre.Console;

namespace KeyRotation.Cli.Commands;

/// <summary>
/// What plan and rotate share: settings from the environment with the flags on top (the function's names and
/// validation), the engine run alias by alias under the concurrency limit with progress on a terminal, and the summary.
/// </summary>
internal static class RotationRun
{
    /// <summary>
    /// Stands in for NOTIFICATION_TOPIC_ARN during validation when none is set: the CLI then prints notifications
    /// instead of publishing them, while the function (which always has a topic) keeps requiring one.
    /// </summary>
    private const string PlaceholderTopic = "arn:aws:sns:us-east-1:000000000000:keyrotation-cli-prints-notifications";

    public static (RotationSettings Settings, string? TopicArn) Settings(
        CliContext context,
        IReadOnlyList<string> aliases,
        string? topicFlag,
        IReadOnlyDictionary<string, string> overrides)
    {
        var variables = SettingNames.All
            .Where(context.Environment.ContainsKey)
            .ToDictionary(name => name, name => context.Environment[name], StringComparer.Ordinal);
        foreach (var (name, value) in overrides)
        {
            variables[name] = value;
        }

        if (aliases.Count > 0)
        {
            variables[SettingNames.RotationAliases] = string.Join(',', aliases);
        }
        else if (context.IsSandbox)
        {
            variables[SettingNames.RotationAliases] = string.Join(',', Sandbox.DemoAliases);
        }
        else if (!variables.TryGetValue(SettingNames.RotationAliases, out var configured) || string.IsNullOrWhiteSpace(configured))
        {
            throw new UsageException($"No alias to work on: name aliases (for example alias/app-data) or set {SettingNames.RotationAliases}.");
        }

        if (topicFlag is not null)
        {
            variables[SettingNames.NotificationTopicArn] = topicFlag;
        }

        var topic = variables.TryGetValue(SettingNames.NotificationTopicArn, out var t) && !string.IsNullOrWhiteSpace(t) ? t.Trim() : null;
        if (topic is null)
        {
            variables[SettingNames.NotificationTopicArn] = PlaceholderTopic;
        }

        var settings = RotationSettings.Parse(variables);
        if (settings.Options.KeyMaterialOrigin == KeyMaterialOrigin.External && context.IsSandbox)
        {
            throw new UsageException($"{SettingNames.KeyMaterialOrigin}=EXTERNAL needs an escrow bucket; the sandbox rotates AWS_KMS keys only.");
        }

        return (settings, topic);
    }

    /// <summary>
    /// For KEY_MATERIAL_ORIGIN=EXTERNAL, the same importer the function uses: material generated here, escrowed to
    /// ESCROW_BUCKET with ESCROW_PUBLIC_KEY, then imported. Null for AWS_KMS.
    /// </summary>
    public static IKeyMaterialImporter? Importer(CliContext context, RotationSettings settings, IAmazonKeyManagementService kms)
    {
        if (settings.Options.KeyMaterialOrigin != KeyMaterialOrigin.External)
        {
            return null;
        }

        var options = KeyMaterialOptions.FromSettings(settings);
        return new EscrowedKeyMaterialImporter(kms, options.Escrow is null ? null : context.CreateS3Client(), options, context.Host.Time, new StderrLog(context));
    }

    /// <summary>The engine runs all aliases (and sizes how many at once); a terminal shows progress as each finishes.</summary>
    public static async Task<RotationReport> RunAsync(CliContext context, EngineHandle engine, RotationRequest request, CancellationToken ct)
    {
        if (context.Interactive && request.Aliases.Count > 1)
        {
            RotationReport? report = null;
            await context.Console.Progress().StartAsync(async progress =>
            {
                var task = progress.AddTask(request.DryRun ? "Planning" : "Rotating", maxValue: request.Aliases.Count);
                report = await engine.Engine.RunAsync(request, ct, _ => task.Increment(1));
            });
            return report!;
        }

        return await engine.Engine.RunAsync(request, ct);
    }

    public static int ExitCode(RotationReport report) => report.Problems.Any() ? ExitCodes.Failed : ExitCodes.Success;

    public static void WriteSummary(CliContext context, RotationReport report)
    {
        var table = new Table { Border = context.Host.StdoutIsTerminal ? TableBorder.Rounded : TableBorder.Simple };
        table.AddColumns("Alias", "Outcome", "Previous key", "New key", "Reason");
        foreach (var r in report.Results)
        {
            var colour = r.Outcome switch
            {
                RotationOutcome.Rotated => "green",
                RotationOutcome.Failed => "red",
                RotationOutcome.Planned => "blue",
                _ => "yellow",
            };
            var reason = r.NotificationError is null ? r.Reason : r.Reason + " " + r.NotificationError;
            table.AddRow(
                Markup.Escape(r.Alias),
                $"[{colour}]{r.Outcome}[/]",
                Markup.Escape(r.PreviousKeyId ?? "-"),
                Markup.Escape(r.NewKeyId ?? "-"),
                Markup.Escape(reason));
        }

        context.Console.Write(table);
        var counts = report.Results.GroupBy(r => r.Outcome).Select(g => $"{g.Count()} {g.Key.ToString().ToLowerInvariant()}");
        context.Console.WriteLine($"{(report.DryRun ? "Plan" : "Rotation")} {report.RotationId}: {string.Join(", ", counts)}.");
    }

    public static JsonObject ToJson(RotationReport report) => new()
    {
        ["rotationId"] = report.RotationId,
        ["dryRun"] = report.DryRun,
        ["results"] = new JsonArray([.. report.Results.Select(r => (JsonNode)new JsonObject
        {
            ["alias"] = r.Alias,
            ["outcome"] = r.Outcome.ToString(),
            ["previousKeyId"] = r.PreviousKeyId,
            ["newKeyId"] = r.NewKeyId,
            ["reason"] = r.Reason,
            ["resumed"] = r.Resumed,
            ["notificationError"] = r.NotificationError,
        })]),
    };

    public static JsonArray NoticesToJson(IEnumerable<RotationNotice> notices) =>
        new([.. notices.Select(n => (JsonNode)new JsonObject { ["subject"] = n.Subject, ["body"] = n.Body })]);

    public static void WriteNotices(CliContext context, Notices notices)
    {
        foreach (var notice in notices.Printed)
        {
            context.Console.WriteLine();
            context.Console.MarkupLine($"[bold]Notification[/] (printed here; {(context.IsSandbox ? "the sandbox does not publish to SNS" : "NOTIFICATION_TOPIC_ARN is not set")}): {Markup.Escape(notice.Subject)}");
            context.Console.WriteLine(notice.Body.TrimEnd());
        }
    }

    public static string NewRunId(CliContext context, string prefix) =>
        $"{prefix}-{context.Host.Time.GetUtcNow().ToUniversalTime().ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture)}-{Guid.NewGuid().ToString("N")[..8]}";

    /// <summary>Warnings the engine logs (for example an adopted key) go to stderr; the results carry the rest.</summary>
    internal sealed class StderrLog(CliContext context) : IRotationLog
    {
        public void Write(RotationLogEntry entry)
        {
            if (entry.Level == RotationLogLevel.Warning)
            {
                context.Error($"warning: {entry.Alias}: {entry.Message}");
            }
        }
    }
}

/// <summary>The engine with the concurrency it was built for.</summary>
internal sealed record EngineHandle(RotationEngine Engine, int MaxConcurrency);
