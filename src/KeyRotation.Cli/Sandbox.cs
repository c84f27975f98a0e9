using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using KeyRotation.Core;
using KeyRotation.Core.KeyMaterial;
using KeyRotation.Core.Protocol;
using KeyRotation.Integrations.Composition;
using KeyRotation.LocalKms;

namespace KeyRotation.Cli;

/// <summary>
/// The --sandbox KMS: an in-process <see cref="LocalKmsService"/> seeded with demo aliases whose keys are backdated
/// (so a rotation is due without --force), one of them already rotated twice (so status and rollback have history).
/// Nothing leaves the machine. Its state is kept in a file between commands (<see cref="LocalKmsStateFile"/>, the
/// standalone LocalKms's --data format), so rotate, status and rollback can be tried one after the other.
/// </summary>
internal sealed partial class Sandbox
{
    private readonly LocalKmsStateFile? _state;

    public const string AppData = "alias/demo/app-data";
    public const string WebhookSigning = "alias/demo/webhook-signing";
    public const string Reports = "alias/demo/reports";

    /// <summary>A key whose strategy tag says material: rotations give it new material, the key id stays.</summary>
    public const string Material = "alias/demo/material";

    /// <summary>
    /// A key whose strategy tag says auto that has used 23 of its 25 on-demand rotations: its next rotation keeps the
    /// reserve of 2 and creates a new key, whose rotations after that are material ones again.
    /// </summary>
    public const string Auto = "alias/demo/auto";

    /// <summary>On-demand rotations the seed gives <see cref="Auto"/>'s key (at the default reserve, auto switches to a new key).</summary>
    internal const int AutoSeedRotations = 23;

    /// <summary>A key with imported material (Origin EXTERNAL), escrowed to the sandbox's escrow bucket.</summary>
    public const string Imported = "alias/demo/imported";

    private Sandbox(LocalKmsService service, IAmazonKeyManagementService kms, LocalKmsStateFile? state, bool continued, SandboxEscrow escrow)
    {
        Escrow = escrow;
        Service = service;
        Kms = kms;
        _state = state;
        Continued = continued;
    }

    public static IReadOnlyList<string> DemoAliases { get; } = [AppData, WebhookSigning, Reports, Material, Auto, Imported];

    /// <summary>The escrow key pair and bucket of <see cref="Imported"/>.</summary>
    public SandboxEscrow Escrow { get; }

    public LocalKmsService Service { get; }

    public IAmazonKeyManagementService Kms { get; }

    /// <summary>True when the state came from the file (an earlier command), false when it was seeded now.</summary>
    public bool Continued { get; }

    /// <summary>The state file, or null when the sandbox lives only for this command.</summary>
    public string? StatePath => _state?.Path;

    /// <summary>
    /// The sandbox from <paramref name="state"/> when it holds one (and <paramref name="reset"/> is false); otherwise a
    /// freshly seeded one, saved there at once.
    /// </summary>
    public static async Task<Sandbox> StartAsync(TimeProvider time, LocalKmsStateFile? state, bool reset, CancellationToken ct)
    {
        var clock = new ShiftedClock(time);
        var service = new LocalKmsService(new LocalKmsOptions(), clock);
        var kms = service.CreateClient();
        var escrowDirectory = state is null ? null : Path.ChangeExtension(state.Path, null) + "-escrow";
        try
        {
            if (state is not null && !reset && state.LoadInto(service))
            {
                var continued = new Sandbox(service, kms, state, continued: true, SandboxEscrow.Open(escrowDirectory));
                await continued.SeedConsumersAsync(kms, clock, seeded: false, ct);
                await continued.SeedCiphertextsAsync(kms, clock, seeded: false, ct);
                return continued;
            }

            if (escrowDirectory is not null)
            {
                SandboxEscrow.Delete(escrowDirectory);
            }
        }
        catch (Exception ex) when (ex is FormatException or IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"The sandbox state cannot be read ({ex.Message}); pass --sandbox-reset to start again from the seed.", ex);
        }

        var sandbox = new Sandbox(service, kms, state, continued: false, SandboxEscrow.Open(escrowDirectory));
        await SeedAsync(sandbox, kms, clock, ct);
        await sandbox.SeedConsumersAsync(kms, clock, seeded: true, ct);
        await sandbox.SeedCiphertextsAsync(kms, clock, seeded: true, ct);
        sandbox.Save();
        return sandbox;
    }

    /// <summary>
    /// What rotates <see cref="Imported"/>: material generated here, escrowed to the sandbox bucket with the sandbox's
    /// escrow public key, then imported, as the function does with ESCROW_BUCKET and ESCROW_PUBLIC_KEY.
    /// </summary>
    public IKeyMaterialImporter Importer(TimeProvider time, IRotationLog log) => new EscrowedKeyMaterialImporter(
        Kms,
        Escrow.Store,
        new KeyMaterialOptions
        {
            Escrow = new EscrowTarget(Escrow.Location, EscrowPublicKey.Parse(Escrow.PublicKeyPem)),
            WrappingKeySpec = WrappingKeySpec.RSA_2048, // quick to generate; deployments use RSA_4096
        },
        time,
        log);

    /// <summary>Writes the state back for the next command (nothing when it did not change, or there is no file).</summary>
    public void Save()
    {
        try
        {
            _state?.Save(Service);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"The sandbox state cannot be written to {_state?.Path}: {ex.Message}", ex);
        }

        SaveConsumers();
    }

    private static async Task SeedAsync(Sandbox sandbox, AmazonKeyManagementServiceClient kms, ShiftedClock clock, CancellationToken ct)
    {
        var service = sandbox.Service;
        clock.Offset = TimeSpan.FromDays(-90);

        var appData = await CreateAliasedKeyAsync(kms, AppData, KeySpec.SYMMETRIC_DEFAULT, KeyUsageType.ENCRYPT_DECRYPT, "Demo: application data", ("team", "payments"), ct);

        // A consumer that uses the key through a grant, so plan and the notification show what a rotation leaves behind.
        service.AddGrant(appData, "arn:aws:iam::111122223333:role/demo-payments-worker", ["Encrypt", "Decrypt", "GenerateDataKey"], "payments-worker", encryptionContextSubset: new Dictionary<string, string>(StringComparer.Ordinal) { ["app"] = "payments" });
        await CreateAliasedKeyAsync(kms, WebhookSigning, KeySpec.HMAC_256, KeyUsageType.GENERATE_VERIFY_MAC, "Demo: webhook signatures", ("team", "integrations"), ct);
        await CreateAliasedKeyAsync(kms, Reports, KeySpec.SYMMETRIC_DEFAULT, KeyUsageType.ENCRYPT_DECRYPT, "Demo: monthly reports", ("team", "finance"), ct);

        // The two other strategies side by side with app-data's new-key: chosen per alias by the tag on its key.
        await CreateAliasedKeyAsync(kms, Material, KeySpec.SYMMETRIC_DEFAULT, KeyUsageType.ENCRYPT_DECRYPT, "Demo: new material in the same key", KeyRecordTags.Strategy(RotationStrategyNames.Material), ct);
        var auto = await CreateAliasedKeyAsync(kms, Auto, KeySpec.SYMMETRIC_DEFAULT, KeyUsageType.ENCRYPT_DECRYPT, "Demo: material until the reserve, then a new key", KeyRecordTags.Strategy(RotationStrategyNames.Auto), ct);
        for (var i = 0; i < AutoSeedRotations; i++)
        {
            await kms.RotateKeyOnDemandAsync(new RotateKeyOnDemandRequest { KeyId = auto }, ct);
        }

        // Imported material, generated, escrowed and imported as a rotation does it, so reimport has an escrow copy to restore.
        var imported = await kms.CreateKeyAsync(new CreateKeyRequest { Origin = OriginType.EXTERNAL, Description = "Demo: imported key material (BYOK)", Tags = [new Tag { TagKey = "team", TagValue = "security" }] }, ct);
        await kms.CreateAliasAsync(new CreateAliasRequest { AliasName = Imported, TargetKeyId = imported.KeyMetadata.KeyId }, ct);
        await sandbox.Importer(clock, NullRotationLog.Instance).EnsureImportedAsync(Imported, imported.KeyMetadata, ct);

        // Give alias/demo/reports two earlier rotations, 60 and 30 days ago.
        foreach (var daysAgo in new[] { 60, 30 })
        {
            clock.Offset = TimeSpan.FromDays(-daysAgo);
            var engine = new RotationComposition(new() { Kms = kms, Notifier = new DiscardingNotifier(), Time = clock }).Engine(new RotationOptions());
            var report = await engine.RunAsync(new RotationRequest { RotationId = $"sandbox-seed-{daysAgo}d", Aliases = [Reports], Force = true }, ct);
            if (report.Results[0].Outcome != RotationOutcome.Rotated)
            {
                throw new InvalidOperationException($"Seeding the sandbox failed: {report.Results[0].Reason}");
            }
        }

        clock.Offset = TimeSpan.Zero;
        await SeedRetirementAsync(sandbox, kms, clock, ct);
        clock.Offset = TimeSpan.FromDays(-90);
        await SeedHooksAsync(kms, ct);
        clock.Offset = TimeSpan.Zero;
        await SeedOrdersKeysAsync(kms, clock, ct);
    }

    private static async Task<string> CreateAliasedKeyAsync(AmazonKeyManagementServiceClient kms, string alias, KeySpec spec, KeyUsageType usage, string description, (string Key, string Value) tag, CancellationToken ct)
    {
        var key = await kms.CreateKeyAsync(
            new CreateKeyRequest { KeySpec = spec, KeyUsage = usage, Description = description, Tags = [new Tag { TagKey = tag.Key, TagValue = tag.Value }] },
            ct);
        await kms.CreateAliasAsync(new CreateAliasRequest { AliasName = alias, TargetKeyId = key.KeyMetadata.KeyId }, ct);
        return key.KeyMetadata.KeyId;
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
