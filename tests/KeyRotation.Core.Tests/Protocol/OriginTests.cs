using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using Microsoft.Extensions.Time.Testing;
using Moq;
using KeyRotation.Integrations.Composition;

namespace KeyRotation.Core.Tests.Protocol;

/// <summary>A new key keeps the origin of the key it replaces unless the run is told to change it.</summary>
public sealed class OriginTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 1, 3, 0, 0, TimeSpan.Zero));

    [Fact]
    public async Task RunAsync_ImportedMaterialKeyWithDefaultOrigin_FailsWithoutCreatingAKey()
    {
        var kms = new KmsMock(_time);
        kms.AddKey("alias/orders").Origin = OriginType.EXTERNAL;

        var result = await RunAsync(kms, changeOrigin: false);

        Assert.Equal(RotationOutcome.Failed, result.Outcome);
        Assert.Contains("whose material was imported (origin EXTERNAL)", result.Reason, StringComparison.Ordinal);
        Assert.Contains("KEY_MATERIAL_ORIGIN=EXTERNAL", result.Reason, StringComparison.Ordinal);
        Assert.Empty(kms.Requests<CreateKeyRequest>());
    }

    [Fact]
    public async Task RunAsync_ImportedMaterialKeyToldToChangeOrigin_CreatesAnAwsKmsKey()
    {
        var kms = new KmsMock(_time);
        kms.AddKey("alias/orders").Origin = OriginType.EXTERNAL;

        var result = await RunAsync(kms, changeOrigin: true);

        Assert.Equal(RotationOutcome.Rotated, result.Outcome);
        Assert.Equal(OriginType.AWS_KMS, Assert.Single(kms.Requests<CreateKeyRequest>()).Origin);
    }

    private async Task<AliasRotationResult> RunAsync(KmsMock kms, bool changeOrigin)
    {
        var engine = RotationComposition.Engine(kms.Object, Mock.Of<IRotationNotifier>(), new RotationOptions(), _time, NullRotationLog.Instance);
        var report = await engine.RunAsync(new RotationRequest { RotationId = "rot-1", Aliases = ["alias/orders"], ChangeOrigin = changeOrigin }, CancellationToken.None);
        return Assert.Single(report.Results);
    }
}
