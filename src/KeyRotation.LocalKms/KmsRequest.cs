using System.Globalization;
using System.Text.Json;

namespace KeyRotation.LocalKms;

/// <summary>Typed reads of a JSON 1.1 request body, answering ValidationException as KMS does for bad fields.</summary>
internal sealed class KmsRequest
{
    private readonly JsonElement _root;

    private KmsRequest(JsonElement root) => _root = root;

    public static KmsRequest Parse(string body)
    {
        if (string.IsNullOrWhiteSpace(body))
        {
            return new KmsRequest(JsonDocument.Parse("{}").RootElement.Clone());
        }

        try
        {
            using var doc = JsonDocument.Parse(body);
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new KmsErrorException("SerializationException", "Request body must be a JSON object.");
            }

            return new KmsRequest(doc.RootElement.Clone());
        }
        catch (JsonException ex)
        {
            throw new KmsErrorException("SerializationException", "Request body is not valid JSON: " + ex.Message);
        }
    }

    public bool Has(string name) => _root.TryGetProperty(name, out var v) && v.ValueKind != JsonValueKind.Null;

    public string? String(string name)
    {
        if (!_root.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return v.ValueKind == JsonValueKind.String
            ? v.GetString()
            : throw new KmsErrorException("SerializationException", $"{name} must be a string.");
    }

    public string RequiredString(string name) =>
        String(name) is { Length: > 0 } s ? s : throw KmsErrorException.Validation($"1 validation error detected: Value null at '{Camel(name)}' failed to satisfy constraint: Member must not be null");

    public string? Enum(string name, IReadOnlyCollection<string> allowed)
    {
        var value = String(name);
        if (value is not null && !allowed.Contains(value))
        {
            throw KmsErrorException.Validation($"1 validation error detected: Value '{value}' at '{Camel(name)}' failed to satisfy constraint: Member must satisfy enum value set: [{string.Join(", ", allowed)}]");
        }

        return value;
    }

    public int? Int(string name)
    {
        if (!_root.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out var i)
            ? i
            : throw new KmsErrorException("SerializationException", $"{name} must be an integer.");
    }

    public bool Bool(string name)
    {
        if (!_root.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null)
        {
            return false;
        }

        return v.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw new KmsErrorException("SerializationException", $"{name} must be a boolean."),
        };
    }

    public byte[]? Blob(string name)
    {
        var s = String(name);
        if (s is null)
        {
            return null;
        }

        try
        {
            return Convert.FromBase64String(s);
        }
        catch (FormatException)
        {
            throw new KmsErrorException("SerializationException", $"{name} is not valid base64.");
        }
    }

    /// <summary>Timestamps arrive as epoch seconds (number), or as ISO-8601 from some clients.</summary>
    public DateTimeOffset? Timestamp(string name)
    {
        if (!_root.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (v.ValueKind == JsonValueKind.Number)
        {
            return DateTimeOffset.FromUnixTimeMilliseconds((long)Math.Round(v.GetDouble() * 1000));
        }

        if (v.ValueKind == JsonValueKind.String
            && DateTimeOffset.TryParse(v.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed))
        {
            return parsed;
        }

        throw new KmsErrorException("SerializationException", $"{name} must be a timestamp.");
    }

    public SortedDictionary<string, string> StringMap(string name)
    {
        var map = new SortedDictionary<string, string>(StringComparer.Ordinal);
        if (!_root.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null)
        {
            return map;
        }

        if (v.ValueKind != JsonValueKind.Object)
        {
            throw new KmsErrorException("SerializationException", $"{name} must be a map.");
        }

        foreach (var p in v.EnumerateObject())
        {
            map[p.Name] = p.Value.GetString() ?? string.Empty;
        }

        return map;
    }

    public List<KeyValuePair<string, string>> Tags(string name)
    {
        var tags = new List<KeyValuePair<string, string>>();
        if (!_root.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null)
        {
            return tags;
        }

        if (v.ValueKind != JsonValueKind.Array)
        {
            throw new KmsErrorException("SerializationException", $"{name} must be a list.");
        }

        foreach (var t in v.EnumerateArray())
        {
            var key = t.TryGetProperty("TagKey", out var k) ? k.GetString() : null;
            var value = t.TryGetProperty("TagValue", out var tv) ? tv.GetString() : null;
            if (key is null || value is null)
            {
                throw KmsErrorException.Validation("Each tag must have a TagKey and a TagValue.");
            }

            tags.Add(new(key, value));
        }

        return tags;
    }

    public List<string> StringList(string name)
    {
        var list = new List<string>();
        if (_root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Array)
        {
            list.AddRange(v.EnumerateArray().Select(e => e.GetString() ?? string.Empty));
        }

        return list;
    }

    /// <summary>The elements of list <paramref name="name"/>; none when it is absent.</summary>
    public List<JsonElement> Array(string name)
    {
        if (!_root.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null)
        {
            return [];
        }

        return v.ValueKind == JsonValueKind.Array
            ? [.. v.EnumerateArray()]
            : throw new KmsErrorException("SerializationException", $"{name} must be a list.");
    }

    private static string Camel(string name) => char.ToLowerInvariant(name[0]) + name[1..];
}
