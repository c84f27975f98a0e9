using System.Globalization;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;

namespace KeyRotation.Core.Protocol;

/// <summary>
/// A new key keeps KMS's automatic rotation of the key it replaces: when the old key has it enabled
/// (GetKeyRotationStatus), the new key gets EnableKeyRotation with the same RotationPeriodInDays. Done on the new key
/// after it is recorded and before the alias moves (the role reaches it through its marker alias, or through the key
/// policy statement AllowKeyRotationFunction while authorization catches up); repeating it is harmless.
/// </summary>
internal sealed class AutomaticRotationCarryOver
{
    private readonly IAmazonKeyManagementService _kms;

    public AutomaticRotationCarryOver(IAmazonKeyManagementService kms) => _kms = kms;

    /// <summary>Carries the setting over; returns what the notification says about it (nothing when there was none).</summary>
    public async Task<IReadOnlyList<string>> ApplyAsync(KeyMetadata oldKey, KeyMetadata newKey, CancellationToken ct)
    {
        // KMS answers GetKeyRotationStatus only for symmetric encryption keys; only KMS-generated material rotates automatically.
        if (oldKey.KeySpec != KeySpec.SYMMETRIC_DEFAULT || oldKey.Origin != OriginType.AWS_KMS || !string.IsNullOrEmpty(oldKey.CustomKeyStoreId))
        {
            return [];
        }

        var status = await KmsCalls.CallAsync("GetKeyRotationStatus", () => _kms.GetKeyRotationStatusAsync(new GetKeyRotationStatusRequest { KeyId = oldKey.KeyId }, ct));
        if (status.KeyRotationEnabled != true)
        {
            return [];
        }

        var days = status.RotationPeriodInDays;
        var period = days is { } d ? d.ToString(CultureInfo.InvariantCulture) + " days" : "KMS's default period";
        if (newKey.Origin != OriginType.AWS_KMS)
        {
            return [$"Note: {oldKey.KeyId} had KMS's automatic rotation enabled (every {period}); {newKey.KeyId} has imported material, which KMS does not rotate automatically, so it was not enabled there."];
        }

        await KmsCalls.CallAsync("EnableKeyRotation", () => _kms.EnableKeyRotationAsync(new EnableKeyRotationRequest { KeyId = newKey.KeyId, RotationPeriodInDays = days }, ct));
        return [$"Automatic rotation carried over: {newKey.KeyId} rotates its material every {period}, as {oldKey.KeyId} did."];
    }
}
