using System.Globalization;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;

namespace KeyRotation.Core.Protocol;

/// <summary>The pure decisions of a rotation: what is refused, what is skipped, whether a new key may take the alias.</summary>
internal static class RotationDecisions
{
    /// <summary>Why the alias's key cannot be rotated at all (a Failed outcome), or null.</summary>
    public static string? Refuse(string alias, KeyMetadata key, RotationOptions options, IKeyMaterialImporter? importer, bool changeOrigin)
    {
        if (key.KeyManager == KeyManagerType.AWS)
        {
            return $"{alias} points at an AWS managed key ({key.KeyId}); AWS rotates those itself and this tool never touches them.";
        }

        if (key.KeyState != KeyState.Enabled)
        {
            var why = key.KeyState == KeyState.PendingImport
                ? "it is waiting for imported key material"
                : key.KeyState == KeyState.PendingDeletion
                    ? $"it is scheduled for deletion{(key.DeletionDate is { } d ? " on " + RecordedTime.Format(d) : string.Empty)}; cancel the deletion first if the alias is still in use"
                    : "enable it first if the alias is still in use";
            return $"{alias} points at key {key.KeyId}, which is {key.KeyState}, not Enabled: {why}. Nothing was changed.";
        }

        if (!string.IsNullOrEmpty(key.CustomKeyStoreId))
        {
            return $"{alias} points at key {key.KeyId} in custom key store {key.CustomKeyStoreId}; keys in custom key stores are not supported.";
        }

        if (MultiRegionKeys.Refuse(alias, key) is { } multiRegionRefusal)
        {
            return multiRegionRefusal;
        }

        if (!changeOrigin && OriginChange(alias, key, options) is { } originRefusal)
        {
            return originRefusal;
        }

        if (options.KeyMaterialOrigin == KeyMaterialOrigin.External && importer?.Refuse(key) is { } importRefusal)
        {
            return importRefusal;
        }

        return null;
    }

    /// <summary>
    /// A new key keeps the origin of the key it replaces: a customer's imported material (BYOK) is never silently
    /// replaced by KMS-generated material, nor the other way round, unless the run is told to change origin.
    /// </summary>
    public static string? OriginChange(string alias, KeyMetadata key, RotationOptions options)
    {
        var wanted = options.KeyMaterialOrigin == KeyMaterialOrigin.External ? OriginType.EXTERNAL : OriginType.AWS_KMS;
        if (key.Origin is null || key.Origin == wanted || (key.Origin != OriginType.EXTERNAL && key.Origin != OriginType.AWS_KMS))
        {
            return null;
        }

        return key.Origin == OriginType.EXTERNAL
            ? $"{alias} points at key {key.KeyId}, whose material was imported (origin EXTERNAL), but this run would create a key with KMS-generated material (KEY_MATERIAL_ORIGIN=AWS_KMS): the imported-material guarantee would be lost. Set KEY_MATERIAL_ORIGIN=EXTERNAL (with escrow) to rotate it, or rotate with changeOrigin (keyrotation rotate --change-origin) to switch on purpose. Nothing was changed."
            : $"{alias} points at key {key.KeyId}, whose material KMS generated (origin AWS_KMS), but KEY_MATERIAL_ORIGIN=EXTERNAL would give the new key imported material. Rotate with changeOrigin (keyrotation rotate --change-origin) to switch on purpose. Nothing was changed.";
    }

    /// <summary>Why an unforced run leaves the key alone for now (a Skipped outcome), or null.</summary>
    public static string? Defer(RotationRequest request, KeyMetadata current, IReadOnlyDictionary<string, string> tags, DateTimeOffset now, TimeSpan minKeyAge)
    {
        // Forced or not: a continuation message delivered twice carries the same rotation id, which the new key records.
        if (tags.GetValueOrDefault(RotationTags.RotationId) == request.RotationId)
        {
            return $"Already rotated by this rotation ({request.RotationId}, key {current.KeyId}); a repeated delivery changes nothing.";
        }

        if (request.Force)
        {
            return null;
        }

        if (request.ScheduleSlot is { } slot && tags.GetValueOrDefault(RotationTags.ScheduleSlot) == RecordedTime.FormatSlot(slot))
        {
            return $"Already rotated for the schedule slot {RecordedTime.FormatSlot(slot)} (key {current.KeyId}); a repeated delivery of the same event changes nothing.";
        }

        if (current.CreationDate is { } date && now - new DateTimeOffset(DateTime.SpecifyKind(date, DateTimeKind.Utc)) is var age && age < minKeyAge)
        {
            return string.Create(CultureInfo.InvariantCulture, $"Key {current.KeyId} is {age.TotalHours:0.#} hours old, younger than the minimum age of {minKeyAge.TotalHours:0.#} hours; use force to rotate anyway.");
        }

        // New material counts as a new key for the minimum age.
        if (tags.TryGetValue(RotationTags.MaterialRotatedAt, out var rotatedText)
            && DateTimeOffset.TryParse(rotatedText, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var rotated)
            && now - rotated is var materialAge && materialAge < minKeyAge)
        {
            return string.Create(CultureInfo.InvariantCulture, $"Key {current.KeyId} got new key material {materialAge.TotalHours:0.#} hours ago, less than the minimum age of {minKeyAge.TotalHours:0.#} hours; use force to rotate anyway.");
        }

        return null;
    }

    /// <summary>Why the new key must not take the alias (not Enabled, or another spec or usage), or null.</summary>
    public static string? CheckReady(KeyMetadata current, KeyMetadata candidate)
    {
        if (candidate.KeyState != KeyState.Enabled)
        {
            return $"The new key {candidate.KeyId} is {candidate.KeyState}, not Enabled.";
        }

        if (candidate.KeySpec != current.KeySpec || candidate.KeyUsage != current.KeyUsage)
        {
            return $"The new key {candidate.KeyId} is {candidate.KeySpec?.Value}/{candidate.KeyUsage?.Value}, but the alias's key is {current.KeySpec?.Value}/{current.KeyUsage?.Value}.";
        }

        return null;
    }

    /// <summary>What a dry run says a real run would do from an idle (or hand-moved) alias.</summary>
    public static string DescribePlan(AliasState state, RotationOptions options, IKeyMaterialImporter? importer)
    {
        var current = state.Current!;
        var copied = state.CurrentTags.Keys.Count(k => !RotationTags.IsOwnTag(k));
        var origin = options.KeyMaterialOrigin == KeyMaterialOrigin.External && importer is not null
            ? " " + importer.DescribePlan(state.Alias)
            : string.Empty;
        var byHand = state.Phase == AliasPhase.MovedByHand
            ? $" ({state.Alias} was pointed back at {current.KeyId} by hand after this tool moved it to {state.MovedByHandFrom}; the new key goes on from {current.KeyId})"
            : string.Empty;
        return $"Would create a {current.KeySpec?.Value} {current.KeyUsage?.Value} key copying the description, the default key policy and {copied} tag(s) of {current.KeyId}, " +
            $"as generation {AliasStateReader.ReadLong(state.CurrentTags, RotationTags.Generation, 1) + 1}{(current.MultiRegion == true ? MultiRegionKeys.DescribePlan(current) : string.Empty)}{byHand};{origin} move {state.Alias} to it; tag {current.KeyId} retired (it stays enabled).";
    }
}
