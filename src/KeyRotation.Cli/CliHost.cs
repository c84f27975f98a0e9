using System.Collections;
using Amazon.KeyManagementService;

namespace KeyRotation.Cli;

/// <summary>
/// What the CLI takes from the process around it: the clock, whether stdin and stdout are terminals, stdin for the
/// confirmation, and (for tests) a KMS client to use instead of the standard AWS chain, or the sandbox to use.
/// </summary>
internal sealed record CliHost
{
    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>Colours, tables with borders and progress only when stdout is a terminal.</summary>
    public bool StdoutIsTerminal { get; init; }

    /// <summary>rotate and rollback ask for confirmation only when stdin is a terminal (else they need --yes).</summary>
    public bool StdinIsTerminal { get; init; }

    public TextReader Stdin { get; init; } = TextReader.Null;

    /// <summary>When set, used instead of the standard chain (tests against an in-process endpoint).</summary>
    public Func<IAmazonKeyManagementService>? KmsClient { get; init; }

    public static CliHost FromConsole() => new()
    {
        StdoutIsTerminal = !Console.IsOutputRedirected,
        StdinIsTerminal = !Console.IsInputRedirected,
        Stdin = Console.In,
    };

    public static IReadOnlyDictionary<string, string> ProcessEnvironment()
    {
        var variables = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (DictionaryEntry entry in Environment.GetEnvironmentVariables())
        {
            variables[(string)entry.Key] = entry.Value as string ?? string.Empty;
        }

        return variables;
    }
}
