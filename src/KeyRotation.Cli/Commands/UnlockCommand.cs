using System.CommandLine;
using System.Text.Json.Nodes;
using KeyRotation.Cli.Errors;
using KeyRotation.Core.Protocol;
using Spectre.Console;

namespace KeyRotation.Cli.Commands;

/// <summary>
/// <c>unlock ALIAS [--yes]</c>: after a rotation was taken over so often that no claim is left (the run says so and
/// names the cause), remove the move's takeover aliases with the operator's credentials so the next run goes on.
/// </summary>
internal static class UnlockCommand
{
    public static Command Create(CliContextFactory factory)
    {
        var alias = new Argument<string>("ALIAS") { Description = "The alias whose unfinished rotation ran out of takeovers (for example alias/app-data)." };
        var yes = Arguments.Yes();
        var command = new Command("unlock", "Remove the takeover aliases of an alias's unfinished rotation (needs kms:DeleteAlias) so the next run takes it over at once. Keys are not touched.")
        {
            alias, yes,
        };
        command.SetAction(async (parsed, ct) =>
        {
            var context = factory.For(parsed);
            var name = Arguments.ValidAliases([parsed.GetValue(alias)!])[0];
            var (kms, _) = await context.ConnectAsync(ct);
            await UnknownAliases.RefuseAsync(context, kms, [name], ct);
            if (!await context.ConfirmAsync(parsed.GetValue(yes), $"Remove the takeover aliases of {name}'s unfinished rotation?", ct))
            {
                context.Error("Cancelled; nothing was changed.");
                return ExitCodes.Failed;
            }

            var result = await new ClaimUnlock(kms).UnlockAsync(name, ct);
            if (context.Json)
            {
                context.WriteJson(new JsonObject
                {
                    ["alias"] = result.Alias,
                    ["unlocked"] = result.Unlocked,
                    ["reason"] = result.Reason,
                    ["deletedAliases"] = new JsonArray([.. result.DeletedAliases.Select(a => (JsonNode)a)]),
                });
            }
            else
            {
                context.Console.WriteLine(result.Reason);
            }

            return result.Unlocked ? ExitCodes.Success : ExitCodes.Failed;
        });
        return command;
    }
}
