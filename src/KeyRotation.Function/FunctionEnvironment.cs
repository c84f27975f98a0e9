using System.Collections;
using KeyRotation.Core.Configuration;

namespace KeyRotation.Function;

/// <summary>The environment variables the function reads: the shared setting names, checked against template.yaml by tests.</summary>
public static class FunctionEnvironment
{
    /// <summary>Every variable the function reads; the template must set each of them and no other.</summary>
    public static IReadOnlyList<string> All => SettingNames.All;

    /// <summary>The process environment as a dictionary, for <see cref="RotationSettings.Parse"/>.</summary>
    internal static IReadOnlyDictionary<string, string> Read()
    {
        var variables = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (DictionaryEntry entry in Environment.GetEnvironmentVariables())
        {
            variables[(string)entry.Key] = entry.Value as string ?? string.Empty;
        }

        return variables;
    }
}
