using System.Globalization;
using KeyRotation.Core.Configuration;

namespace KeyRotation.Core.Compliance;

/// <summary>
/// The rotation function's schedule as the template gives it (ROTATION_SCHEDULE, an EventBridge Scheduler
/// <c>cron(...)</c>, <c>rate(...)</c> or <c>at(...)</c>, in ROTATION_SCHEDULE_TIMEZONE): when the next scheduled run
/// comes, and its period, the longest gap between two runs, which no cryptoperiod may be shorter than.
/// </summary>
public sealed class RotationSchedule
{
    /// <summary>The template's Monthly expression, which the CLI assumes when ROTATION_SCHEDULE is not set.</summary>
    public const string DefaultExpression = "cron(0 3 1 * ? *)";

    public const string DefaultTimeZone = "UTC";

    /// <summary>How far ahead a next run is looked for: a cron that fires less often than this has none.</summary>
    private const int SearchDays = 5 * 366;

    /// <summary>The span a cron's longest gap is measured over: four years hold every month length and a leap year.</summary>
    private static readonly DateTime PeriodFrom = new(2025, 1, 1, 0, 0, 0, DateTimeKind.Unspecified);

    private readonly CronSchedule? _cron;
    private readonly TimeSpan? _rate;
    private readonly DateTime? _at;
    private readonly TimeZoneInfo _zone;

    private RotationSchedule(string expression, string timeZone, TimeZoneInfo zone, CronSchedule? cron, TimeSpan? rate, DateTime? at)
    {
        Expression = expression;
        TimeZone = timeZone;
        _zone = zone;
        _cron = cron;
        _rate = rate;
        _at = at;
        Period = rate ?? (cron is null ? null : LongestGap(cron));
    }

    /// <summary>The template's default: monthly, 03:00 UTC on the 1st.</summary>
    public static RotationSchedule Default { get; } = new(DefaultExpression, DefaultTimeZone, TimeZoneInfo.Utc, CronSchedule.TryParse("0 3 1 * ? *", out _, out _), null, null);

    public string Expression { get; }

    public string TimeZone { get; }

    /// <summary>The longest gap between two scheduled runs; null for a one-time <c>at(...)</c> or a cron form not evaluated (L, W, #).</summary>
    public TimeSpan? Period { get; }

    /// <summary>False for a cron this tool does not evaluate (L, W, #): no next run and no period are known.</summary>
    public bool Evaluated => _cron is not null || _rate is not null || _at is not null;

    /// <summary>"cron(0 3 1 * ? *) in UTC", for messages and the report.</summary>
    public string Describe() => $"{Expression} in {TimeZone}";

    /// <summary>
    /// The first scheduled run strictly after <paramref name="time"/>. A rate schedule runs from whenever it was
    /// created, which KMS does not record: its next run is at the latest one period later. Null when none is known.
    /// </summary>
    public DateTimeOffset? NextRunAfter(DateTimeOffset time)
    {
        if (_rate is { } rate)
        {
            return time + rate;
        }

        if (_at is { } at)
        {
            var once = ToUtc(at);
            return once > time ? once : null;
        }

        var local = TimeZoneInfo.ConvertTime(time, _zone).DateTime;
        return _cron?.NextAfter(local, SearchDays) is { } next ? ToUtc(next) : null;
    }

    /// <summary>Parses the schedule; a bad expression or time zone adds a problem naming its setting and returns null.</summary>
    internal static RotationSchedule? Parse(string? expression, string? timeZone, List<string> problems)
    {
        expression ??= DefaultExpression;
        timeZone ??= DefaultTimeZone;
        TimeZoneInfo zone;
        try
        {
            zone = TimeZoneInfo.FindSystemTimeZoneById(timeZone);
        }
        catch (Exception ex) when (ex is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            problems.Add($"{SettingNames.RotationScheduleTimezone}: '{timeZone}' is not a time zone; use an IANA name such as UTC or Europe/Berlin.");
            return null;
        }

        var open = expression.IndexOf('(', StringComparison.Ordinal);
        var body = open > 0 && expression.EndsWith(')') ? expression[(open + 1)..^1].Trim() : null;
        string? problem = null;
        RotationSchedule? schedule = (body is null ? null : expression[..open]) switch
        {
            "cron" => CronSchedule.TryParse(body!, out problem, out var unevaluated) is var cron && (cron is not null || unevaluated)
                ? new RotationSchedule(expression, timeZone, zone, cron, null, null)
                : null,
            "rate" => ParseRate(body!, out problem) is { } rate ? new RotationSchedule(expression, timeZone, zone, null, rate, null) : null,
            "at" => DateTime.TryParseExact(body, "yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture, DateTimeStyles.None, out var at)
                ? new RotationSchedule(expression, timeZone, zone, null, null, at)
                : null,
            _ => null,
        };
        if (schedule is null)
        {
            problems.Add($"{SettingNames.RotationSchedule}: '{expression}' is not an EventBridge Scheduler expression (cron(...), rate(...) or at(yyyy-mm-ddThh:mm:ss)){(problem is null ? string.Empty : ": it " + problem)}.");
        }

        return schedule;
    }

    private static TimeSpan? ParseRate(string body, out string? problem)
    {
        problem = "needs a whole number and minute(s), hour(s) or day(s), such as rate(30 days)";
        if (body.Split(' ', StringSplitOptions.RemoveEmptyEntries) is not [var number, var unit]
            || !int.TryParse(number, NumberStyles.None, CultureInfo.InvariantCulture, out var count) || count < 1)
        {
            return null;
        }

        TimeSpan? rate = unit switch
        {
            "minute" or "minutes" => TimeSpan.FromMinutes(count),
            "hour" or "hours" => TimeSpan.FromHours(count),
            "day" or "days" => TimeSpan.FromDays(count),
            _ => null,
        };
        problem = rate is null ? problem : null;
        return rate;
    }

    /// <summary>
    /// The longest gap between two runs, in the schedule's local time (a daylight-saving shift is an hour at most):
    /// every run day has the same times, so the gaps are the one inside a day and those between run days.
    /// </summary>
    private static TimeSpan? LongestGap(CronSchedule cron)
    {
        TimeSpan? longest = cron.LongestGapWithinADay;
        for (var first = cron.NextAfter(PeriodFrom.AddTicks(-1), SearchDays); first is { } day && day < PeriodFrom.AddYears(4);)
        {
            // From the last run of one run day to the first run of the next.
            var last = day.Date + cron.LastTimeOfDay;
            if (cron.NextAfter(last, SearchDays) is not { } next)
            {
                break;
            }

            longest = longest is null || next - last > longest ? next - last : longest;
            first = next;
        }

        return longest;
    }

    private DateTimeOffset ToUtc(DateTime local)
    {
        var unspecified = DateTime.SpecifyKind(local, DateTimeKind.Unspecified);

        // A time that does not exist (the hour skipped when clocks go forward) runs an hour later.
        while (_zone.IsInvalidTime(unspecified))
        {
            unspecified = unspecified.AddHours(1);
        }

        return new DateTimeOffset(TimeZoneInfo.ConvertTimeToUtc(unspecified, _zone), TimeSpan.Zero);
    }
}
