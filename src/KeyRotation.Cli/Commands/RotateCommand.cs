using System.CommandLine;
using System.Text;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using KeyRotation.Cli.Errors;
using KeyRotation.Cli.Targets;
using KeyRotation.Core;
using KeyRotation.Integrations.Composition;
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
        var changeOrigin = ChangeOriginOption.Create();
        var verbose = VerboseOption.Create();
        var command = new Command("rotate", "Rotate now: create a new key for each alias, move the alias to it, tag the old key retired (it stays enabled) and notify.")
        {
            aliases, force, yes, topic, minKeyAge, maxConcurrency, changeOrigin, verbose,
        };
        command.SetAction(async (parsed, ct) =>
        {
            var context = factory.For(parsed);
            var (settings, topicArn) = RotationRun.Settings(context, Arguments.ValidAliases(parsed.GetValue(aliases)), parsed.GetValue(topic), Arguments.SettingOverrides(parsed, minKeyAge, maxConcurrency));
            if (context.Targets.AccountsFile is not null)
            {
                var across = new RotationRequest { RotationId = RotationRun.NewRunId(context, "cli"), Aliases = settings.Aliases, DryRun = settings.DryRun, Force = parsed.GetValue(force), ChangeOrigin = parsed.GetValue(changeOrigin) };
                return await RotationAcrossAccounts.RunAsync(context, settings, topicArn, across, parsed.GetValue(yes), ct);
            }

            var notices = Notices.Create(context, topicArn);
            var (kms, sandbox) = await context.ConnectAsync(ct);
            var listed = await UnknownAliases.RefuseAsync(context, kms, settings.Selection.Names, ct);
            var selected = settings.Selection.Resolve(listed.Names);
            if (!settings.DryRun && !await context.ConfirmAsync(parsed.GetValue(yes), $"Rotate {selected.Count} alias(es): {string.Join(", ", selected)}?", ct))
            {
                context.Error("Cancelled; nothing was changed.");
                return ExitCodes.Failed;
            }

            // The sandbox's before-and-after proof is shown only with --verbose, so it is only prepared then.
            var details = parsed.GetValue(verbose);
            var before = sandbox is null || !details || context.Format != OutputFormat.Table ? null : await SnapshotAsync(kms, selected, ct);
            var engine = new RotationComposition(new()
            {
                Kms = kms,
                Notifier = notices,
                Time = context.Host.Time,
                Log = new RotationRun.StderrLog(context),
                CreateKeyClient = context.CreateKeyClient(),
                KeyFinder = context.KeyFinder(sandbox),
                RegionClients = context.RegionClients(sandbox),
                Pacer = context.Pacer,
                EventSink = context.EventSink(sandbox),
                HookFunctions = context.HookFunctions(sandbox),
            }).Engine(settings.Options with { FailureAdvice = RotationRun.CliFailureAdvice(selected), ListPreviousKeyGrants = true }, RotationRun.Importer(context, settings, kms));
            var request = new RotationRequest
            {
                RotationId = RotationRun.NewRunId(context, "cli"),
                Aliases = selected,
                DryRun = settings.DryRun,
                Force = parsed.GetValue(force),
                ChangeOrigin = parsed.GetValue(changeOrigin),

                // Claims expire after the run timeout plus a margin: the CLI stops writing by then, as the function does.
                Deadline = context.Host.Time.GetUtcNow() + settings.Options.RunTimeout,
            };
            var importing = sandbox is null ? null : new RotationComposition(new() { Kms = kms, Notifier = notices, Time = context.Host.Time, Log = new RotationRun.StderrLog(context), KeyFinder = context.KeyFinder(sandbox) })
                .Engine(settings.Options with { FailureAdvice = RotationRun.CliFailureAdvice(selected), ListPreviousKeyGrants = true, KeyMaterialOrigin = KeyMaterialOrigin.External }, sandbox.Importer(context.Host.Time, new RotationRun.StderrLog(context)));
            var report = await RotationRun.RunAsync(context, EngineHandle.For(engine, importing, settings.Options.MaxConcurrency), request, ct);

            if (context.Json)
            {
                var document = RotationRun.ToJson(report);
                document["notifications"] = RotationRun.NoticesToJson(notices.Printed);
                context.WriteJson(document);
            }
            else
            {
                // The details come first, so the output always ends with the result table and its summary.
                if (details)
                {
                    if (before is not null)
                    {
                        await ShowSandboxAsync(context, kms, before, report, ct);
                    }

                    RotationRun.WriteNotices(context, notices);
                    sandbox?.Events.Write(context);
                    if (context.Format == OutputFormat.Table)
                    {
                        context.Console.WriteLine();
                    }
                }

                RotationRun.WriteSummary(context, report);
                if (!details)
                {
                    VerboseOption.WriteLeftOut(context, notices.Printed.Count, sandbox is not null && context.Format == OutputFormat.Table);
                }
            }

            return RotationRun.ExitCode(report);
        });
        return command;
    }

    /// <summary>
    /// Before the run: each alias's key, and a sample made through the alias: a ciphertext for encryption keys, a MAC for
    /// HMAC keys. An alias that does not exist is left out: the rotation reports it as the function would.
    /// </summary>
    private static async Task<Dictionary<string, SandboxSample>> SnapshotAsync(IAmazonKeyManagementService kms, IReadOnlyList<string> aliases, CancellationToken ct)
    {
        var before = new Dictionary<string, SandboxSample>(StringComparer.Ordinal);
        foreach (var alias in aliases)
        {
            KeyMetadata key;
            try
            {
                key = (await kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = alias }, ct)).KeyMetadata;
            }
            catch (NotFoundException)
            {
                continue;
            }

            var sample = new SandboxSample(key.KeyId, null, null, null);
            if (key.KeyUsage == KeyUsageType.ENCRYPT_DECRYPT && key.KeySpec == KeySpec.SYMMETRIC_DEFAULT)
            {
                using var plain = new MemoryStream(Encoding.UTF8.GetBytes(SampleText));
                var encrypted = await kms.EncryptAsync(new EncryptRequest { KeyId = alias, Plaintext = plain }, ct);
                sample = sample with { Ciphertext = encrypted.CiphertextBlob.ToArray() };
            }
            else if (key.KeyUsage == KeyUsageType.GENERATE_VERIFY_MAC && key.MacAlgorithms.Count > 0)
            {
                var algorithm = MacAlgorithmSpec.FindValue(key.MacAlgorithms[0]);
                using var message = new MemoryStream(Encoding.UTF8.GetBytes(SampleText));
                var mac = await kms.GenerateMacAsync(new GenerateMacRequest { KeyId = alias, MacAlgorithm = algorithm, Message = message }, ct);
                sample = sample with { Mac = mac.Mac.ToArray(), MacAlgorithm = algorithm };
            }

            before[alias] = sample;
        }

        return before;
    }

    private static async Task ShowSandboxAsync(CliContext context, IAmazonKeyManagementService kms, Dictionary<string, SandboxSample> before, RotationReport report, CancellationToken ct)
    {
        var console = context.Console;
        console.MarkupLine("[bold]Sandbox: aliases before and after[/]");
        var rows = new List<IReadOnlyList<TabularCell>>();
        foreach (var (alias, (keyId, _, _, _)) in before)
        {
            var after = (await kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = alias }, ct)).KeyMetadata.KeyId;
            rows.Add([alias, keyId, after == keyId ? after + " (unchanged)" : after]);
        }

        Tabular.Write(context, [new("Alias"), new("Before"), new("After")], rows);

        foreach (var result in report.Results.Where(r => r.Outcome == RotationOutcome.Rotated && r.PreviousKeyId is not null && r.NewKeyId is not null))
        {
            console.WriteLine();
            console.MarkupLine(result.Method == RotationMethod.Material
                ? $"[bold]{Markup.Escape(result.Alias)}: new key material in the same key[/] (key id unchanged; nothing to do for consumers)"
                : $"[bold]Tags on {Markup.Escape(result.Alias)}'s keys[/]{(result.MethodReason is { } why ? " (" + Markup.Escape(why) + ")" : string.Empty)}");
            var keys = result.Method == RotationMethod.Material ? new[] { ("its", result.NewKeyId!) } : [("old", result.PreviousKeyId!), ("new", result.NewKeyId!)];
            foreach (var (label, keyId) in keys)
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

            if (before[result.Alias] is { Mac: { } mac, MacAlgorithm: { } algorithm })
            {
                using var message = new MemoryStream(Encoding.UTF8.GetBytes(SampleText));
                using var tag = new MemoryStream(mac);
                var verified = await kms.VerifyMacAsync(new VerifyMacRequest { KeyId = result.PreviousKeyId, MacAlgorithm = algorithm, Message = message, Mac = tag }, ct);
                console.WriteLine(verified.MacValid == true
                    ? $"  A MAC made through {result.Alias} before the rotation still verifies with the previous key {result.PreviousKeyId} (VerifyMac names the key: keep the old key id to check old MACs)."
                    : $"  A MAC made through {result.Alias} before the rotation no longer verifies with the previous key {result.PreviousKeyId}.");
            }
        }
    }
}

/// <summary>An alias's key before a sandbox rotation, and what was made through the alias to prove the old key still works.</summary>
internal sealed record SandboxSample(string KeyId, byte[]? Ciphertext, byte[]? Mac, MacAlgorithmSpec? MacAlgorithm);
