using Amazon.Runtime;
using KeyRotation.Core.Configuration;
using KeyRotation.Integrations.Events;

namespace KeyRotation.Integrations.Clients;

/// <summary>The EventBridge sink, built as the other stand-ins are.</summary>
public static partial class AwsClients
{
    /// <summary>
    /// The lifecycle-event sink of <paramref name="settings"/> (which must be enabled): PutEvents in the bus ARN's Region,
    /// else the function's (AWS_REGION, then the SDK's Region chain), at AWS_ENDPOINT_URL_EVENTS, then
    /// AWS_ENDPOINT_URL_EVENTBRIDGE (the SDKs' service id), then AWS_ENDPOINT_URL, when set.
    /// </summary>
    public static EventBridgeLifecycleSink CreateEventSink(IReadOnlyDictionary<string, string> environment, EventSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var options = EventOptions(environment, settings);
        return new EventBridgeLifecycleSink(PutEventsClient.CreateDefault(options), settings.BusName!, settings.Source);
    }

    /// <summary>As <see cref="CreateEventSink(IReadOnlyDictionary{string, string}, EventSettings)"/>, signed with <paramref name="credentials"/> and sent through <paramref name="http"/> (the CLI).</summary>
    public static EventBridgeLifecycleSink CreateEventSink(IReadOnlyDictionary<string, string> environment, EventSettings settings, HttpClient http, AWSCredentials credentials, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(credentials);
        var client = new PutEventsClient(http, EventOptions(environment, settings), _ => credentials.GetCredentialsAsync(), time);
        return new EventBridgeLifecycleSink(client, settings.BusName!, settings.Source);
    }

    /// <summary>The endpoint setting EventBridge answers to: AWS_ENDPOINT_URL_EVENTS, else the SDKs' own id, else the shared one.</summary>
    internal static Uri? EventsEndpoint(IReadOnlyDictionary<string, string> environment) =>
        environment.TryGetValue("AWS_ENDPOINT_URL_EVENTS", out var events) && !string.IsNullOrWhiteSpace(events)
            ? AwsEndpoints.Resolve(environment, "EVENTS")
            : AwsEndpoints.Resolve(environment, "EventBridge");

    private static PutEventsOptions EventOptions(IReadOnlyDictionary<string, string> environment, EventSettings settings)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var region = (Amazon.Arn.TryParse(settings.BusName, out var arn) ? arn.Region : null)
            ?? (environment.TryGetValue("AWS_REGION", out var configured) && configured.Length > 0 ? configured : FallbackRegion())
            ?? throw new ArgumentException("No AWS Region is configured (AWS_REGION) for EventBridge.");
        return new PutEventsOptions { Region = region, ServiceUrl = EventsEndpoint(environment) };
    }
}
