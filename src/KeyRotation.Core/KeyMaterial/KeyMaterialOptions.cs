using Amazon.KeyManagementService;
using KeyRotation.Core.Configuration;

namespace KeyRotation.Core.KeyMaterial;

/// <summary>How imported key material is generated, escrowed and imported (KEY_MATERIAL_ORIGIN=EXTERNAL).</summary>
public sealed record KeyMaterialOptions
{
    /// <summary>0: the material does not expire; 1 to 365: it expires that many days after import.</summary>
    public int ExpirationDays { get; init; }

    /// <summary>Where and for whom material is escrowed; null only when escrow was disabled on purpose (ESCROW_DISABLED=true).</summary>
    public EscrowTarget? Escrow { get; init; }

    /// <summary>The wrapping key spec imports ask KMS for (the role's GetParametersForImport condition names it).</summary>
    public static WrappingKeySpec ImportWrappingKeySpec => WrappingKeySpec.RSA_4096;

    /// <summary>
    /// <see cref="ImportWrappingKeySpec"/> in every deployment (the template's IAM condition allows only that).
    /// Integration tests lower it, because the local KMS endpoint generates a fresh wrapping key per
    /// GetParametersForImport and 4096-bit generation takes seconds; the code path is the same.
    /// </summary>
    internal WrappingKeySpec WrappingKeySpec { get; init; } = ImportWrappingKeySpec;

    /// <summary>The options a validated configuration describes (its escrow public key parses, see <see cref="RotationSettings.Parse"/>).</summary>
    public static KeyMaterialOptions FromSettings(RotationSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return new KeyMaterialOptions
        {
            ExpirationDays = settings.KeyMaterialExpirationDays,
            Escrow = settings.EscrowDisabled || settings.EscrowBucket is null || settings.EscrowPublicKey is null
                ? null
                : new EscrowTarget(new EscrowLocation(settings.EscrowBucket, settings.EscrowPrefix), EscrowPublicKey.Parse(settings.EscrowPublicKey)),
        };
    }

    /// <summary>The escrow settings, checked: refuses EXTERNAL without escrow unless escrow is disabled on purpose.</summary>
    internal static void Validate(
        KeyMaterialOrigin origin,
        bool escrowDisabled,
        string? bucket,
        string? prefix,
        string? publicKey,
        List<string> problems)
    {
        if (bucket is not null && EscrowLocation.ValidateBucket(bucket) is { } bucketProblem)
        {
            problems.Add($"{SettingNames.EscrowBucket}: {bucketProblem}.");
        }

        if (EscrowLocation.ValidatePrefix(prefix) is { } prefixProblem)
        {
            problems.Add($"{SettingNames.EscrowPrefix}: {prefixProblem}.");
        }

        if (publicKey is not null && !EscrowPublicKey.TryParse(publicKey, out _, out var keyProblem))
        {
            problems.Add($"{SettingNames.EscrowPublicKey}: {keyProblem}.");
        }

        if (escrowDisabled && (bucket is not null || publicKey is not null))
        {
            problems.Add($"{SettingNames.EscrowDisabled} is true but {SettingNames.EscrowBucket} or {SettingNames.EscrowPublicKey} is set: either escrow (unset {SettingNames.EscrowDisabled}) or disable it on purpose (unset the other two).");
        }

        if (origin == KeyMaterialOrigin.External && !escrowDisabled)
        {
            var missing = new[] { (SettingNames.EscrowBucket, bucket), (SettingNames.EscrowPublicKey, publicKey) }
                .Where(s => s.Item2 is null)
                .Select(s => s.Item1)
                .ToList();
            if (missing.Count > 0)
            {
                problems.Add(
                    $"{SettingNames.KeyMaterialOrigin} is EXTERNAL but escrow is not configured ({string.Join(" and ", missing)} not set): " +
                    "imported key material must be escrowed before import, or it is lost for good when it expires or is deleted. " +
                    $"Set {SettingNames.EscrowBucket} and {SettingNames.EscrowPublicKey}, or set {SettingNames.EscrowDisabled}=true to run without escrow on purpose.");
            }
        }
    }
}

/// <summary>The escrow bucket and prefix, and the public key escrow copies are wrapped with.</summary>
public sealed record EscrowTarget(EscrowLocation Location, EscrowPublicKey PublicKey);
