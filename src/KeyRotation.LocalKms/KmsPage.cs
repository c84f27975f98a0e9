using System.Globalization;
using System.Text.Json.Nodes;

namespace KeyRotation.LocalKms;

/// <summary>
/// The Limit/Marker paging every KMS List operation shares: Limit between 1 and the operation's maximum (else
/// ValidationException), Marker the offset of the next entry (one LocalKms did not hand out: InvalidMarkerException),
/// and the answer's list, Truncated and, when truncated, NextMarker.
/// </summary>
internal static class KmsPage
{
    public static JsonObject Of(KmsRequest request, List<JsonNode> entries, string listName, int maxLimit, int defaultLimit)
    {
        var limit = request.Int("Limit") ?? defaultLimit;
        if (limit < 1 || limit > maxLimit)
        {
            throw KmsErrorException.Validation($"1 validation error detected: Value '{limit}' at 'limit' failed to satisfy constraint: Member must have value between 1 and {maxLimit}");
        }

        var start = 0;
        var marker = request.String("Marker");
        if (marker is not null && (!int.TryParse(marker, NumberStyles.None, CultureInfo.InvariantCulture, out start) || start > entries.Count))
        {
            throw new KmsErrorException("InvalidMarkerException", "The marker is not valid.");
        }

        var page = entries.Skip(start).Take(limit).ToList();
        var result = new JsonObject { [listName] = new JsonArray([.. page]) };
        var next = start + page.Count;
        var truncated = next < entries.Count;
        result["Truncated"] = truncated;
        if (truncated)
        {
            result["NextMarker"] = next.ToString(CultureInfo.InvariantCulture);
        }

        return result;
    }
}
