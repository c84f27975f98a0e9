using System.Security.Cryptography;
using System.Text;

namespace KeyRotation.LocalKms;

/// <summary>One key material of a KMS key, as ListKeyRotations describes it.</summary>
internal sealed class KeyMaterial
{
    public const string Current = "CURRENT";

    public const string NonCurrent = "NON_CURRENT";

    public const string PendingRotation = "PENDING_ROTATION";

    /// <summary>64 lowercase hex digits, as KMS's KeyMaterialId.</summary>
    public required string Id { get; init; }

    /// <summary>CURRENT, NON_CURRENT or PENDING_ROTATION.</summary>
    public required string State { get; set; }

    /// <summary>The material the key was created (or first imported) with; it has no rotation date or type.</summary>
    public bool IsInitial { get; init; }

    /// <summary>The bytes; null while an imported material is deleted or expired (ImportState PENDING_IMPORT).</summary>
    public byte[]? Bytes { get; set; }

    public string? Description { get; set; }

    public string? ExpirationModel { get; set; }

    public DateTimeOffset? ValidTo { get; set; }

    public DateTimeOffset? RotationDate { get; set; }

    /// <summary>AUTOMATIC or ON_DEMAND; null for the initial material and a material pending rotation.</summary>
    public string? RotationType { get; set; }
}

/// <summary>
/// The key materials of a key and its rotation settings: what KMS keeps in step across a set of
/// multi-Region keys. Guarded by the service lock.
/// </summary>
internal sealed class KeyMaterials
{
    /// <summary>On-demand rotations a key allows in its lifetime.</summary>
    public const int MaxOnDemandRotations = 25;

    public const int DefaultRotationPeriodInDays = 365;

    private readonly List<KeyMaterial> _all = [];

    /// <summary>Every material, in the order it was added (initial first).</summary>
    public IReadOnlyList<KeyMaterial> All => _all;

    public KeyMaterial? Current => _all.Find(m => m.State == KeyMaterial.Current);

    public KeyMaterial? Pending => _all.Find(m => m.State == KeyMaterial.PendingRotation);

    /// <summary>True when there is a current material and every material that was ever current is present.</summary>
    public bool AllImported =>
        Current is not null && _all.TrueForAll(m => m.State == KeyMaterial.PendingRotation || m.Bytes is not null);

    public int OnDemandRotations => _all.Count(m => m.RotationType == "ON_DEMAND");

    public bool AutomaticRotationEnabled { get; set; }

    public int RotationPeriodInDays { get; set; } = DefaultRotationPeriodInDays;

    public DateTimeOffset? NextRotationDate { get; set; }

    /// <summary>Start of an on-demand rotation that has not completed yet.</summary>
    public DateTimeOffset? OnDemandRotationStartDate { get; set; }

    public static string RandomId() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));

    /// <summary>KMS derives an imported material's id from the key id and the material, so a reimport can be matched.</summary>
    public static string ImportedId(string keyId, byte[] material) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(material, Encoding.UTF8.GetBytes(keyId)));

    public KeyMaterial? Find(string id) => _all.Find(m => m.Id == id);

    public KeyMaterial AddInitial(string id, byte[]? bytes)
    {
        var material = new KeyMaterial { Id = id, State = KeyMaterial.Current, IsInitial = true, Bytes = bytes };
        _all.Add(material);
        return material;
    }

    /// <summary>Adds a material as it was saved (see LocalKmsService.ImportState), after those restored before it.</summary>
    public void Restore(KeyMaterial material) => _all.Add(material);

    public KeyMaterial AddPending(string id, byte[] bytes)
    {
        var material = new KeyMaterial { Id = id, State = KeyMaterial.PendingRotation, Bytes = bytes };
        _all.Add(material);
        return material;
    }

    /// <summary>A material pending rotation is not yet part of the key: deleting it forgets it.</summary>
    public void RemovePending(KeyMaterial material)
    {
        if (material.State == KeyMaterial.PendingRotation)
        {
            _all.Remove(material);
        }
    }

    /// <summary>Makes <paramref name="next"/> current; the previous current material stays for decryption.</summary>
    public void Rotate(KeyMaterial next, DateTimeOffset at, string rotationType)
    {
        if (Current is { } previous)
        {
            previous.State = KeyMaterial.NonCurrent;
        }

        if (!_all.Contains(next))
        {
            _all.Add(next);
        }

        next.State = KeyMaterial.Current;
        next.RotationDate = at;
        next.RotationType = rotationType;
    }

    /// <summary>Sets the bytes of the current material, creating the initial material if there is none.</summary>
    public void SetCurrentBytes(byte[]? bytes)
    {
        if (Current is { } current)
        {
            current.Bytes = bytes;
        }
        else if (bytes is not null)
        {
            AddInitial(RandomId(), bytes);
        }
    }
}
