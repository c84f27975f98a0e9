using System.Globalization;
using KeyRotation.Core.Configuration;
using KeyRotation.Core.Protocol;

namespace KeyRotation.Core.Compliance;

/// <summary>
/// The cryptoperiod every alias's key material must stay within (MAX_KEY_AGE_DAYS, overridden per alias by the tag
/// <c>keyrotation:max-key-age-days</c> on its current key, as the strategy is) and the schedule it is measured against.
/// A cryptoperiod shorter than the schedule's period could not be kept even when every run succeeds: refused at start.
/// </summary>
public sealed record ComplianceSettings
{
    public const int DefaultMaxKeyAgeDays = 365;

    public const int MinMaxKeyAgeDays = 1;

    public const int MaxMaxKeyAgeDays = 3650;

    /// <summary>The settings when none of the three variables is set: 365 days, the template's Monthly schedule.</summary>
    public static ComplianceSettings Default { get; } = new();

    /// <summary>The cryptoperiod in days for aliases whose key has no override tag.</summary>
    public int MaxKeyAgeDays { get; init; } = DefaultMaxKeyAgeDays;

    public RotationSchedule Schedule { get; init; } = RotationSchedule.Default;

    /// <summary>
    /// Reads only the three variables (the CLI's report needs no topic and no aliases from the environment); throws one
    /// <see cref="ConfigurationException"/> naming each bad value.
    /// </summary>
    public static ComplianceSettings Parse(IReadOnlyDictionary<string, string> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var problems = new List<string>();
        var settings = Parse(name => environment.TryGetValue(name, out var value) && !string.IsNullOrWhiteSpace(value) ? value.Trim() : null, problems);
        return problems.Count > 0 ? throw new ConfigurationException("The configuration is invalid: " + string.Join(" ", problems)) : settings;
    }

    /// <summary>Reads MAX_KEY_AGE_DAYS, ROTATION_SCHEDULE and ROTATION_SCHEDULE_TIMEZONE; each bad value adds a problem naming it.</summary>
    internal static ComplianceSettings Parse(Func<string, string?> get, List<string> problems)
    {
        ArgumentNullException.ThrowIfNull(get);
        var days = RotationSettings.ParseInt(get(SettingNames.MaxKeyAgeDays), SettingNames.MaxKeyAgeDays, DefaultMaxKeyAgeDays, MinMaxKeyAgeDays, MaxMaxKeyAgeDays, "days a key's material may be in use", problems);
        var schedule = RotationSchedule.Parse(get(SettingNames.RotationSchedule), get(SettingNames.RotationScheduleTimezone), problems);
        if (schedule is not null && ShorterThanPeriod(days, schedule) is { } problem)
        {
            problems.Add($"{SettingNames.MaxKeyAgeDays}: {problem}");
        }

        return new ComplianceSettings { MaxKeyAgeDays = days, Schedule = schedule ?? RotationSchedule.Default };
    }

    /// <summary>
    /// The cryptoperiod of one alias: its key's override tag, else <see cref="MaxKeyAgeDays"/>; a malformed tag, or one
    /// shorter than the schedule's period, is a problem naming the alias and the tag (and then no cryptoperiod applies).
    /// </summary>
    internal (int? Days, string Source, string? Problem) CryptoperiodOf(string alias, string keyId, KeyRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        if (record.MaxKeyAgeDays is not { } tagged)
        {
            return (MaxKeyAgeDays, SettingNames.MaxKeyAgeDays, null);
        }

        var source = $"tag {RotationTags.MaxKeyAgeDays}";
        if (!int.TryParse(tagged, NumberStyles.None, CultureInfo.InvariantCulture, out var days) || days < MinMaxKeyAgeDays || days > MaxMaxKeyAgeDays)
        {
            return (null, source, $"{alias}: key {keyId} is tagged {RotationTags.MaxKeyAgeDays}={tagged}, which is not a whole number of days from {MinMaxKeyAgeDays} to {MaxMaxKeyAgeDays}; fix the tag (or remove it to use {SettingNames.MaxKeyAgeDays}).");
        }

        return ShorterThanPeriod(days, Schedule) is { } problem
            ? (null, source, $"{alias}: key {keyId} is tagged {RotationTags.MaxKeyAgeDays}={tagged}: {problem}")
            : (days, source, null);
    }

    /// <summary>Why <paramref name="days"/> cannot be kept on <paramref name="schedule"/>, naming both values; null when it can.</summary>
    private static string? ShorterThanPeriod(int days, RotationSchedule schedule) =>
        schedule.Period is { } period && TimeSpan.FromDays(days) < period
            ? string.Create(CultureInfo.InvariantCulture, $"a cryptoperiod of {days} day(s) is shorter than the schedule's period of {period.TotalDays:0.##} day(s) ({SettingNames.RotationSchedule} {schedule.Describe()}): keys would outlive it between two scheduled runs. Raise it, or rotate more often.")
            : null;
}
