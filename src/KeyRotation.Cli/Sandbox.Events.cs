using System.Collections.Concurrent;
using KeyRotation.Core.Events;
using Spectre.Console;

namespace KeyRotation.Cli;

/// <summary>The sandbox's lifecycle events: recorded instead of put on a bus, and printed after the command's details.</summary>
internal sealed partial class Sandbox
{
    /// <summary>What the command put (a deployment puts the same on EVENT_BUS_NAME).</summary>
    public SandboxEvents Events { get; } = new();
}

/// <summary>Records every event it is given, in order, and prints them.</summary>
internal sealed class SandboxEvents : ILifecycleEventSink
{
    private static readonly System.Text.Json.JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly ConcurrentQueue<LifecycleEvent> _events = new();

    public IReadOnlyList<LifecycleEvent> Put => [.. _events];

    public Task PutAsync(IReadOnlyList<LifecycleEvent> events, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(events);
        foreach (var lifecycleEvent in events)
        {
            _events.Enqueue(lifecycleEvent);
        }

        return Task.CompletedTask;
    }

    /// <summary>
    /// Prints the events put so far, with the command's other details (--verbose; <paramref name="details"/> false
    /// prints nothing): in the table, or on stderr for text output (JSON output stays one document).
    /// </summary>
    public void Write(CliContext context, bool details = true)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (!details)
        {
            return;
        }

        foreach (var lifecycleEvent in Put)
        {
            var line = $"{lifecycleEvent.DetailType} ({string.Join(", ", lifecycleEvent.Resources)})";
            if (context.Format == OutputFormat.Text)
            {
                context.Error($"Event: {line}\n{lifecycleEvent.Detail.ToJson()}");
            }
            else if (context.Format == OutputFormat.Table)
            {
                context.Console.WriteLine();
                context.Console.MarkupLine($"[bold]Event[/] (the sandbox records it; a deployment puts it on EVENT_BUS_NAME): {Markup.Escape(line)}");
                // Indented: one field a line stays readable in a narrow terminal.
                context.Console.WriteLine(System.Text.Json.Nodes.JsonNode.Parse(lifecycleEvent.Detail.ToJson())!.ToJsonString(Indented));
            }
        }
    }
}
