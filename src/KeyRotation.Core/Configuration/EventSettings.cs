using System.Text.RegularExpressions;

namespace KeyRotation.Core.Configuration;

/// <summary>
/// Where lifecycle events go (EVENT_BUS_NAME) and the source they carry (EVENT_SOURCE), validated at start as the
/// EventBridge API reference allows: a bus name (1 to 256 of letters, digits and <c>. - _ /</c>) or an event bus ARN,
/// and a source that is not AWS's reserved <c>aws.</c> prefix. Unset or <c>none</c>: no events.
/// </summary>
public sealed partial record EventSettings
{
    /// <summary>The value of EVENT_BUS_NAME that turns events off.</summary>
    public const string Off = "none";

    /// <summary>The source of every event unless EVENT_SOURCE names another.</summary>
    public const string DefaultSource = "keyrotation";

    private const int MaxSourceLength = 256;

    /// <summary>No events are put.</summary>
    public static EventSettings None { get; } = new();

    /// <summary>The bus name or ARN the events go to; null: events are off.</summary>
    public string? BusName { get; init; }

    public string Source { get; init; } = DefaultSource;

    public bool Enabled => BusName is not null;

    /// <summary>Reads both settings, adding a problem that names the setting for each bad value.</summary>
    public static EventSettings Parse(IReadOnlyDictionary<string, string> environment, List<string> problems)
    {
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentNullException.ThrowIfNull(problems);
        string? Get(string name) => environment.TryGetValue(name, out var value) && !string.IsNullOrWhiteSpace(value) ? value.Trim() : null;

        var bus = Get(SettingNames.EventBusName);
        if (bus is not null && bus != Off && !BusNameOrArn().IsMatch(bus))
        {
            problems.Add($"{SettingNames.EventBusName}: '{bus}' is not an event bus name (1 to 256 letters, digits and . - _ /, for example default) or an event bus ARN (arn:aws:events:eu-west-1:111122223333:event-bus/key-rotation); use {Off} to put no events.");
        }

        var source = Get(SettingNames.EventSource) ?? DefaultSource;
        if (source.Length > MaxSourceLength || source.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
        {
            problems.Add($"{SettingNames.EventSource}: '{source}' is not an event source: at most {MaxSourceLength} characters without spaces, for example {DefaultSource} or com.example.keyrotation.");
        }
        else if (source.StartsWith("aws.", StringComparison.OrdinalIgnoreCase))
        {
            problems.Add($"{SettingNames.EventSource}: '{source}' starts with aws., which EventBridge reserves for AWS services; use your own prefix, for example com.example.keyrotation.");
        }

        return new EventSettings { BusName = bus is null or Off ? null : bus, Source = source };
    }

    [GeneratedRegex(@"\A(arn:aws[a-z-]*:events:[a-z]{2}(-[a-z]+)+-[0-9]+:[0-9]{12}:event-bus/)?[/._A-Za-z0-9-]{1,256}\z", RegexOptions.CultureInvariant)]
    private static partial Regex BusNameOrArn();
}
