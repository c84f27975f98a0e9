using System.CommandLine;
using KeyRotation.Cli.Errors;
using KeyRotation.Cli.Targets;
using KeyRotation.Core;
using KeyRotation.Core.Protocol;
using KeyRotation.Integrations.Composition;

namespace KeyRotation.Cli.Commands;

/// <summary>
/// <c>plan [ALIAS...]</c>: the dry run: what a rotation would do now for each alias, and why one would be skipped or
/// refused; and the grants on each current key, which the new key will not have.
/// </summary>
internal static class PlanCommand
{
    public static Command Create(CliContextFactory factory)
    {
        var aliases = Arguments.Aliases("Aliases to plan (default: ROTATION_ALIASES; with --sandbox, the demo aliases).");
        var force = new Option<bool>("--force") { Description = "Plan as rotate --force would: ignore the minimum key age and the schedule slot." };
        var minKeyAge = Arguments.MinKeyAgeHours();
        var maxConcurrency = Arguments.MaxConcurrency();
        var command = new Command("plan", "Show what a rotation would do now, for each alias; changes nothing.") { aliases, force, minKeyAge, maxConcurrency };
        command.SetAction(async (parsed, ct) =>
        {
            var context = factory.For(parsed);
            var (settings, _) = RotationRun.Settings(context, Arguments.ValidAliases(parsed.GetValue(aliases)), null, Arguments.SettingOverrides(parsed, minKeyAge, maxConcurrency));
            if (context.Targets.AccountsFile is not null)
            {
                var across = new RotationRequest { RotationId = RotationRun.NewRunId(context, "plan"), Aliases = settings.Aliases, DryRun = true, Force = parsed.GetValue(force) };
                return await RotationAcrossAccounts.RunAsync(context, settings, null, across, yes: true, ct);
            }

            var (kms, sandbox) = await context.ConnectAsync(ct);
            var engine = new RotationComposition(new() { Kms = kms, Notifier = new Notices.Silent(), Time = context.Host.Time, Log = new RotationRun.StderrLog(context), Pacer = context.Pacer })
                .Engine(settings.Options, RotationRun.Importer(context, settings, kms));
            // One paged ListAliases resolves the patterns and answers every alias's marker aliases: no DescribeKey per marker.
            var snapshot = await AliasSnapshot.ReadAsync(kms, ct);
            UnknownAliases.Refuse(context, snapshot, settings.Selection.Names);
            var request = new RotationRequest
            {
                RotationId = RotationRun.NewRunId(context, "plan"),
                Aliases = settings.Selection.Resolve(snapshot.Names),
                DryRun = true,
                Force = parsed.GetValue(force),
                Snapshot = snapshot,
            };
            var importing = sandbox is null ? null : new RotationComposition(new() { Kms = kms, Notifier = new Notices.Silent(), Time = context.Host.Time, Log = new RotationRun.StderrLog(context) })
                .Engine(settings.Options with { KeyMaterialOrigin = KeyMaterialOrigin.External }, sandbox.Importer(context.Host.Time, new RotationRun.StderrLog(context)));
            var report = await RotationRun.RunAsync(context, EngineHandle.For(engine, importing, settings.Options.MaxConcurrency), request, ct);
            var grants = await context.WaitAsync("Listing grants", () => GrantsSection.ReadAsync(context, kms, report, ct));
            if (!context.Json)
            {
                RotationRun.WriteSummary(context, report);
                GrantsSection.Write(context, report, grants);
            }

            var retention = await RetentionCommand.PlanIfConfiguredAsync(context, kms, request.Aliases, sandbox, ct);
            if (context.Json)
            {
                var document = RotationRun.ToJson(report);
                GrantsSection.AddToJson(document, grants);
                if (retention is not null)
                {
                    document["retention"] = retention;
                }

                context.WriteJson(document);
            }

            return RotationRun.ExitCode(report);
        });
        return command;
    }
}
