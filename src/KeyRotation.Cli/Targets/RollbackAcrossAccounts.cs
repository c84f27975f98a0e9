using System.Text.Json.Nodes;
using KeyRotation.Cli.Commands;
using KeyRotation.Core.History;
using KeyRotation.Core.Protocol;
using Spectre.Console;

namespace KeyRotation.Cli.Targets;

/// <summary>
/// <c>rollback ALIAS --accounts FILE</c>: the alias rolled back to its previous generation in every account and Region
/// of the file (each a rollback of its own, claimed and tagged as in one account); one row per target.
/// </summary>
internal static class RollbackAcrossAccounts
{
    public static async Task<int> RunAsync(CliContext context, string alias, string? targetKey, string? topicArn, bool yes, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(context);
        var connections = await MultiTargetRun.PrepareAsync(context);
        if (targetKey is not null && connections.Count > 1)
        {
            throw new UsageException($"--to names a key of one account and Region, but the accounts file lists {connections.Count} targets: leave --to out (each goes back to its previous generation) or list one target.");
        }

        if (!await context.ConfirmAsync(yes, $"Roll {alias} back to {targetKey ?? "its previous generation"} in {connections.Count} account/Region target(s) ({string.Join("; ", connections.Select(c => c.Target))})? Both keys stay enabled.", ct))
        {
            context.Error("Cancelled; nothing was changed.");
            return ExitCodes.Failed;
        }

        var results = await MultiTargetRun.ForEachAsync(
            context,
            connections,
            async (connection, token) =>
            {
                var notices = Notices.Create(context, topicArn, connection.Aws.Credentials);
                var rollback = new AliasRollback(connection.Kms, notices, context.Host.Time);
                var request = new RollbackRequest { Alias = alias, TargetKeyId = targetKey, RollbackId = RotationRun.NewRunId(context, "rollback") };
                var result = await context.WaitAsync($"Rolling back {alias} in {connection.Target}", () => rollback.RollBackAsync(request, token));
                return (Result: result, Notices: notices);
            },
            ct);

        if (context.Json)
        {
            context.WriteJson(new JsonObject { ["results"] = new JsonArray([.. results.Select(r => (JsonNode)ToJson(alias, r))]) });
        }
        else
        {
            TabularColumn[] columns = [new("Account"), new("Region"), new("Alias"), new("Outcome"), new("From key"), new("To key"), new("Reason", Wraps: true)];
            Tabular.Write(context, columns, [.. results.Select(r => (IReadOnlyList<TabularCell>)
            [
                r.Target.AccountId,
                r.Target.Region,
                alias,
                new TabularCell(Outcome(r), Outcome(r) == nameof(RollbackOutcome.RolledBack) ? "green" : "red"),
                r.Value.Result?.FromKeyId ?? "-",
                r.Value.Result?.ToKeyId ?? "-",
                Reason(r),
            ])]);
            WriteNotices(context, results);
        }

        return results.Any(r => Outcome(r) != nameof(RollbackOutcome.RolledBack) || r.Value.Result?.NotificationError is not null) ? ExitCodes.Failed : ExitCodes.Success;
    }

    /// <summary>RolledBack or Refused as the rollback says; Failed for a target that could not be reached.</summary>
    private static string Outcome(TargetResult<(RollbackResult Result, Notices Notices)> result) =>
        result.Error is not null ? "Failed" : result.Value.Result.Outcome.ToString();

    private static string Reason(TargetResult<(RollbackResult Result, Notices Notices)> result) =>
        result.Error ?? (result.Value.Result.NotificationError is { } notification ? $"{result.Value.Result.Reason} {notification}" : result.Value.Result.Reason);

    private static void WriteNotices(CliContext context, IReadOnlyList<TargetResult<(RollbackResult Result, Notices Notices)>> results)
    {
        foreach (var result in results.Where(r => r.Error is null))
        {
            foreach (var notice in result.Value.Notices.Printed)
            {
                if (context.Format == OutputFormat.Text)
                {
                    context.Error($"Notification ({result.Target.AccountId} {result.Target.Region}): {notice.Subject}\n{notice.Body.TrimEnd()}");
                    continue;
                }

                context.Console.WriteLine();
                context.Console.MarkupLine($"[bold]Notification[/] for {result.Target.AccountId} {result.Target.Region} (printed here; NOTIFICATION_TOPIC_ARN is not set): {Markup.Escape(notice.Subject)}");
                context.Console.WriteLine(notice.Body.TrimEnd());
            }
        }
    }

    private static JsonObject ToJson(string alias, TargetResult<(RollbackResult Result, Notices Notices)> result) => new()
    {
        ["account"] = result.Target.AccountId,
        ["region"] = result.Target.Region,
        ["alias"] = alias,
        ["outcome"] = Outcome(result),
        ["fromKeyId"] = result.Value.Result?.FromKeyId,
        ["toKeyId"] = result.Value.Result?.ToKeyId,
        ["reason"] = Reason(result),
        ["notificationError"] = result.Value.Result?.NotificationError,
        ["notifications"] = result.Error is null ? RotationRun.NoticesToJson(result.Value.Notices.Printed) : new JsonArray(),
    };
}
