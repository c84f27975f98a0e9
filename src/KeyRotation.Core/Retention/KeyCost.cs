using KeyRotation.Core.History;

namespace KeyRotation.Core.Retention;

/// <summary>
/// An alias's generations by KMS key state, and what they cost: KMS charges $1 per customer-managed key per month
/// (prorated hourly), a disabled key included; a key pending deletion is not charged (AWS KMS pricing).
/// </summary>
public sealed record KeyCost(int Enabled, int Disabled, int PendingDeletion, int Other)
{
    /// <summary>US dollars per customer-managed key per month (https://aws.amazon.com/kms/pricing/).</summary>
    public const decimal DollarsPerKeyMonth = 1m;

    /// <summary>Keys that are charged: every existing key not pending deletion.</summary>
    public int Charged => Enabled + Disabled + Other;

    public decimal MonthlyDollars => Charged * DollarsPerKeyMonth;

    /// <summary>The current key, the earlier generations and the rolled-back ones that still exist.</summary>
    public static KeyCost For(AliasStatus status)
    {
        ArgumentNullException.ThrowIfNull(status);
        var keys = new[] { status.Current }.Concat(status.Earlier).Concat(status.RolledBack).Where(k => !k.Missing).ToList();
        return new KeyCost(
            keys.Count(k => k.KeyState == "Enabled"),
            keys.Count(k => k.KeyState == "Disabled"),
            keys.Count(k => k.KeyState == "PendingDeletion"),
            keys.Count(k => k.KeyState is not ("Enabled" or "Disabled" or "PendingDeletion")));
    }

    /// <summary>What one key costs a month: charged while it exists and is not pending deletion, as <see cref="For"/> counts it.</summary>
    public static decimal MonthlyDollarsOf(KeyGeneration key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return key.Missing || key.KeyState == "PendingDeletion" ? 0m : DollarsPerKeyMonth;
    }

    /// <summary>One line for a terminal: the counts and the estimate.</summary>
    public string Describe() => string.Create(
        System.Globalization.CultureInfo.InvariantCulture,
        $"Generations: {Enabled} enabled, {Disabled} disabled, {PendingDeletion} pending deletion{(Other > 0 ? $", {Other} other" : string.Empty)}; estimated key cost ${MonthlyDollars:0} a month (${DollarsPerKeyMonth:0} per key not pending deletion).");
}
