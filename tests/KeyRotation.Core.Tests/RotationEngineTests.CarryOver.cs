using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;

namespace KeyRotation.Core.Tests;

/// <summary>A new key keeps KMS's automatic rotation of the key it replaces (AutomaticRotationCarryOver).</summary>
public sealed partial class RotationEngineTests
{
    [Fact]
    public async Task RunAsync_OldKeyRotatesAutomatically_NewKeyGetsTheSamePeriodBeforeTheAliasMoves()
    {
        var old = _kms.AddKey(AliasName);
        _kms.AutomaticRotation[old.KeyId] = 180;

        var result = Assert.Single((await RunAsync(Request())).Results);

        var status = Assert.Single(_kms.Requests<GetKeyRotationStatusRequest>());
        Assert.Equal(old.KeyId, status.KeyId);
        var enable = Assert.Single(_kms.Requests<EnableKeyRotationRequest>());
        Assert.Equal((result.NewKeyId, 180), (enable.KeyId, enable.RotationPeriodInDays));
        var operations = _kms.Calls.Select(c => c.Request).ToList();
        var enabledAt = operations.IndexOf(enable);
        var recordedAt = operations.FindIndex(r => r is UpdateAliasRequest u && u.AliasName == "alias/keyrotation/orders/1");
        var movedAt = operations.FindIndex(r => r is UpdateAliasRequest u && u.AliasName == AliasName);
        Assert.True(recordedAt < enabledAt && enabledAt < movedAt, $"record {recordedAt}, enable {enabledAt}, move {movedAt}");
        Assert.Contains(result.Notes, n => n.Contains("Automatic rotation carried over", StringComparison.Ordinal) && n.Contains("180 days", StringComparison.Ordinal));
    }

    [Fact]
    public async Task RunAsync_OldKeyWithoutAutomaticRotation_EnablesNothing()
    {
        _kms.AddKey(AliasName);

        await RunAsync(Request());

        Assert.Single(_kms.Requests<GetKeyRotationStatusRequest>());
        Assert.Empty(_kms.Requests<EnableKeyRotationRequest>());
    }

    [Fact]
    public async Task RunAsync_HmacKey_AsksNothingAboutAutomaticRotation()
    {
        _kms.AddKey(AliasName, KeySpec.HMAC_256, KeyUsageType.GENERATE_VERIFY_MAC);

        await RunAsync(Request());

        Assert.Empty(_kms.Requests<GetKeyRotationStatusRequest>());
    }
}
