using System.Collections;
using Amazon.KeyManagementService;
using Amazon.S3;

namespace KeyRotation.Cli;

/// <summary>
/// What the CLI takes from the process around it: the clock, whether stdin and stdout are terminals, stdin for the
/// confirmation, and (for tests) KMS and S3 clients to use instead of the standard AWS chain.
/// </summary>
internal sealed record CliHost
{
    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>Colours, tables with borders and progress only when stdout is a terminal.</summary>
    public bool StdoutIsTerminal { get; init; }

    /// <summary>The terminal's width in columns; null: measured (tests set it, as their writer is no terminal).</summary>
    public int? TerminalWidth { get; init; }

    /// <summary>rotate and rollback ask for confirmation only when stdin is a terminal (else they need --yes).</summary>
    public bool StdinIsTerminal { get; init; }

    public TextReader Stdin { get; init; } = TextReader.Null;

    /// <summary>When set, used instead of the standard chain (tests against an in-process endpoint).</summary>
    public Func<IAmazonKeyManagementService>? KmsClient { get; init; }

    /// <summary>When set, used instead of the standard chain for the escrow bucket (tests against an S3 double).</summary>
    public Func<IAmazonS3>? S3Client { get; init; }

    /// <summary>The SDK's default credential chain when null; tests put a resolver here that behaves as the chain does on a bare machine.</summary>
    public Func<Amazon.Runtime.AWSCredentials>? DefaultCredentials { get; init; }

    /// <summary>Where the sandbox keeps its state when --sandbox-state is not given; null: nowhere (each run starts from the seed).</summary>
    public string? DataDirectory { get; init; }

    public static CliHost FromConsole() => new()
    {
        StdoutIsTerminal = !Console.IsOutputRedirected,
        StdinIsTerminal = !Console.IsInputRedirected,
        // Not Console.In: on Unix its first use switches the terminal to keypad-transmit mode (ESC[?1h ESC=), which
        // is left behind in the terminal and in captured output; a plain reader over stdin reads the answer as typed
        // (the terminal's own line editing and echo still apply).
        Stdin = OperatingSystem.IsWindows() ? Console.In : new StreamReader(new FileStream(new Microsoft.Win32.SafeHandles.SafeFileHandle(0, ownsHandle: false), FileAccess.Read, 1)),
        DataDirectory = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.Create), "keyrotation"),
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
