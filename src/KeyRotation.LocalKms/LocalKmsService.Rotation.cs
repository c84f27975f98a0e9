using System.Security.Cryptography;
using System.Text.Json.Nodes;

namespace KeyRotation.LocalKms;

/// <content>
/// Key material rotation: EnableKeyRotation, DisableKeyRotation, GetKeyRotationStatus,
/// RotateKeyOnDemand and ListKeyRotations. Automatic rotations happen when the service's clock
/// passes NextRotationDate; an on-demand rotation completes at once unless
/// <see cref="HoldOnDemandRotations"/> keeps it in progress.
/// </content>
public sealed partial class LocalKmsService
{
    private const int MinRotationPeriodInDays = 90;
    private const int MaxRotationPeriodInDays = 2560;
    private static readonly TimeSpan AutomaticRotationConflictWindow = TimeSpan.FromMinutes(20);
    private static readonly string[] IncludeKeyMaterialValues = ["ALL_KEY_MATERIAL", "ROTATIONS_ONLY"];
    private volatile bool _holdOnDemandRotations;

    /// <summary>
    /// Keep each on-demand rotation in progress (GetKeyRotationStatus shows OnDemandRotationStartDate,
    /// another RotateKeyOnDemand answers ConflictException) until <see cref="CompleteOnDemandRotations"/>.
    /// </summary>
    public bool HoldOnDemandRotations
    {
        get => _holdOnDemandRotations;
        set => _holdOnDemandRotations = value;
    }

    /// <summary>Completes every on-demand rotation held in progress, in every Region; returns how many.</summary>
    public int CompleteOnDemandRotations()
    {
        lock (_state)
        {
            var now = _time.GetUtcNow();
            var held = AllKeys().Select(k => k.Materials).Distinct().Where(m => m.OnDemandRotationStartDate is not null).ToList();
            foreach (var materials in held)
            {
                materials.OnDemandRotationStartDate = null;
                materials.Rotate(materials.Pending ?? NewGeneratedMaterial(), now, "ON_DEMAND");
            }

            return held.Count;
        }
    }

    private JsonObject EnableKeyRotation(KmsRequest request)
    {
        var keyId = request.RequiredString("KeyId");
        var period = request.Int("RotationPeriodInDays") ?? KeyMaterials.DefaultRotationPeriodInDays;
        if (period < MinRotationPeriodInDays)
        {
            throw KmsErrorException.Validation($"1 validation error detected: Value '{period}' at 'rotationPeriodInDays' failed to satisfy constraint: Member must have value greater than or equal to {MinRotationPeriodInDays}");
        }

        if (period > MaxRotationPeriodInDays)
        {
            throw KmsErrorException.Validation($"1 validation error detected: Value '{period}' at 'rotationPeriodInDays' failed to satisfy constraint: Member must have value less than or equal to {MaxRotationPeriodInDays}");
        }

        var key = RequireAutomaticRotationKey(Resolve(keyId, allowAlias: false));
        var materials = key.Materials;
        var now = _time.GetUtcNow();
        var lastAutomatic = materials.All.LastOrDefault(m => m.RotationType == "AUTOMATIC")?.RotationDate;

        // The period counts from the enable date, or from the last automatic rotation when the period of an enabled key changes.
        var anchor = materials.AutomaticRotationEnabled && lastAutomatic is { } last ? last : now;
        materials.AutomaticRotationEnabled = true;
        materials.RotationPeriodInDays = period;
        materials.NextRotationDate = anchor.AddDays(period);
        return [];
    }

    private JsonObject DisableKeyRotation(KmsRequest request)
    {
        var key = RequireAutomaticRotationKey(Resolve(request.RequiredString("KeyId"), allowAlias: false));
        key.Materials.AutomaticRotationEnabled = false;
        key.Materials.NextRotationDate = null;
        return [];
    }

    private JsonObject GetKeyRotationStatus(KmsRequest request)
    {
        var key = Resolve(request.RequiredString("KeyId"), allowAlias: false);
        RequireSymmetricEncryption(key);
        var materials = key.Materials;

        // AWS managed keys rotate every year; a key pending deletion reports false but keeps its setting.
        var enabled = key.KeyManager == "AWS"
            || (materials.AutomaticRotationEnabled && key.KeyState is not ("PendingDeletion" or "PendingReplicaDeletion"));
        var result = new JsonObject { ["KeyId"] = key.KeyId, ["KeyRotationEnabled"] = enabled };
        if (enabled)
        {
            result["RotationPeriodInDays"] = materials.RotationPeriodInDays;
            if (materials.NextRotationDate is { } next)
            {
                result["NextRotationDate"] = Epoch(next);
            }
        }

        if (materials.OnDemandRotationStartDate is { } started)
        {
            result["OnDemandRotationStartDate"] = Epoch(started);
        }

        return result;
    }

    private JsonObject RotateKeyOnDemand(KmsRequest request)
    {
        var key = Resolve(request.RequiredString("KeyId"), allowAlias: false);
        RequireCustomerManaged(key);
        RequireSymmetricEncryption(key);
        RequireNotReplica(key);
        RequireEnabled(key);
        var materials = key.Materials;
        var now = _time.GetUtcNow();
        if (materials.OnDemandRotationStartDate is not null)
        {
            throw new KmsErrorException("ConflictException", $"An on-demand rotation of {key.Arn} is already in progress.");
        }

        if (materials.NextRotationDate is { } next && next - now <= AutomaticRotationConflictWindow)
        {
            throw new KmsErrorException("ConflictException", $"An automatic rotation of {key.Arn} is scheduled to begin within the next 20 minutes.");
        }

        if (materials.OnDemandRotations >= KeyMaterials.MaxOnDemandRotations)
        {
            throw new KmsErrorException("LimitExceededException", $"{key.Arn} has reached its limit of {KeyMaterials.MaxOnDemandRotations} on-demand rotations.");
        }

        if (key.IsExternal && materials.Pending?.Bytes is null)
        {
            throw KmsErrorException.InvalidState($"{key.Arn} has no imported key material in PENDING_ROTATION state. Import new key material with ImportType NEW_KEY_MATERIAL first.");
        }

        if (HoldOnDemandRotations)
        {
            materials.OnDemandRotationStartDate = now;
        }
        else
        {
            materials.Rotate(key.IsExternal ? materials.Pending! : NewGeneratedMaterial(), now, "ON_DEMAND");
        }

        return new JsonObject { ["KeyId"] = key.KeyId };
    }

    private JsonObject ListKeyRotations(KmsRequest request)
    {
        var key = Resolve(request.RequiredString("KeyId"), allowAlias: false);
        var include = request.Enum("IncludeKeyMaterial", IncludeKeyMaterialValues) ?? "ROTATIONS_ONLY";
        RequireSymmetricEncryption(key);
        var entries = key.Materials.All
            .Where(m => include == "ALL_KEY_MATERIAL" || m.RotationType is not null)
            .Select(m => (JsonNode)RotationEntry(key, m))
            .ToList();
        return KmsPage.Of(request, entries, "Rotations", maxLimit: 1000, defaultLimit: 100);
    }

    private static JsonObject RotationEntry(KmsKey key, KeyMaterial material)
    {
        var entry = new JsonObject
        {
            ["KeyId"] = key.KeyId,
            ["KeyMaterialId"] = material.Id,
            ["KeyMaterialState"] = material.State,
        };
        if (key.IsExternal)
        {
            if (material.Description is not null)
            {
                entry["KeyMaterialDescription"] = material.Description;
            }

            entry["ImportState"] = material.Bytes is null ? "PENDING_IMPORT" : "IMPORTED";
            if (material.ExpirationModel is not null)
            {
                entry["ExpirationModel"] = material.ExpirationModel;
            }

            if (material.ExpirationModel == "KEY_MATERIAL_EXPIRES" && material.ValidTo is { } validTo)
            {
                entry["ValidTo"] = Epoch(validTo);
            }
        }

        if (material.RotationDate is { } rotated)
        {
            entry["RotationDate"] = Epoch(rotated);
            entry["RotationType"] = material.RotationType;
        }

        return entry;
    }

    /// <summary>Imported materials past their ValidTo are deleted; the key is PendingImport until they are reimported.</summary>
    private static void ExpireKeyMaterials(KmsKey key, DateTimeOffset now)
    {
        foreach (var material in key.Materials.All)
        {
            if (material.ExpirationModel == "KEY_MATERIAL_EXPIRES" && material.ValidTo is { } validTo && validTo <= now && material.Bytes is not null)
            {
                CryptographicOperations.ZeroMemory(material.Bytes);
                material.Bytes = null;
                material.ExpirationModel = null;
                material.ValidTo = null;
            }
        }
    }

    /// <summary>
    /// Automatic rotation of an Enabled key, once per period that has passed (a Disabled key waits). A replica
    /// shares its primary's materials, which rotate with the primary.
    /// </summary>
    private static void RotateWhenDue(KmsKey key, DateTimeOffset now)
    {
        var materials = key.Materials;
        while (!key.IsReplica && materials.AutomaticRotationEnabled && key.KeyState == "Enabled" && materials.NextRotationDate is { } due && due <= now)
        {
            materials.Rotate(NewGeneratedMaterial(), due, "AUTOMATIC");
            materials.NextRotationDate = due.AddDays(materials.RotationPeriodInDays);
        }
    }

    private static KeyMaterial NewGeneratedMaterial() =>
        new() { Id = KeyMaterials.RandomId(), State = KeyMaterial.PendingRotation, Bytes = RandomNumberGenerator.GetBytes(32) };

    /// <summary>Automatic rotation: customer managed symmetric encryption keys with KMS-generated material, on the primary.</summary>
    private static KmsKey RequireAutomaticRotationKey(KmsKey key)
    {
        RequireCustomerManaged(key);
        RequireSymmetricEncryption(key);
        if (key.IsExternal)
        {
            throw new KmsErrorException("UnsupportedOperationException", $"{key.Arn} origin is EXTERNAL which is not valid for this operation.");
        }

        RequireNotReplica(key);
        RequireEnabled(key);
        return key;
    }

    private static void RequireSymmetricEncryption(KmsKey key)
    {
        if (key.KeySpec != KeySpecs.SymmetricDefault)
        {
            throw new KmsErrorException("UnsupportedOperationException", $"{key.Arn} is a {key.KeySpec} key; key material rotation supports only symmetric encryption keys (SYMMETRIC_DEFAULT).");
        }
    }
}
