using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;

namespace KeyRotation.Core.Protocol;

/// <summary>What the strategy decided for one alias this time: a method (and why, when worth saying), or a refusal.</summary>
internal sealed record MethodChoice(RotationMethod Method, string? Why, string? Refusal, int OnDemandRotationsDone)
{
    public static MethodChoice Refused(string reason) => new(RotationMethod.NewKey, null, reason, 0);
}

/// <summary>
/// Chooses how an alias is rotated: the strategy (ROTATION_STRATEGY, overridden by the tag keyrotation:strategy on the
/// current key), what KMS allows for the key (on-demand rotation: symmetric encryption keys only, 25 per key), and for
/// auto the reserve of on-demand rotations kept for a manual rotation. Reads only (ListKeyRotations).
/// </summary>
internal sealed class StrategyChoice
{
    /// <summary>KMS allows at most this many on-demand rotations per key, for its whole life.</summary>
    public const int MaxOnDemandRotations = 25;

    private readonly IAmazonKeyManagementService _kms;
    private readonly RotationOptions _options;
    private readonly bool _canImportNewMaterial;

    public StrategyChoice(IAmazonKeyManagementService kms, RotationOptions options, bool canImportNewMaterial)
    {
        _kms = kms;
        _options = options;
        _canImportNewMaterial = canImportNewMaterial;
    }

    /// <summary>The strategy for the alias: its key's tag, else the configured one; a bad tag value is a refusal.</summary>
    public (RotationStrategy Strategy, string? Refusal) StrategyOf(AliasState state)
    {
        if (!state.CurrentTags.TryGetValue(RotationTags.Strategy, out var tagged))
        {
            return (_options.Strategy, null);
        }

        return RotationStrategyNames.TryParse(tagged, out var strategy)
            ? (strategy, null)
            : (_options.Strategy, $"Key {state.Current!.KeyId} behind {state.Alias} is tagged {RotationTags.Strategy}={tagged}, which is not a rotation strategy; use {RotationStrategyNames.Allowed} (or remove the tag to use ROTATION_STRATEGY). Nothing was changed.");
    }

    public async Task<MethodChoice> ChooseAsync(AliasState state, CancellationToken ct)
    {
        var (strategy, refusal) = StrategyOf(state);
        if (refusal is not null)
        {
            return MethodChoice.Refused(refusal);
        }

        if (strategy == RotationStrategy.NewKey)
        {
            return new MethodChoice(RotationMethod.NewKey, null, null, 0);
        }

        var key = state.Current!;
        var source = strategy == RotationStrategy.Auto ? "auto" : $"{RotationStrategyNames.Material} ({SourceOf(state)})";
        if (WhyNoMaterial(key) is { } notPossible)
        {
            return strategy == RotationStrategy.Auto
                ? new MethodChoice(RotationMethod.NewKey, $"auto: {notPossible}, so this rotation created a new key.", null, 0)
                : MethodChoice.Refused($"{state.Alias} is to be rotated with strategy {source}, but {notPossible}. Use the strategy new-key or auto for it. Nothing was changed.");
        }

        var done = await CountOnDemandRotationsAsync(key.KeyId, ct);
        var left = MaxOnDemandRotations - done;
        if (left <= 0)
        {
            return strategy == RotationStrategy.Auto
                ? new MethodChoice(RotationMethod.NewKey, $"auto: key {key.KeyId} has used all {MaxOnDemandRotations} on-demand rotations KMS allows, so this rotation created a new key (which starts again with {MaxOnDemandRotations}).", null, done)
                : MethodChoice.Refused($"Key {key.KeyId} behind {state.Alias} has used all {MaxOnDemandRotations} on-demand rotations KMS allows per key; strategy {source} cannot rotate it again. Use new-key or auto for it. Nothing was changed.");
        }

        if (strategy == RotationStrategy.Auto && left - 1 < _options.MaterialReserve)
        {
            return new MethodChoice(
                RotationMethod.NewKey,
                $"auto: key {key.KeyId} has {left} of its {MaxOnDemandRotations} on-demand rotations left, and {_options.MaterialReserve} stay in reserve for a manual rotation ({Configuration.SettingNames.RotationMaterialReserve}), so this rotation created a new key (which starts again with {MaxOnDemandRotations}).",
                null,
                done);
        }

        return new MethodChoice(RotationMethod.Material, null, null, done);
    }

    /// <summary>Why KMS cannot give this key new material in place, or null when it can.</summary>
    private string? WhyNoMaterial(KeyMetadata key)
    {
        if (key.KeySpec != KeySpec.SYMMETRIC_DEFAULT || key.KeyUsage != KeyUsageType.ENCRYPT_DECRYPT)
        {
            return $"key {key.KeyId} is a {key.KeySpec?.Value} {key.KeyUsage?.Value} key, and KMS rotates key material on demand only for symmetric encryption keys (HMAC and asymmetric keys are refused)";
        }

        if (!string.IsNullOrEmpty(key.CustomKeyStoreId))
        {
            return $"key {key.KeyId} is in the custom key store {key.CustomKeyStoreId}, where KMS does not rotate key material on demand";
        }

        if (key.Origin == OriginType.EXTERNAL && !_canImportNewMaterial)
        {
            return $"key {key.KeyId} has imported material (origin EXTERNAL), and new material for it must be generated, escrowed and imported, which needs KEY_MATERIAL_ORIGIN=EXTERNAL and its escrow settings";
        }

        if (key.Origin != OriginType.EXTERNAL && key.Origin != OriginType.AWS_KMS)
        {
            return $"key {key.KeyId} has origin {key.Origin?.Value}, and KMS rotates key material on demand only for keys with KMS-generated or imported material";
        }

        return null;
    }

    /// <summary>The key's on-demand rotations so far (ListKeyRotations, every page, RotationType ON_DEMAND).</summary>
    public async Task<int> CountOnDemandRotationsAsync(string keyId, CancellationToken ct)
    {
        var count = 0;
        string? marker = null;
        do
        {
            var page = await KmsCalls.CallAsync("ListKeyRotations", () => _kms.ListKeyRotationsAsync(new ListKeyRotationsRequest { KeyId = keyId, Marker = marker }, ct));
            count += (page.Rotations ?? []).Count(r => r.RotationType == RotationType.ON_DEMAND);
            marker = page.Truncated == true ? page.NextMarker : null;
        }
        while (marker is not null);

        return count;
    }

    private static string SourceOf(AliasState state) =>
        state.CurrentTags.ContainsKey(RotationTags.Strategy) ? $"tag {RotationTags.Strategy} on its key" : Configuration.SettingNames.RotationStrategy;
}
