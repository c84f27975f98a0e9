using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using KeyRotation.Core;
using KeyRotation.LocalKms;

namespace KeyRotation.Cli;

/// <summary>
/// The --sandbox KMS: an in-process <see cref="LocalKmsService"/> seeded with demo aliases whose keys are backdated
/// (so a rotation is due without --force), one of them already rotated twice (so status and rollback have history).
/// Nothing leaves the process; every run starts from the same seed.
/// </summary>
internal sealed class Sandbox
{
    public const string AppData = "alias/demo/app-data";
    public const string WebhookSigning = "alias/demo/webhook-signing";
    public const string Reports = "alias/demo/reports";

    private Sandbox(LocalKmsService service, IAmazonKeyManagementService kms)
    {
        Service = service;
        Kms = kms;
    }

    public static IReadOnlyList<string> DemoAliases { get; } = [AppData, WebhookSigning, Reports];

    public LocalKmsService Service { get; }

    public IAmazonKeyManagementService Kms { get; }

    public static async Task<Sandbox> StartAsync(TimeProvider time, CancellationToken ct)
    {
        var clock = new ShiftedClock(time) { Offset = TimeSpan.FromDays(-90) };
        var service = new LocalKmsService(new LocalKmsOptions(), clock);
        var kms = service.CreateClient();

        await CreateAliasedKeyAsync(kms, AppData, KeySpec.SYMMETRIC_DEFAULT, KeyUsageType.ENCRYPT_DECRYPT, "Demo: application data", ("team", "payments"), ct);
        await CreateAliasedKeyAsync(kms, WebhookSigning, KeySpec.HMAC_256, KeyUsageType.GENERATE_VERIFY_MAC, "Demo: webhook signatures", ("team", "integrations"), ct);
        await CreateAliasedKeyAsync(kms, Reports, KeySpec.SYMMETRIC_DEFAULT, KeyUsageType.ENCRYPT_DECRYPT, "Demo: monthly reports", ("team", "finance"), ct);

        // Give alias/demo/reports two earlier rotations, 60 and 30 days ago.
        foreach (var daysAgo in new[] { 60, 30 })
        {
            clock.Offset = TimeSpan.FromDays(-daysAgo);
            var engine = new RotationEngine(kms, new DiscardingNotifier(), new RotationOptions(), clock, NullRotationLog.Instance);
            var report = await engine.RunAsync(new RotationRequest { RotationId = $"sandbox-seed-{daysAgo}d", Aliases = [Reports], Force = true }, ct);
            if (report.Results[0].Outcome != RotationOutcome.Rotated)
            {
                throw new InvalidOperationException($"Seeding the sandbox failed: {report.Results[0].Reason}");
            }
        }

        clock.Offset = TimeSpan.Zero;
        return new Sandbox(service, kms);
    }

    private static async Task CreateAliasedKeyAsync(AmazonKeyManagementServiceClient kms, string alias, KeySpec spec, KeyUsageType usage, string description, (string Key, string Value) tag, CancellationToken ct)
    {
        var key = await kms.CreateKeyAsync(
            new CreateKeyRequest { KeySpec = spec, KeyUsage = usage, Description = description, Tags = [new Tag { TagKey = tag.Key, TagValue = tag.Value }] },
            ct);
        await kms.CreateAliasAsync(new CreateAliasRequest { AliasName = alias, TargetKeyId = key.KeyMetadata.KeyId }, ct);
    }

    /// <summary>The sandbox KMS's clock: real (or test) time plus an offset, to backdate the seeded keys.</summary>
    private sealed class ShiftedClock(TimeProvider inner) : TimeProvider
    {
        public TimeSpan Offset { get; set; }

        public override DateTimeOffset GetUtcNow() => inner.GetUtcNow() + Offset;
    }

    private sealed class DiscardingNotifier : IRotationNotifier
    {
        public Task NotifyAsync(RotationNotice notice, CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
