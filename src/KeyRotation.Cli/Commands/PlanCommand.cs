using System.CommandLine;
using KeyRotation.Core;

namespace KeyRotation.Cli.Commands;

/// <summary><c>plan [ALIAS...]</c>: the dry run: what a rotation would do now for each alias, and why one would be skipped or refused.</summary>
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
            var (kms, _) = await context.ConnectAsync(ct);
            var engine = new RotationEngine(kms, new Notices.Silent(), settings.Options, context.Host.Time, new RotationRun.StderrLog(context), RotationRun.Importer(context, settings, kms), pacer: context.Pacer);
            var request = new RotationRequest
            {
                RotationId = RotationRun.NewRunId(context, "plan"),
                Aliases = await settings.Selection.ResolveAsync(kms, ct),
                DryRun = true,
                Force = parsed.GetValue(force),
            };
            var report = await RotationRun.RunAsync(context, new EngineHandle(engine, settings.Options.MaxConcurrency), request, ct);
            if (context.Json)
            {
                context.WriteJson(RotationRun.ToJson(report));
            }
            else
            {
                RotationRun.WriteSummary(context, report);
            }

            return RotationRun.ExitCode(report);
        });
        return command;
    }
}
