using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace KeyRotation.Integrations.Events;

/// <summary>
/// PutEvents' limits: at most 10 entries per call, and entries totalling less than 256 KB, each entry's size counted
/// as the EventBridge User Guide's "Calculating PutEvents event entry size" does (14 bytes for Time, then the UTF-8
/// bytes of Source, DetailType, Detail and each resource).
/// </summary>
internal static class PutEventsBatches
{
    public const int MaxEntriesPerCall = 10;

    /// <summary>256 KB: the limit for one entry and for the entries of one call.</summary>
    public const int MaxBytesPerCall = 256 * 1024;

    /// <summary>An entry's size as EventBridge counts it.</summary>
    public static int Size(JsonObject entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var size = entry.ContainsKey("Time") ? 14 : 0;
        foreach (var name in new[] { "Source", "DetailType", "Detail" })
        {
            size += Encoding.UTF8.GetByteCount((string?)entry[name] ?? string.Empty);
        }

        foreach (var resource in entry["Resources"]?.AsArray() ?? [])
        {
            size += Encoding.UTF8.GetByteCount((string?)resource ?? string.Empty);
        }

        return size;
    }

    /// <summary>
    /// Splits the entries, in order, into calls within both limits; an entry too large for any call is returned in
    /// <paramref name="tooLarge"/> (by index) instead, since EventBridge would refuse it.
    /// </summary>
    public static IReadOnlyList<IReadOnlyList<int>> Split(IReadOnlyList<JsonObject> entries, out IReadOnlyList<(int Index, string Problem)> tooLarge)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var batches = new List<IReadOnlyList<int>>();
        var refused = new List<(int, string)>();
        var current = new List<int>();
        var bytes = 0;
        for (var i = 0; i < entries.Count; i++)
        {
            var size = Size(entries[i]);
            if (size >= MaxBytesPerCall)
            {
                refused.Add((i, string.Create(CultureInfo.InvariantCulture, $"the entry is {size} bytes; PutEvents takes less than {MaxBytesPerCall}")));
                continue;
            }

            if (current.Count == MaxEntriesPerCall || bytes + size >= MaxBytesPerCall)
            {
                batches.Add(current);
                current = [];
                bytes = 0;
            }

            current.Add(i);
            bytes += size;
        }

        if (current.Count > 0)
        {
            batches.Add(current);
        }

        tooLarge = refused;
        return batches;
    }
}
