using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using KeyRotation.Core;
using KeyRotation.Core.KeyMaterial;
using KeyRotation.LocalKms;
using Microsoft.Extensions.Time.Testing;
using KeyRotation.Integrations.Composition;

namespace KeyRotation.IntegrationTests.KeyMaterial;

/// <summary>
/// LocalKms through the real SDK client (retries off, so a fault is seen once), the in-memory S3 double, a fake
/// clock, and the real engine with the escrowing importer. The import wrapping key is RSA_2048 here only because
/// LocalKms generates one per GetParametersForImport (4096-bit takes seconds); the Handler test uses RSA_4096.
/// </summary>
internal sealed class ByokHarness : IDisposable
{
    public const string Alias = "alias/orders";
    public const string Bucket = "escrow-bucket";
    public const string Prefix = "key-escrow/";

    public ByokHarness(int expirationDays = 0)
    {
        // This clock runs before KMS began tracking key use (2026-04-27): its LocalKms tracks from the start.
        Service = new LocalKmsService(new LocalKmsOptions { TrackingStartDate = Time.GetUtcNow() }, Time);
        Kms = Service.CreateClient(c => c.MaxErrorRetry = 0);
        Options = new KeyMaterialOptions
        {
            ExpirationDays = expirationDays,
            Escrow = new EscrowTarget(Location, EscrowPublicKey.Parse(EscrowKeys.EscrowPublicPem)),
            WrappingKeySpec = WrappingKeySpec.RSA_2048,
        };
        Engine = RotationComposition.Engine(
            Kms,
            Notifier,
            new RotationOptions { KeyMaterialOrigin = KeyMaterialOrigin.External },
            Time,
            NullRotationLog.Instance,
            new EscrowedKeyMaterialImporter(Kms, S3.Store, Options, Time),
            keyFinder: LocalTagging.Finder(Service, Time));
    }

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 1, 1, 3, 0, 0, TimeSpan.Zero));

    public LocalKmsService Service { get; }

    public AmazonKeyManagementServiceClient Kms { get; }

    public InMemoryS3 S3 { get; } = new(Bucket);

    public EscrowLocation Location { get; } = new(Bucket, Prefix);

    public KeyMaterialOptions Options { get; }

    public CollectingNotifier Notifier { get; } = new();

    public RotationEngine Engine { get; }

    /// <summary>The key the alias points at before the rotation (AWS_KMS origin, as most keys start out).</summary>
    public async Task<string> CreateAliasedKeyAsync()
    {
        var key = (await Kms.CreateKeyAsync(new CreateKeyRequest { Description = "orders data" })).KeyMetadata;
        await Kms.CreateAliasAsync(new CreateAliasRequest { AliasName = Alias, TargetKeyId = key.KeyId });
        return key.KeyId;
    }

    public async Task<AliasRotationResult> RotateAsync()
    {
        // The alias's first key has KMS-generated material: moving it to imported material is a deliberate change of origin.
        var report = await Engine.RunAsync(new RotationRequest { RotationId = "rot-test-" + Guid.NewGuid().ToString("N")[..8], Aliases = [Alias], Force = true, ChangeOrigin = true }, CancellationToken.None);
        return Assert.Single(report.Results);
    }

    /// <summary>Rotates the alias with the strategy material (its key must already have imported material), as the schedule would.</summary>
    public async Task<AliasRotationResult> RotateMaterialAsync(string rotationId = "rot-material", bool force = true)
    {
        var engine = RotationComposition.Engine(
            Kms,
            Notifier,
            new RotationOptions { KeyMaterialOrigin = KeyMaterialOrigin.External, Strategy = RotationStrategy.Material, MaterialRotationPollDelay = TimeSpan.Zero },
            Time,
            NullRotationLog.Instance,
            new EscrowedKeyMaterialImporter(Kms, S3.Store, Options, Time),
            keyFinder: LocalTagging.Finder(Service, Time));
        var report = await engine.RunAsync(new RotationRequest { RotationId = rotationId, Aliases = [Alias], Force = force }, CancellationToken.None);
        return Assert.Single(report.Results);
    }

    public EscrowRestore Restore() => new(Kms, S3.Store, Location, Time) { WrappingKeySpec = WrappingKeySpec.RSA_2048 };

    public Task<EscrowRestoreResult> ReimportAsync(string keyId, int expirationDays = 0) =>
        Restore().ReimportAsync(keyId, EscrowKeys.Escrow.ExportPkcs8PrivateKeyPem(), expirationDays, CancellationToken.None);

    public async Task<byte[]> EncryptAsync(string keyId, byte[] plaintext) =>
        (await Kms.EncryptAsync(new EncryptRequest { KeyId = keyId, Plaintext = new MemoryStream(plaintext) })).CiphertextBlob.ToArray();

    public async Task<byte[]> DecryptAsync(byte[] ciphertext) =>
        (await Kms.DecryptAsync(new DecryptRequest { CiphertextBlob = new MemoryStream(ciphertext) })).Plaintext.ToArray();

    public LocalKmsKeySnapshot AliasTarget() => Service.GetKeySnapshot(Alias)!;

    public string EscrowObjectKey(string keyId) =>
        Location.ObjectKey(Alias, Service.GetKeySnapshot(keyId)!.Tags[RotationTags.EscrowObject]);

    public void Dispose() => Kms.Dispose();
}

/// <summary>Keeps every notice sent.</summary>
internal sealed class CollectingNotifier : IRotationNotifier
{
    private readonly Lock _gate = new();

    public List<RotationNotice> Notices { get; } = [];

    /// <summary>When set, the next notification throws it (once) instead of being collected.</summary>
    public Exception? CrashNext { get; set; }

    public Task NotifyAsync(RotationNotice notice, CancellationToken cancellationToken)
    {
        if (CrashNext is { } crash)
        {
            CrashNext = null;
            return Task.FromException(crash);
        }

        lock (_gate)
        {
            Notices.Add(notice);
        }

        return Task.CompletedTask;
    }
}

/// <summary>Thrown at a chosen call: the process "dies" there (the engine does not catch it).</summary>
internal sealed class SimulatedCrashException : Exception
{
    public SimulatedCrashException()
        : base("the run died at this call")
    {
    }

    public SimulatedCrashException(string message)
        : base(message)
    {
    }

    public SimulatedCrashException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
