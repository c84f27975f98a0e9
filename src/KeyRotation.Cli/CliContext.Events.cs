using KeyRotation.Core.Configuration;
using KeyRotation.Core.Events;
using KeyRotation.Integrations.Clients;

namespace KeyRotation.Cli;

/// <summary>Where a command's lifecycle events go: the sandbox's recorder, EVENT_BUS_NAME when it is set, or nowhere.</summary>
internal sealed partial class CliContext
{
    private static readonly Lazy<HttpClient> EventsHttp = new(() => new HttpClient(new SocketsHttpHandler { ConnectTimeout = AwsSettings.ConnectTimeout }));

    /// <summary>
    /// The sandbox's recorder in the sandbox; otherwise PutEvents on EVENT_BUS_NAME (EVENT_SOURCE) with the command's own
    /// credentials when the variable names a bus; null when it is unset or <c>none</c>.
    /// </summary>
    public ILifecycleEventSink? EventSink(Sandbox? sandbox)
    {
        if (sandbox is not null)
        {
            return sandbox.Events;
        }

        var problems = new List<string>();
        var settings = EventSettings.Parse(Environment, problems);
        if (problems.Count > 0)
        {
            throw new UsageException(string.Join(" ", problems));
        }

        return settings.Enabled ? new ReportingSink(AwsClients.CreateEventSink(Environment, settings, EventsHttp.Value, Credentials(), Host.Time), this) : null;
    }

    /// <summary>The publisher over <see cref="EventSink"/>, for a rollback; null when events are off.</summary>
    public LifecycleEventPublisher? EventPublisher(Sandbox? sandbox) =>
        EventSink(sandbox) is { } sink ? new LifecycleEventPublisher(sink, new Commands.RotationRun.StderrLog(this)) : null;

    /// <summary>
    /// Says on stderr when events could not be put: the command's log shows warnings only, and a failed put changes
    /// neither the result nor the exit code.
    /// </summary>
    private sealed class ReportingSink(ILifecycleEventSink inner, CliContext context) : ILifecycleEventSink
    {
        public async Task PutAsync(IReadOnlyList<LifecycleEvent> events, CancellationToken cancellationToken)
        {
            try
            {
                await inner.PutAsync(events, cancellationToken);
            }
            catch (LifecycleEventsException ex)
            {
                context.Error($"warning: {ex.Message}");
                throw;
            }
        }
    }
}
