using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using Microsoft.Extensions.Time.Testing;
using KeyRotation.Integrations.Composition;

namespace KeyRotation.Core.Tests.KeyMaterial;

public sealed class AliasRotationImportCheckTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 3, 1, 3, 0, 0, TimeSpan.Zero));

    [Fact]
    public async Task RunAsync_ImporterSaysKeyNotReady_FailsAndNeverMovesTheAlias()
    {
        var kms = new KmsMock(_time);
        var old = kms.AddKey("alias/orders");
        var importer = new StubImporter(kms, notReady: "The new key's material has expiration model KEY_MATERIAL_EXPIRES, but KEY_MATERIAL_EXPIRATION_DAYS is 0.");

        var result = await RunAsync(kms, importer);

        Assert.Equal(RotationOutcome.Failed, result.Outcome);
        Assert.Contains("KEY_MATERIAL_EXPIRATION_DAYS is 0", result.Reason, StringComparison.Ordinal);
        Assert.Equal(old.KeyId, kms.KeyOf("alias/orders").KeyId);
        Assert.DoesNotContain(kms.Requests<UpdateAliasRequest>(), r => r.AliasName == "alias/orders");
    }

    [Fact]
    public async Task RunAsync_FailedWithImportedMaterial_NotificationCarriesTheStandingWarnings()
    {
        var kms = new KmsMock(_time);
        kms.AddKey("alias/orders");

        var result = await RunAsync(kms, new StubImporter(kms, notReady: "not ready"));

        Assert.Equal(RotationOutcome.Failed, result.Outcome);
        Assert.Equal(["standing warning"], result.Notes);
    }

    [Fact]
    public async Task RunAsync_ImporterSaysKeyReady_MovesTheAliasAndCarriesTheNotes()
    {
        var kms = new KmsMock(_time);
        var old = kms.AddKey("alias/orders");

        var result = await RunAsync(kms, new StubImporter(kms, notReady: null));

        Assert.Equal(RotationOutcome.Rotated, result.Outcome);
        Assert.NotEqual(old.KeyId, kms.KeyOf("alias/orders").KeyId);
        Assert.Equal(["escrow note"], result.Notes);
    }

    private Task<AliasRotationResult> RunAsync(KmsMock kms, StubImporter importer) =>
        RotationComposition.Engine(kms.Object, new NoNotifier(), new RotationOptions { KeyMaterialOrigin = KeyMaterialOrigin.External }, _time, NullRotationLog.Instance, importer)
            .RunAsync(new RotationRequest { RotationId = "rot-1", Aliases = ["alias/orders"], Force = true, ChangeOrigin = true }, CancellationToken.None)
            .ContinueWith(t => Assert.Single(t.Result.Results), TaskScheduler.Default);

    /// <summary>"Imports" by enabling the mock's key; answers the readiness check as told and records what it was asked.</summary>
    private sealed class StubImporter(KmsMock kms, string? notReady) : IKeyMaterialImporter
    {
        public string? Refuse(KeyMetadata currentKey) => null;

        public string DescribePlan(string aliasName) => "import";

        public IReadOnlyList<string> StandingWarnings => ["standing warning"];

        public string? CheckImported(KeyMetadata newKey)
        {
            Assert.Equal(KeyState.Enabled, newKey.KeyState);
            return notReady;
        }

        public Task<IReadOnlyList<string>> EnsureImportedAsync(string aliasName, KeyMetadata newKey, CancellationToken cancellationToken)
        {
            Assert.Equal(OriginType.EXTERNAL, newKey.Origin);
            kms.Keys[newKey.KeyId].KeyState = KeyState.Enabled;
            return Task.FromResult<IReadOnlyList<string>>(["escrow note"]);
        }
    }

    private sealed class NoNotifier : IRotationNotifier
    {
        public Task NotifyAsync(RotationNotice notice, CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
