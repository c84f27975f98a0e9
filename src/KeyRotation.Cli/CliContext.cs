using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using Amazon;
using Amazon.KeyManagementService;
using Amazon.Runtime;
using Amazon.Runtime.CredentialManagement;
using Amazon.S3;
using KeyRotation.Core;
using KeyRotation.Core.Configuration;
using KeyRotation.Core.Pacing;
using Spectre.Console;

namespace KeyRotation.Cli;

/// <summary>Builds the context of one command run from its parse result.</summary>
internal sealed class CliContextFactory(GlobalOptions globals, TextWriter stdout, TextWriter stderr, IReadOnlyDictionary<string, string> environment, CliHost host)
{
    public GlobalOptions Globals => globals;

    public CliContext For(ParseResult parsed) => new(globals, parsed, stdout, stderr, environment, host);
}

/// <summary>
/// One command run: its output (a Spectre console for text, plain when redirected; one JSON document for json),
/// the environment, and the KMS client from the standard AWS chain, the flags, or the sandbox.
/// </summary>
internal sealed class CliContext
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };
    private readonly Lock _errorGate = new();
    private readonly string? _quotasFlag;
    private KmsRequestPacer? _pacer;

    public CliContext(GlobalOptions globals, ParseResult parsed, TextWriter stdout, TextWriter stderr, IReadOnlyDictionary<string, string> environment, CliHost host)
    {
        Parsed = parsed;
        Stdout = stdout;
        Stderr = stderr;
        Environment = environment;
        Host = host;
        Json = parsed.GetValue(globals.Output) == "json";
        IsSandbox = parsed.GetValue(globals.Sandbox);
        Region = parsed.GetValue(globals.Region);
        EndpointUrl = parsed.GetValue(globals.EndpointUrl);
        Profile = parsed.GetValue(globals.Profile);
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
            // Redirected: no wrapping of key ids and reasons at an imagined 80 columns.
            Console.Profile.Width = 400;
        }
    }

    public ParseResult Parsed { get; }

    public TextWriter Stdout { get; }

    public TextWriter Stderr { get; }

    public IReadOnlyDictionary<string, string> Environment { get; }

    public CliHost Host { get; }

    public bool Json { get; }

    public bool IsSandbox { get; }

    public string? Region { get; }

    public string? EndpointUrl { get; }

    public string? Profile { get; }

    /// <summary>Text output; colours and live progress only on a terminal.</summary>
    public IAnsiConsole Console { get; }

    /// <summary>Progress and prompts only for text output on a terminal.</summary>
    public bool Interactive => Host.StdoutIsTerminal && !Json;

    public void Error(string message)
    {
        lock (_errorGate)
        {
            Stderr.WriteLine(message);
        }
    }

    public void WriteJson(JsonNode document) => Stdout.WriteLine(document.ToJsonString(Indented));

    /// <summary>The KMS client for this run, and the sandbox when --sandbox is set.</summary>
    public async Task<(IAmazonKeyManagementService Kms, Sandbox? Sandbox)> ConnectAsync(CancellationToken ct)
    {
        if (IsSandbox)
        {
            if (EndpointUrl is not null || Profile is not null)
            {
                throw new UsageException("--sandbox runs against an in-process KMS: it cannot be combined with --endpoint-url or --profile.");
            }

            var sandbox = await Sandbox.StartAsync(Host.Time, ct);
            return (sandbox.Kms, sandbox);
        }

        return (Host.KmsClient?.Invoke() ?? CreateKmsClient(), null);
    }

    /// <summary>
    /// The client for CreateKey: the same settings without the SDK's retries, because a retried CreateKey can create a
    /// second key (the engine retries only its throttling). Null where the client is injected or the sandbox runs in process.
    /// </summary>
    public IAmazonKeyManagementService? CreateKeyClient() =>
        IsSandbox || Host.KmsClient is not null ? null : CreateKmsClient(retries: 0);

    /// <summary>
    /// The pacer every KMS request of this run passes through (--kms-request-quotas, else KMS_REQUEST_QUOTAS, else KMS's
    /// defaults); null in the sandbox and with an injected client, which are not paced.
    /// </summary>
    public KmsRequestPacer? Pacer
    {
        get
        {
            if (IsSandbox || Host.KmsClient is not null)
            {
                return null;
            }

            if (_pacer is null)
            {
                var (text, name) = _quotasFlag is not null ? (_quotasFlag, "--kms-request-quotas") : (Get(SettingNames.KmsRequestQuotas), SettingNames.KmsRequestQuotas);
                var problems = new List<string>();
                var quotas = KmsRequestQuotas.Parse(text, name, problems) ?? throw new UsageException(string.Join(" ", problems));
                // On the real clock, whatever clock the run reads: KMS counts its quotas in real seconds.
                _pacer = new KmsRequestPacer(quotas, TimeProvider.System);
            }

            return _pacer;
        }
    }

    /// <summary>
    /// KMS from the standard AWS settings: --region, AWS_REGION, AWS_DEFAULT_REGION or the profile's region; --endpoint-url or
    /// the endpoint variables; credentials from --profile (or AWS_PROFILE), the access key variables, else the SDK's chain.
    /// Every request paced (<see cref="Pacer"/>); standard retry mode as the backstop for throttling that still happens.
    /// </summary>
    private AmazonKeyManagementServiceClient CreateKmsClient(int retries = 10)
    {
        var config = new AmazonKeyManagementServiceConfig { RetryMode = RequestRetryMode.Standard, MaxErrorRetry = retries };
        PacedHttpClientFactory.Apply(config, Pacer!);
        var (region, credentials) = ResolveRegionAndCredentials();
        Uri? endpoint;
        try
        {
            endpoint = EndpointUrl is not null
                ? (Uri.TryCreate(EndpointUrl, UriKind.Absolute, out var flag) && (flag.Scheme == Uri.UriSchemeHttp || flag.Scheme == Uri.UriSchemeHttps)
                    ? flag
                    : throw new UsageException($"--endpoint-url '{EndpointUrl}' is not an http or https URL."))
                : AwsEndpoints.Resolve(Environment, "KMS");
        }
        catch (ArgumentException ex)
        {
            throw new UsageException(ex.Message, ex);
        }

        Place(config, endpoint, region);
        return credentials is null ? new AmazonKeyManagementServiceClient(config) : new AmazonKeyManagementServiceClient(credentials, config);
    }

    /// <summary>
    /// S3 for the escrow bucket, with the same Region and credentials as KMS; AWS_ENDPOINT_URL_S3 or AWS_ENDPOINT_URL
    /// (not --endpoint-url, which names a KMS endpoint) with path-style addressing, as S3-compatible endpoints need.
    /// </summary>
    public IAmazonS3 CreateS3Client()
    {
        if (Host.S3Client is { } injected)
        {
            return injected();
        }

        var config = new AmazonS3Config { RetryMode = RequestRetryMode.Standard, MaxErrorRetry = 5 };
        var (region, credentials) = ResolveRegionAndCredentials();
        Uri? endpoint;
        try
        {
            endpoint = AwsEndpoints.Resolve(Environment, "S3");
        }
        catch (ArgumentException ex)
        {
            throw new UsageException(ex.Message, ex);
        }

        config.ForcePathStyle = endpoint is not null;
        Place(config, endpoint, region);
        return credentials is null ? new AmazonS3Client(config) : new AmazonS3Client(credentials, config);
    }

    private static void Place(ClientConfig config, Uri? endpoint, string? region)
    {
        if (endpoint is not null)
        {
            config.ServiceURL = endpoint.ToString();
            config.AuthenticationRegion = region ?? "us-east-1";
        }
        else if (region is not null)
        {
            config.RegionEndpoint = RegionEndpoint.GetBySystemName(region);
        }
        else
        {
            throw new UsageException("No AWS Region: pass --region, set AWS_REGION, or set a region in your AWS profile.");
        }
    }

    /// <summary>The credentials --profile or the access key variables name; null: the SDK's default chain.</summary>
    public AWSCredentials? Credentials() => ResolveRegionAndCredentials().Credentials;

    /// <summary>--region, AWS_REGION, AWS_DEFAULT_REGION or the profile's region; credentials from --profile (or AWS_PROFILE), the access key variables, else the SDK's chain (null).</summary>
    private (string? Region, AWSCredentials? Credentials) ResolveRegionAndCredentials()
    {
        var region = Region ?? Get("AWS_REGION") ?? Get("AWS_DEFAULT_REGION");
        AWSCredentials? credentials = null;
        var profileName = Profile ?? Get("AWS_PROFILE");
        if (profileName is not null)
        {
            var chain = new CredentialProfileStoreChain();
            if (!chain.TryGetProfile(profileName, out var profile) || !chain.TryGetAWSCredentials(profileName, out credentials))
            {
                throw new UsageException($"The AWS profile '{profileName}' was not found in the AWS config or credentials file, or has no usable credentials.");
            }

            region ??= profile.Region?.SystemName;
        }
        else if (Get("AWS_ACCESS_KEY_ID") is { } accessKey && Get("AWS_SECRET_ACCESS_KEY") is { } secretKey)
        {
            credentials = Get("AWS_SESSION_TOKEN") is { } token
                ? new SessionAWSCredentials(accessKey, secretKey, token)
                : new BasicAWSCredentials(accessKey, secretKey);
        }

        return (region ?? FallbackRegionFactory.GetRegionEndpoint()?.SystemName, credentials);
    }

    private string? Get(string name) => Environment.TryGetValue(name, out var value) && !string.IsNullOrWhiteSpace(value) ? value.Trim() : null;

    /// <summary>
    /// The confirmation a change needs: --yes, or "y" typed on a terminal. Without a terminal and without --yes the
    /// command refuses (exit 2), so a script never hangs on a prompt nor changes keys by accident.
    /// </summary>
    public async Task<bool> ConfirmAsync(bool yes, string question, CancellationToken ct)
    {
        if (yes)
        {
            return true;
        }

        if (!Host.StdinIsTerminal || !Host.StdoutIsTerminal || Json)
        {
            throw new UsageException("This command changes keys and aliases: pass --yes to confirm when stdin is not a terminal (or with --output json).");
        }

        Console.Markup($"{Markup.Escape(question)} [[y/N]] ");
        var answer = await Host.Stdin.ReadLineAsync(ct);
        return answer?.Trim().ToUpperInvariant() is "Y" or "YES";
    }
}
