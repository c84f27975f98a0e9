using System.CommandLine;
using System.Text.Json;

namespace KeyRotation.Cli.Commands;

/// <summary>
/// <c>--encryption-context</c> and <c>--destination-encryption-context</c>, written as the AWS CLI takes a map:
/// shorthand (<c>Key=Value,Key2=Value2</c>), a JSON object of strings, or <c>file://PATH</c> holding either.
/// </summary>
internal static class EncryptionContextOption
{
    public static Option<string?> Create(string name, string description) => new(name)
    {
        Description = description,
        HelpName = "Key=Value,...|JSON",
    };

    /// <summary>The context the option gives; null when it was not given. A malformed value is bad usage naming the option.</summary>
    public static IReadOnlyDictionary<string, string>? Parse(string? text, string optionName)
    {
        if (text is null)
        {
            return null;
        }

        var value = text.Trim();
        if (value.StartsWith("file://", StringComparison.Ordinal))
        {
            var path = value["file://".Length..];
            try
            {
                value = File.ReadAllText(path).Trim();
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
            {
                throw new UsageException($"{optionName}: cannot read '{path}': {ex.Message}");
            }
        }

        return value.StartsWith('{') ? FromJson(value, optionName) : FromShorthand(value, optionName);
    }

    private static Dictionary<string, string> FromJson(string json, string optionName)
    {
        var context = new Dictionary<string, string>(StringComparer.Ordinal);
        try
        {
            using var document = JsonDocument.Parse(json);
            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (property.Value.ValueKind != JsonValueKind.String)
                {
                    throw new UsageException($"{optionName}: the value of '{property.Name}' is not a string; encryption context values are strings.");
                }

                if (!context.TryAdd(property.Name, property.Value.GetString()!))
                {
                    throw new UsageException($"{optionName}: the key '{property.Name}' is given twice.");
                }
            }
        }
        catch (JsonException ex)
        {
            throw new UsageException($"{optionName}: not a JSON object of strings: {ex.Message}");
        }

        return context;
    }

    private static Dictionary<string, string> FromShorthand(string text, string optionName)
    {
        var context = new Dictionary<string, string>(StringComparer.Ordinal);
        if (text.Length == 0)
        {
            return context;
        }

        foreach (var pair in text.Split(','))
        {
            var at = pair.IndexOf('=', StringComparison.Ordinal);
            var key = at > 0 ? pair[..at].Trim() : string.Empty;
            if (key.Length == 0)
            {
                throw new UsageException($"{optionName}: '{pair}' is not Key=Value (write Key=Value,Key2=Value2 or a JSON object such as {{\"Key\":\"Value\"}}).");
            }

            if (!context.TryAdd(key, pair[(at + 1)..].Trim()))
            {
                throw new UsageException($"{optionName}: the key '{key}' is given twice.");
            }
        }

        return context;
    }
}
