using Amazon.KeyManagementService;
using System.Globalization;
using System.Text.RegularExpressions;
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
    internal const string PlaceholderTopic = "arn:aws:sns:us-east-1:000000000000:keyrotation-cli-prints-notifications";

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

        RotationSettings settings;
        try
        {
            settings = RotationSettings.Parse(variables);
        }
        catch (ConfigurationException ex)
        {
            // A value that came from a flag is reported under the flag's name, not the variable's it stands in for.
            var message = overrides.Keys.Aggregate(ex.Message, (text, name) => text.Replace(name + ":", Arguments.FlagOf(name) + ":", StringComparison.Ordinal));
            throw new UsageException(message, ex);
        }

        if (settings.Options.KeyMaterialOrigin == KeyMaterialOrigin.External && context.IsSandbox)
        {
            throw new UsageException($"Unset {SettingNames.KeyMaterialOrigin} for the sandbox: it rotates {Sandbox.Imported} with imported material (escrowed in the sandbox) and the other demo aliases with AWS_KMS material.");
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
        return new EscrowedKeyMaterialImporter(kms, options.Escrow is null ? null : context.CreateEscrowStore(), options, context.Host.Time, new StderrLog(context));
    }

    /// <summary>
    /// Each engine runs its aliases as one batch, so the pacer sizes how many run at once (in the sandbox, the importing
    /// engine takes its one alias); a terminal shows progress as each alias finishes.
    /// </summary>
    public static async Task<RotationReport> RunAsync(CliContext context, EngineHandle engine, RotationRequest request, CancellationToken ct)
    {
        var results = new AliasRotationResult[request.Aliases.Count];
        async Task RunAllAsync(Action? tick)
        {
            foreach (var batch in Enumerable.Range(0, request.Aliases.Count).GroupBy(index => engine.EngineFor(request.Aliases[index])).ToList())
            {
                var indexes = batch.ToList();
                var report = await batch.Key.RunAsync(request with { Aliases = [.. indexes.Select(index => request.Aliases[index])] }, ct, _ => tick?.Invoke());
                for (var i = 0; i < indexes.Count; i++)
                {
                    results[indexes[i]] = report.Results[i];
                }
            }
        }

        if (context.Interactive && request.Aliases.Count > 1)
        {
            await context.Console.Progress().StartAsync(async progress =>
            {
                var task = progress.AddTask(request.DryRun ? "Planning" : "Rotating", maxValue: request.Aliases.Count);
                await RunAllAsync(() => task.Increment(1));
            });
        }
        else
        {
            await context.WaitAsync($"{(request.DryRun ? "Planning" : "Rotating")} {string.Join(", ", request.Aliases)}", () => RunAllAsync(null));
        }

        return new RotationReport(request.RotationId, request.DryRun, results);
    }

    public static int ExitCode(RotationReport report) => report.Problems.Any() ? ExitCodes.Failed : ExitCodes.Success;

    public static void WriteSummary(CliContext context, RotationReport report)
    {
        TabularColumn[] columns = [new("Alias"), new("Outcome"), new("Previous key"), new("New key"), new("Reason", Wraps: true)];
        var rows = report.Results.Select(r => (IReadOnlyList<TabularCell>)
        [
            r.Alias,
            new TabularCell(r.Outcome.ToString(), r.Outcome switch
            {
                RotationOutcome.Rotated => "green",
                RotationOutcome.Failed => "red",
                RotationOutcome.Planned => "blue",
                _ => "yellow",
            }),
            r.PreviousKeyId ?? "-",
            r.NewKeyId ?? "-",
            context.Format == OutputFormat.Text ? Reason(r) : WithoutKeyIds(Reason(r), r.PreviousKeyId, r.NewKeyId),
        ]).ToList();
        Tabular.Write(context, columns, rows);
        if (context.Format == OutputFormat.Table)
        {
            var counts = report.Results.GroupBy(r => r.Outcome).Select(g => $"{g.Count()} {g.Key.ToString().ToLowerInvariant()}");
            context.Console.WriteLine($"{(report.DryRun ? "Plan" : "Rotation")} {report.RotationId}: {string.Join(", ", counts)}.");
        }
    }

    /// <summary>A failed rotation's advice when a person ran it: their own identity, not the function's role or logs.</summary>
    public static IReadOnlyList<string> CliFailureAdvice(IReadOnlyList<string> aliases) =>
    [
        "What to check: the error above; that the key is Enabled and customer managed; that your AWS identity (the credentials",
        "this CLI used) may call the KMS actions in docs/permissions.md on this key, and that its key policy allows them.",
        $"'keyrotation status {(aliases.Count == 1 ? aliases[0] : "ALIAS")}' shows where the alias stands.",
    ];

    /// <summary>The reason and any notification error, as people read them in the CLI.</summary>
    public static string Reason(AliasRotationResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        // Why the strategy chose its method, when that is worth saying (auto falling back to a new key), follows the reason.
        var reason = result.MethodReason is { } why && !result.Reason.Contains(why, StringComparison.Ordinal) ? $"{result.Reason} ({why})" : result.Reason;
        return InCliWords(result.NotificationError is null ? reason : reason + " " + result.NotificationError);
    }

    /// <summary>The engine's words for its options, spelled as the CLI's flags ("use force" is "use --force" here).</summary>
    public static string InCliWords(string text) =>
        text.Replace("use force to", "use --force to", StringComparison.Ordinal);

    /// <summary>
    /// The key ids have columns of their own: in the table's reason they are named, not repeated, so the reason stays short.
    /// </summary>
    internal static string WithoutKeyIds(string reason, string? previousKeyId, string? newKeyId)
    {
        foreach (var (id, name) in new[] { (newKeyId, "the new key"), (previousKeyId, "the previous key") })
        {
            if (!string.IsNullOrEmpty(id))
            {
                reason = Regex.Replace(reason, $"(?:the new key |new key |key ){Regex.Escape(id)}|{Regex.Escape(id)}", name, RegexOptions.IgnoreCase, TimeSpan.FromSeconds(1));
            }
        }

        // "Key <id> is 3 hours old" became "the previous key is ...": a sentence still starts with a capital.
        return reason.StartsWith("the previous key", StringComparison.Ordinal) || reason.StartsWith("the new key", StringComparison.Ordinal)
            ? "T" + reason[1..]
            : reason;
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
            ["reason"] = InCliWords(r.Reason),
            ["resumed"] = r.Resumed,
            ["notificationError"] = r.NotificationError,
            ["method"] = r.Method is { } method ? RotationStrategyNames.Name(method) : null,
        })]),
    };

    public static JsonArray NoticesToJson(IEnumerable<RotationNotice> notices) =>
        new([.. notices.Select(n => (JsonNode)new JsonObject { ["subject"] = n.Subject, ["body"] = n.Body })]);

    public static void WriteNotices(CliContext context, Notices notices)
    {
        foreach (var notice in notices.Printed)
        {
            if (context.Format == OutputFormat.Text)
            {
                // Text output is data lines for scripts; the notification a person should read goes to stderr.
                context.Error($"Notification: {notice.Subject}\n{notice.Body.TrimEnd()}");
                continue;
            }

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

/// <summary>
/// The engine for each alias (in the sandbox, <see cref="Sandbox.Imported"/> has an engine that imports material) and
/// the concurrency they were built for.
/// </summary>
internal sealed record EngineHandle(Func<string, RotationEngine> EngineFor, int MaxConcurrency)
{
    /// <summary>One engine for every alias, or, in the sandbox, the importing engine for its EXTERNAL alias.</summary>
    public static EngineHandle For(RotationEngine engine, RotationEngine? importing, int maxConcurrency) =>
        new(alias => importing is not null && alias == Sandbox.Imported ? importing : engine, maxConcurrency);
}
