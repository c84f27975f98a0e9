using System.Globalization;

namespace KeyRotation.Core;

/// <summary>
/// How this tool writes a point in time wherever it records one (time tags, escrow records, notifications, logs,
/// status): ISO 8601 in UTC to the second, and schedule slots to the minute. One format, so text and tags compare.
/// </summary>
public static class RecordedTime
{
    /// <summary>A time to the second, in UTC.</summary>
    public static string Format(DateTimeOffset time) =>
        time.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>A schedule slot: the scheduled time to the minute, in UTC.</summary>
    public static string FormatSlot(DateTimeOffset slot) =>
        slot.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm'Z'", CultureInfo.InvariantCulture);
}
