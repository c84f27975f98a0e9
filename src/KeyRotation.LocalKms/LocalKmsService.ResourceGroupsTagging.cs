using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace KeyRotation.LocalKms;

/// <summary>
/// The one Resource Groups Tagging API call this project makes, GetResources, answered for this service's own keys
/// (it holds their tags), so a client pointed at the same endpoint finds keys by tag as it would in AWS.
/// </summary>
public sealed partial class LocalKmsService
{
    /// <summary>The X-Amz-Target prefix of the Resource Groups Tagging API.</summary>
    public const string TaggingTargetPrefix = "ResourceGroupsTaggingAPI_20170126.";

    /// <summary>How GetResources is named in <see cref="RecordedRequests"/> (apart from KMS's own operations).</summary>
    public const string TaggingGetResources = "tagging:GetResources";

    /// <summary>
    /// Keys of the Region that carry a tag matching every TagFilter (one of its Values; any value when it has none),
    /// as ResourceTagMappingList entries (ResourceARN, Tags as Key/Value). ResourceTypeFilters must name kms or kms:key
    /// when present (this service holds nothing else). Pages with ResourcesPerPage (1 to 100) and PaginationToken, which
    /// is "" on the last page.
    /// </summary>
    private JsonObject GetResources(KmsRequest request)
    {
        var types = request.StringList("ResourceTypeFilters");
        var matchesType = types.Count == 0 || types.Any(t => t is "kms" or "kms:key");
        var filters = ReadTagFilters(request);
        var perPage = request.Int("ResourcesPerPage") ?? 100;
        if (perPage is < 1 or > 100)
        {
            throw new KmsErrorException("InvalidParameterException", $"ResourcesPerPage must be between 1 and 100; it was {perPage}.");
        }

        var start = 0;
        var token = request.String("PaginationToken");
        if (!string.IsNullOrEmpty(token) && (!int.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out start) || start > _keys.Count))
        {
            throw new KmsErrorException("InvalidParameterException", "The PaginationToken is not valid.");
        }

        var matches = !matchesType ? [] : _keys.Values
            .Where(k => k.KeyManager == "CUSTOMER" && k.Tags.Count > 0)
            .Where(k => filters.All(f => k.Tags.Any(t => t.Key == f.Key && (f.Values.Count == 0 || f.Values.Contains(t.Value)))))
            .OrderBy(k => k.CreationDate).ThenBy(k => k.KeyId, StringComparer.Ordinal)
            .ToList();
        var page = matches.Skip(start).Take(perPage).Select(k => (JsonNode)new JsonObject
        {
            ["ResourceARN"] = k.Arn,
            ["Tags"] = new JsonArray([.. k.Tags.Select(t => (JsonNode)new JsonObject { ["Key"] = t.Key, ["Value"] = t.Value })]),
        });
        var next = start + perPage;
        return new JsonObject
        {
            ["ResourceTagMappingList"] = new JsonArray([.. page]),
            ["PaginationToken"] = next < matches.Count ? next.ToString(CultureInfo.InvariantCulture) : string.Empty,
        };
    }

    private static List<(string Key, List<string> Values)> ReadTagFilters(KmsRequest request)
    {
        var filters = new List<(string Key, List<string> Values)>();
        foreach (var filter in request.Array("TagFilters"))
        {
            var key = filter.TryGetProperty("Key", out var k) && k.ValueKind == JsonValueKind.String ? k.GetString()! : null;
            if (string.IsNullOrEmpty(key))
            {
                throw new KmsErrorException("InvalidParameterException", "Each TagFilter must have a Key.");
            }

            var values = filter.TryGetProperty("Values", out var v) && v.ValueKind == JsonValueKind.Array
                ? v.EnumerateArray().Select(e => e.GetString() ?? string.Empty).ToList()
                : [];
            filters.Add((key, values));
        }

        return filters;
    }
}
