using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using KeyRotation.Cli.Targets;
using Spectre.Console;

namespace KeyRotation.Cli;

/// <summary>Builds the context of one command run from its parse result.</summary>
internal sealed class CliContextFactory(GlobalOptions globals, TextWriter stdout, TextWriter stderr, IReadOnlyDictionary<string, string> environment, CliHost host)
{
    private readonly List<Sandbox> _sandboxes = [];

    public GlobalOptions Globals => globals;

    public CliContext For(ParseResult parsed) => new(globals, parsed, stdout, stderr, environment, host, _sandboxes.Add);

    /// <summary>
    /// Stops the sandbox's consumer services and keeps what the command did to the sandbox for the next command, whether
    /// it succeeded or not (as KMS would).
    /// </summary>
    public async Task CloseSandboxesAsync()
    {
        foreach (var sandbox in _sandboxes)
        {
            try
            {
                await sandbox.DisposeAsync();
            }
            finally
            {
                sandbox.Save();
            }
        }
    }
}

/// <summary>
/// One command run: its output (a Spectre console for text, plain when redirected; one JSON document for json),
/// the environment, and the KMS client from the standard AWS chain, the flags, or the sandbox (built in
/// CliContext.Clients.cs).
/// </summary>
internal sealed partial class CliContext
{
    /// <summary>Indented, and no \u0027-style escapes of quotes and the like: the output goes to a terminal or a file, never into HTML.</summary>
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private readonly Lock _errorGate = new();
    private readonly string? _quotasFlag;
    private readonly Action<Sandbox> _sandboxStarted;

    public CliContext(GlobalOptions globals, ParseResult parsed, TextWriter stdout, TextWriter stderr, IReadOnlyDictionary<string, string> environment, CliHost host, Action<Sandbox> sandboxStarted)
    {
        _sandboxStarted = sandboxStarted;
        SandboxState = parsed.GetValue(globals.SandboxState);
        SandboxReset = parsed.GetValue(globals.SandboxReset);
        Parsed = parsed;
        Stdout = stdout;
        Stderr = stderr;
        Environment = environment;
        Host = host;
        Format = OutputOptions.FormatOf(parsed, globals.Output) switch
        {
            "json" => OutputFormat.Json,
            "text" => OutputFormat.Text,
            "csv" => OutputFormat.Csv,
            _ => OutputFormat.Table,
        };
        IsSandbox = parsed.GetValue(globals.Sandbox);
        Region = parsed.GetValue(globals.Region);
        EndpointUrl = parsed.GetValue(globals.EndpointUrl);
        Profile = parsed.GetValue(globals.Profile);
        Targets = globals.Targets.Select(parsed, host.Time);
        _quotasFlag = parsed.GetValue(globals.KmsRequestQuotas);
        Console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(host.StdoutIsTerminal ? stdout : new LineTrimmingWriter(stdout)),
            Ansi = host.StdoutIsTerminal ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = host.StdoutIsTerminal ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
            Interactive = host.StdoutIsTerminal ? InteractionSupport.Detect : InteractionSupport.No,
        });
        if (!host.StdoutIsTerminal)
        {
            // Redirected: no wrapping of key ids and reasons at an imagined 80 columns (tables are written by Tabular).
            Console.Profile.Width = 400;
        }
        else if (host.TerminalWidth is { } width)
        {
            Console.Profile.Width = width;
        }
    }

    public ParseResult Parsed { get; }

    public TextWriter Stdout { get; }

    public TextWriter Stderr { get; }

    public IReadOnlyDictionary<string, string> Environment { get; }

    public CliHost Host { get; }

    public OutputFormat Format { get; }

    /// <summary>--output json: one JSON document on stdout.</summary>
    public bool Json => Format == OutputFormat.Json;

    public bool IsSandbox { get; }

    public string? Region { get; }

    public string? EndpointUrl { get; }

    public string? Profile { get; }

    /// <summary>--role-arn (one assumed role) or --accounts (many accounts, see MultiTargetRun); neither: the caller's own.</summary>
    public TargetSelection Targets { get; }

    public FileInfo? SandboxState { get; }

    public bool SandboxReset { get; }

    /// <summary>Text output; colours and live progress only on a terminal.</summary>
    public IAnsiConsole Console { get; }

    /// <summary>Progress and prompts only for table output on a terminal.</summary>
    public bool Interactive => Host.StdoutIsTerminal && Format == OutputFormat.Table;

    public void Error(string message)
    {
        lock (_errorGate)
        {
            Stderr.WriteLine(message);
        }
    }

    public void WriteJson(JsonNode document) => Stdout.WriteLine(document.ToJsonString(Indented));

    /// <summary>Runs <paramref name="work"/> with a spinner on a terminal (text output), so a wait never looks like a hang.</summary>
    public async Task WaitAsync(string what, Func<Task> work)
    {
        ArgumentNullException.ThrowIfNull(work);
        if (!Interactive)
        {
            await work();
            return;
        }

        await Console.Status().StartAsync(Markup.Escape(what) + "...", _ => work());
    }

    /// <summary>Runs <paramref name="work"/> with a spinner on a terminal (text output) and returns its result.</summary>
    public async Task<T> WaitAsync<T>(string what, Func<Task<T>> work)
    {
        ArgumentNullException.ThrowIfNull(work);
        T result = default!;
        Func<Task> run = async () => { result = await work(); };
        await WaitAsync(what, run);
        return result;
    }

    /// <summary>
    /// The confirmation a change needs: --yes, or "y" typed on a terminal. Without a terminal and without --yes the
    /// command refuses (exit 2), so a script never hangs on a prompt nor changes keys by accident.
    /// </summary>
    public Task<bool> ConfirmAsync(bool yes, string question, CancellationToken ct) => ConfirmAsync(yes, question, "keys and aliases", ct);

    /// <summary>The same, for a command that changes <paramref name="changes"/> (named in the refusal without --yes).</summary>
    public async Task<bool> ConfirmAsync(bool yes, string question, string changes, CancellationToken ct)
    {
        if (yes)
        {
            return true;
        }

        if (!Host.StdinIsTerminal || !Host.StdoutIsTerminal || Json || Format == OutputFormat.Csv)
        {
            // csv only where a command offers it (migrate): the refusal names it then, as it is one of the reasons.
            throw new UsageException($"This command changes {changes}: pass --yes to confirm when stdin is not a terminal (or with --output {(Format == OutputFormat.Csv ? "json or csv" : "json")}).");
        }

        Console.Markup($"{Markup.Escape(question)} [[y/N]] ");
        var answer = await Host.Stdin.ReadLineAsync(ct);
        return answer?.Trim().ToUpperInvariant() is "Y" or "YES";
    }
}

/// <summary>--output, with the AWS CLI's meanings: table for people, text (tab-separated) and json for scripts; csv where a command offers it.</summary>
internal enum OutputFormat
{
    Table,
    Text,
    Json,
    Csv,
}
