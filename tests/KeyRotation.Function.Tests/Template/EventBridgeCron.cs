using System.Globalization;

namespace KeyRotation.Function.Tests.Template;

/// <summary>
/// An EventBridge (and EventBridge Scheduler) cron expression: <c>cron(minutes hours day-of-month
/// month day-of-week year)</c>. Supports <c>*</c>, <c>?</c>, lists, ranges, increments and month
/// and weekday names (SUN = 1). Exactly one of day-of-month and day-of-week must be <c>?</c>.
/// The L, W and # forms are refused: the template does not use them, so the tests need not
/// evaluate them.
/// </summary>
internal sealed class EventBridgeCron
{
    private static readonly string[] MonthNames = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
    private static readonly string[] DayNames = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

    private readonly HashSet<int> _minutes;
    private readonly HashSet<int> _hours;
    private readonly HashSet<int>? _daysOfMonth;
    private readonly HashSet<int> _months;
    private readonly HashSet<int>? _daysOfWeek;
    private readonly HashSet<int> _years;

    private EventBridgeCron(string[] fields)
    {
        _minutes = ParseField(fields[0], 0, 59, null);
        _hours = ParseField(fields[1], 0, 23, null);
        _daysOfMonth = fields[2] == "?" ? null : ParseField(fields[2], 1, 31, null);
        _months = ParseField(fields[3], 1, 12, MonthNames);
        _daysOfWeek = fields[4] == "?" ? null : ParseField(fields[4], 1, 7, DayNames);
        _years = ParseField(fields[5], 1970, 2199, null);
    }

    public static EventBridgeCron Parse(string expression)
    {
        ArgumentNullException.ThrowIfNull(expression);
        if (!expression.StartsWith("cron(", StringComparison.Ordinal) || !expression.EndsWith(')'))
        {
            throw new FormatException($"'{expression}' is not of the form cron(...)");
        }

        var fields = expression[5..^1].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length != 6)
        {
            throw new FormatException($"'{expression}' has {fields.Length} fields; EventBridge cron has 6");
        }

        if ((fields[2] == "?") == (fields[4] == "?"))
        {
            throw new FormatException($"'{expression}': exactly one of day-of-month and day-of-week must be '?'");
        }

        if (fields[0] == "?" || fields[1] == "?" || fields[3] == "?" || fields[5] == "?")
        {
            throw new FormatException($"'{expression}': '?' is allowed only in day-of-month and day-of-week");
        }

        return new EventBridgeCron(fields);
    }

    /// <summary>The next <paramref name="count"/> fire times strictly after <paramref name="after"/> (both in the schedule's time zone).</summary>
    public IReadOnlyList<DateTime> NextOccurrences(DateTime after, int count)
    {
        var results = new List<DateTime>(count);
        for (var day = after.Date; results.Count < count && day.Year <= 2199; day = day.AddDays(1))
        {
            if (!MatchesDay(day))
            {
                continue;
            }

            foreach (var hour in _hours.Order())
            {
                foreach (var minute in _minutes.Order())
                {
                    var candidate = day.AddHours(hour).AddMinutes(minute);
                    if (candidate > after && results.Count < count)
                    {
                        results.Add(candidate);
                    }
                }
            }
        }

        return results;
    }

    private bool MatchesDay(DateTime day) =>
        _years.Contains(day.Year)
        && _months.Contains(day.Month)
        && (_daysOfMonth?.Contains(day.Day) ?? true)
        && (_daysOfWeek?.Contains((int)day.DayOfWeek + 1) ?? true);

    private static HashSet<int> ParseField(string field, int min, int max, string[]? names)
    {
        var values = new HashSet<int>();
        foreach (var part in field.Split(','))
        {
            var (range, step) = part.Split('/') switch
            {
                [var r] => (r, 1),
                [var r, var s] => (r, ParseNumber(s, 1, max, null)),
                _ => throw new FormatException($"'{part}' has more than one '/'"),
            };

            int from, to;
            if (range == "*")
            {
                (from, to) = (min, max);
            }
            else if (range.Split('-') is [var low, var high])
            {
                (from, to) = (ParseNumber(low, min, max, names), ParseNumber(high, min, max, names));
                if (from > to)
                {
                    throw new FormatException($"range '{range}' runs backwards");
                }
            }
            else
            {
                from = ParseNumber(range, min, max, names);
                to = step == 1 ? from : max;
            }

            for (var value = from; value <= to; value += step)
            {
                values.Add(value);
            }
        }

        return values;
    }

    private static int ParseNumber(string text, int min, int max, string[]? names)
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
