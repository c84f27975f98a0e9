using System.CommandLine;
using System.Text;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using KeyRotation.Core;
using Spectre.Console;

namespace KeyRotation.Cli.Commands;

/// <summary>
/// <c>rotate [ALIAS...] [--force] [--yes]</c>: rotate now (after a suspected compromise, or to try the tool).
/// In the sandbox it also shows the aliases before and after, the tags on old and new keys, and that data
/// encrypted before the rotation still decrypts.
/// </summary>
internal static class RotateCommand
{
    private const string SampleText = "card ending 4242, encrypted before the rotation";

    public static Command Create(CliContextFactory factory)
    {
        var aliases = Arguments.Aliases("Aliases to rotate (default: ROTATION_ALIASES; with --sandbox, the demo aliases).");
        var force = new Option<bool>("--force") { Description = "Rotate even when the key is younger than MIN_KEY_AGE_HOURS or the slot was already rotated." };
        var yes = Arguments.Yes();
        var topic = Arguments.TopicArn();
        var minKeyAge = Arguments.MinKeyAgeHours();
        var maxConcurrency = Arguments.MaxConcurrency();
        var command = new Command("rotate", "Rotate now: create a new key for each alias, move the alias to it, tag the old key retired (it stays enabled) and notify.")
        {
            aliases, force, yes, topic, minKeyAge, maxConcurrency,
        };
        command.SetAction(async (parsed, ct) =>
        {
            var context = factory.For(parsed);
            var (settings, topicArn) = RotationRun.Settings(context, Arguments.ValidAliases(parsed.GetValue(aliases)), parsed.GetValue(topic), Arguments.SettingOverrides(parsed, minKeyAge, maxConcurrency));
            var notices = Notices.Create(context, topicArn);
            var (kms, sandbox) = await context.ConnectAsync(ct);
            var selected = await settings.Selection.ResolveAsync(kms, ct);
            if (!settings.DryRun && !await context.ConfirmAsync(parsed.GetValue(yes), $"Rotate {selected.Count} alias(es): {string.Join(", ", selected)}?", ct))
            {
                context.Error("Cancelled; nothing was changed.");
                return ExitCodes.Failed;
            }

            var before = sandbox is null ? null : await SnapshotAsync(kms, selected, ct);
            var engine = new RotationEngine(kms, notices, settings.Options, context.Host.Time, new RotationRun.StderrLog(context), RotationRun.Importer(context, settings, kms), context.CreateKeyClient(), context.Pacer);
            var request = new RotationRequest
            {
                RotationId = RotationRun.NewRunId(context, "cli"),
                Aliases = selected,
                DryRun = settings.DryRun,
                Force = parsed.GetValue(force),
            };
            var report = await RotationRun.RunAsync(context, new EngineHandle(engine, settings.Options.MaxConcurrency), request, ct);

            if (context.Json)
            {
                var document = RotationRun.ToJson(report);
                document["notifications"] = RotationRun.NoticesToJson(notices.Printed);
                context.WriteJson(document);
            }
            else
            {
                RotationRun.WriteSummary(context, report);
                if (before is not null)
                {
                    await ShowSandboxAsync(context, kms, before, report, ct);
                }

                RotationRun.WriteNotices(context, notices);
            }

            return RotationRun.ExitCode(report);
        });
        return command;
    }

    /// <summary>Before the run: each alias's key, and for encryption keys a ciphertext made through the alias.</summary>
    private static async Task<Dictionary<string, (string KeyId, byte[]? Ciphertext)>> SnapshotAsync(IAmazonKeyManagementService kms, IReadOnlyList<string> aliases, CancellationToken ct)
    {
        var before = new Dictionary<string, (string, byte[]?)>(StringComparer.Ordinal);
        foreach (var alias in aliases)
        {
            var key = (await kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = alias }, ct)).KeyMetadata;
            byte[]? ciphertext = null;
            if (key.KeyUsage == KeyUsageType.ENCRYPT_DECRYPT && key.KeySpec == KeySpec.SYMMETRIC_DEFAULT)
            {
                using var plain = new MemoryStream(Encoding.UTF8.GetBytes(SampleText));
                var encrypted = await kms.EncryptAsync(new EncryptRequest { KeyId = alias, Plaintext = plain }, ct);
                ciphertext = encrypted.CiphertextBlob.ToArray();
            }

            before[alias] = (key.KeyId, ciphertext);
        }

        return before;
    }

    private static async Task ShowSandboxAsync(CliContext context, IAmazonKeyManagementService kms, Dictionary<string, (string KeyId, byte[]? Ciphertext)> before, RotationReport report, CancellationToken ct)
    {
        var console = context.Console;
        console.WriteLine();
        console.MarkupLine("[bold]Sandbox: aliases before and after[/]");
        var aliases = new Table { Border = context.Host.StdoutIsTerminal ? TableBorder.Rounded : TableBorder.Simple };
        aliases.AddColumns("Alias", "Before", "After");
        foreach (var (alias, (keyId, _)) in before)
        {
            var after = (await kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = alias }, ct)).KeyMetadata.KeyId;
            aliases.AddRow(Markup.Escape(alias), Markup.Escape(keyId), Markup.Escape(after == keyId ? after + " (unchanged)" : after));
        }

        console.Write(aliases);

        foreach (var result in report.Results.Where(r => r.Outcome == RotationOutcome.Rotated && r.PreviousKeyId is not null && r.NewKeyId is not null))
        {
            console.WriteLine();
            console.MarkupLine($"[bold]Tags on {Markup.Escape(result.Alias)}'s keys[/]");
            foreach (var (label, keyId) in new[] { ("old", result.PreviousKeyId!), ("new", result.NewKeyId!) })
            {
                var tags = await kms.ListResourceTagsAsync(new ListResourceTagsRequest { KeyId = keyId }, ct);
                console.WriteLine($"  {label} key {keyId}:");
                foreach (var tag in tags.Tags.OrderBy(t => t.TagKey, StringComparer.Ordinal))
                {
                    console.WriteLine($"    {tag.TagKey} = {tag.TagValue}");
                }
            }

            if (before[result.Alias].Ciphertext is { } ciphertext)
            {
                using var blob = new MemoryStream(ciphertext);
                var decrypted = await kms.DecryptAsync(new DecryptRequest { CiphertextBlob = blob }, ct);
                var text = Encoding.UTF8.GetString(decrypted.Plaintext.ToArray());
                console.WriteLine($"  Data encrypted through {result.Alias} before the rotation still decrypts (under {decrypted.KeyId}): \"{text}\"");
            }
        }
    }

}
