using Amazon.KeyManagementService;
using KeyRotation.Core;
using KeyRotation.Integrations.Composition;

namespace KeyRotation.Cli;

/// <summary>
/// The sandbox's retirement demonstration: an alias with a retired generation old enough to disable that an
/// application decrypted with a moment ago, so <c>retention plan --sandbox --mode disable</c> shows the retirement
/// refused by the proof of non-use ("used by Decrypt at ... (CloudTrail event ...)"). It is not one of the demo aliases
/// the rotating commands default to; retention's default in the sandbox includes it.
/// </summary>
internal sealed partial class Sandbox
{
    /// <summary>Four generations: the first key (150 days old), 2 (retired 90 days ago, used just now), 3 (retained), 4 (current).</summary>
    public const string StillUsed = "alias/demo/still-used";

    /// <summary>The aliases <c>retention</c> handles in the sandbox when none are named: the demo aliases and <see cref="StillUsed"/>.</summary>
    public static IReadOnlyList<string> RetentionDemoAliases { get; } = [.. DemoAliases, StillUsed];

    private static async Task SeedRetirementAsync(Sandbox sandbox, AmazonKeyManagementServiceClient kms, ShiftedClock clock, CancellationToken ct)
    {
        clock.Offset = TimeSpan.FromDays(-150);
        await CreateAliasedKeyAsync(kms, StillUsed, KeySpec.SYMMETRIC_DEFAULT, KeyUsageType.ENCRYPT_DECRYPT, "Demo: a retired key an application still decrypts with", ("team", "archive"), ct);
        string? second = null;
        foreach (var daysAgo in new[] { 120, 90, 60 })
        {
            clock.Offset = TimeSpan.FromDays(-daysAgo);
            var engine = new RotationComposition(new() { Kms = kms, Notifier = new DiscardingNotifier(), Time = clock }).Engine(new RotationOptions());
            var report = await engine.RunAsync(new RotationRequest { RotationId = $"sandbox-seed-still-used-{daysAgo}d", Aliases = [StillUsed], Force = true }, ct);
            if (report.Results[0].Outcome != RotationOutcome.Rotated)
            {
                throw new InvalidOperationException($"Seeding the sandbox failed: {report.Results[0].Reason}");
            }

            second ??= report.Results[0].NewKeyId;
        }

        // Generation 2 was retired 90 days ago, so DISABLE_AFTER_DAYS (30) alone would disable it; a Decrypt five
        // minutes before the seed is what GetKeyLastUsage then reports, and retention keeps the key.
        clock.Offset = TimeSpan.Zero;
        sandbox.Service.SetKeyLastUsage(second!, "Decrypt", clock.GetUtcNow() - TimeSpan.FromMinutes(5));
    }
}
