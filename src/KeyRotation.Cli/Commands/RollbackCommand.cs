using System.CommandLine;
using System.Text.Json.Nodes;
using KeyRotation.Cli.Errors;
using KeyRotation.Cli.Targets;
using KeyRotation.Core.Configuration;
using KeyRotation.Core.History;
using KeyRotation.Core.Protocol;

namespace KeyRotation.Cli.Commands;

/// <summary><c>rollback ALIAS [--to KEY] [--yes]</c>: point the alias back at an earlier generation, tag both keys and notify.</summary>
internal static class RollbackCommand
{
    public static Command Create(CliContextFactory factory)
    {
        var alias = Arguments.Single("ALIAS", "The alias to roll back (for example alias/app-data).");
        var to = new Option<string?>("--to") { Description = "Key id or ARN of the earlier generation to restore (default: the current key's previous generation).", HelpName = "KEY" };
        var yes = Arguments.Yes();
        var topic = Arguments.TopicArn();
        var verbose = VerboseOption.Create();
        var command = new Command("rollback", "Point the alias back at its previous generation (or --to an earlier one), tag both keys so the chain stays true, and notify.")
        {
            alias, to, yes, topic, verbose,
        };
        command.SetAction(async (parsed, ct) =>
        {
            var context = factory.For(parsed);
            var name = Arguments.ValidAliases([parsed.GetValue(alias)!])[0];
            var topicArn = parsed.GetValue(topic) ?? context.Environment.GetValueOrDefault(SettingNames.NotificationTopicArn);
            if (context.Targets.AccountsFile is not null)
            {
                return await RollbackAcrossAccounts.RunAsync(context, name, parsed.GetValue(to), string.IsNullOrWhiteSpace(topicArn) ? null : topicArn.Trim(), parsed.GetValue(yes), ct);
            }

            var notices = Notices.Create(context, string.IsNullOrWhiteSpace(topicArn) ? null : topicArn.Trim());
            var (kms, sandbox) = await context.ConnectAsync(ct);
            await UnknownAliases.RefuseAsync(context, kms, [name], ct);
            var target = parsed.GetValue(to);
            var question = parsed.GetValue(yes) ? string.Empty : await QuestionAsync(kms, name, target, ct);
            if (!await context.ConfirmAsync(parsed.GetValue(yes), question, ct))
            {
                context.Error("Cancelled; nothing was changed.");
                return ExitCodes.Failed;
            }

            var rollback = new AliasRollback(kms, notices, context.Host.Time, context.RegionClients(sandbox), context.EventPublisher(sandbox));
            var rollbackId = RotationRun.NewRunId(context, "rollback");
            var result = await context.WaitAsync($"Rolling back {name}", () => rollback.RollBackAsync(new RollbackRequest { Alias = name, TargetKeyId = target, RollbackId = rollbackId }, ct));
            if (context.Json)
            {
                context.WriteJson(new JsonObject
                {
                    ["alias"] = result.Alias,
                    ["outcome"] = result.Outcome.ToString(),
                    ["fromKeyId"] = result.FromKeyId,
                    ["toKeyId"] = result.ToKeyId,
                    ["reason"] = result.Reason,
                    ["notificationError"] = result.NotificationError,
                    ["notifications"] = RotationRun.NoticesToJson(notices.Printed),
                });
            }
            else if (result.Outcome == RollbackOutcome.RolledBack)
            {
                sandbox?.Events.Write(context, parsed.GetValue(verbose));
                RollbackOutput.Write(context, rollbackId, result, notices, parsed.GetValue(verbose));
            }

            if (result.Outcome == RollbackOutcome.Refused)
            {
                context.Error($"Refused: {result.Reason} Nothing was changed.");
                return ExitCodes.Failed;
            }

            if (result.NotificationError is { } notificationError)
            {
                context.Error(notificationError);
                return ExitCodes.Failed;
            }

            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>The confirmation names both keys, so the operator sees what will change before answering.</summary>
    private static async Task<string> QuestionAsync(Amazon.KeyManagementService.IAmazonKeyManagementService kms, string alias, string? target, CancellationToken ct)
    {
        try
        {
            var status = await new AliasHistory(kms).GetAsync(alias, ct);
            var to = target is null
                ? status.Earlier.Count > 0 ? $"{status.Earlier[0].KeyId} (generation {status.Earlier[0].Generation})" : "its previous generation"
                : target;
            return $"Roll {alias} back from {status.Current.KeyId} (generation {status.Current.Generation}) to {to}? Both keys stay enabled.";
        }
        catch (Core.RotationException)
        {
            // The rollback itself reports what is wrong with the alias, after the answer.
            return $"Roll {alias} back to {target ?? "its previous generation"}?";
        }
    }
}
