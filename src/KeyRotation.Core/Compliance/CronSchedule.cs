using System.Globalization;

namespace KeyRotation.Core.Compliance;

/// <summary>
/// An EventBridge Scheduler cron expression, <c>cron(minutes hours day-of-month month day-of-week year)</c>, evaluated
/// in local time of its zone: <c>*</c>, <c>?</c>, lists, ranges, increments and month and weekday names (SUN = 1).
/// The L, W and # forms are not evaluated (<see cref="TryParse"/> says so): the report then shows no next date rather
/// than a wrong one.
/// </summary>
internal sealed class CronSchedule
{
    private static readonly string[] MonthNames = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
    private static readonly string[] DayNames = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

    private readonly int[] _minutes;
    private readonly int[] _hours;
    private readonly HashSet<int>? _daysOfMonth;
    private readonly HashSet<int> _months;
    private readonly HashSet<int>? _daysOfWeek;
    private readonly HashSet<int> _years;

    private CronSchedule(string[] fields)
    {
        _minutes = [.. Field(fields[0], 0, 59, null).Order()];
        _hours = [.. Field(fields[1], 0, 23, null).Order()];
        _daysOfMonth = fields[2] == "?" ? null : Field(fields[2], 1, 31, null);
        _months = Field(fields[3], 1, 12, MonthNames);
        _daysOfWeek = fields[4] == "?" ? null : Field(fields[4], 1, 7, DayNames);
        _years = Field(fields[5], 1970, 2199, null);
    }

    /// <summary>
    /// The schedule, or null with <paramref name="problem"/> saying why: a malformed expression (a problem), or a valid
    /// one this evaluator does not compute (<paramref name="unevaluated"/> true: L, W or #).
    /// </summary>
    public static CronSchedule? TryParse(string body, out string? problem, out bool unevaluated)
    {
        ArgumentNullException.ThrowIfNull(body);
        unevaluated = false;
        var fields = body.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length != 6)
        {
            problem = $"has {fields.Length} fields; a cron expression has 6 (minutes hours day-of-month month day-of-week year)";
            return null;
        }

        if ((fields[2] == "?") == (fields[4] == "?"))
        {
            problem = "needs '?' in exactly one of day-of-month and day-of-week";
            return null;
        }

        if (fields[2].IndexOfAny(['L', 'W']) >= 0 || fields[4].IndexOfAny(['L', '#']) >= 0)
        {
            problem = null;
            unevaluated = true;
            return null;
        }

        try
        {
            problem = null;
            return new CronSchedule(fields);
        }
        catch (FormatException ex)
        {
            problem = ex.Message;
            return null;
        }
    }

    /// <summary>The first slot strictly after <paramref name="after"/> (local time of the schedule), or null within the search span.</summary>
    public DateTime? NextAfter(DateTime after, int searchDays)
    {
        for (var day = after.Date; day <= after.Date.AddDays(searchDays); day = day.AddDays(1))
        {
            if (!MatchesDay(day))
            {
                continue;
            }

            foreach (var hour in _hours)
            {
                foreach (var minute in _minutes)
                {
                    var candidate = day.AddHours(hour).AddMinutes(minute);
                    if (candidate > after)
                    {
                        return candidate;
                    }
                }
            }
        }

        return null;
    }

    /// <summary>The time of a run day's last run.</summary>
    public TimeSpan LastTimeOfDay => new(_hours[^1], _minutes[^1], 0);

    /// <summary>The longest gap between two runs of the same day; null when a run day has one run.</summary>
    public TimeSpan? LongestGapWithinADay
    {
        get
        {
            var times = _hours.SelectMany(h => _minutes.Select(m => new TimeSpan(h, m, 0))).ToList();
            return times.Count < 2 ? null : times.Zip(times.Skip(1), (a, b) => b - a).Max();
        }
    }

    private bool MatchesDay(DateTime day) =>
        _years.Contains(day.Year)
        && _months.Contains(day.Month)
        && (_daysOfMonth?.Contains(day.Day) ?? true)
        && (_daysOfWeek?.Contains((int)day.DayOfWeek + 1) ?? true);

    private static HashSet<int> Field(string field, int min, int max, string[]? names)
    {
        var values = new HashSet<int>();
        foreach (var part in field.Split(','))
        {
            var (range, step) = part.Split('/') switch
            {
                [var r] => (r, 1),
                [var r, var s] => (r, Number(s, 1, max, null)),
                _ => throw new FormatException($"'{part}' has more than one '/'"),
            };

            int from, to;
            if (range is "*" or "?")
            {
                (from, to) = (min, max);
            }
            else if (range.Split('-') is [var low, var high])
            {
                (from, to) = (Number(low, min, max, names), Number(high, min, max, names));
                if (from > to)
                {
                    throw new FormatException($"the range '{range}' runs backwards");
                }
            }
            else
            {
                from = Number(range, min, max, names);
                to = step == 1 ? from : max;
            }

            for (var value = from; value <= to; value += step)
            {
                values.Add(value);
            }
        }

        return values;
    }

    private static int Number(string text, int min, int max, string[]? names)
    {
        if (names is not null && Array.IndexOf(names, text.ToUpperInvariant()) is var index and >= 0)
        {
            return index + 1;
        }

        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
        {
            throw new FormatException($"'{text}' is not a value from {min} to {max}");
        }

        return value;
    }
}
