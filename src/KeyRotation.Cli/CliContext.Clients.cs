using Amazon.KeyManagementService;
using Amazon.Runtime;
using KeyRotation.Cli.Targets;
using KeyRotation.Core;
using KeyRotation.Core.Configuration;
using KeyRotation.Core.KeyMaterial;
using KeyRotation.Core.Pacing;
using KeyRotation.Core.Tagging;
using KeyRotation.Integrations.Clients;
using KeyRotation.Integrations.Escrow;
using KeyRotation.LocalKms;

namespace KeyRotation.Cli;

/// <summary>The AWS clients of one command run: KMS and its pacer, the tagging finder, the replica Regions, the escrow store and the credentials they share.</summary>
internal sealed partial class CliContext
{
    private KmsRequestPacer? _pacer;
    private AwsSettings? _aws;
    private AWSCredentials? _credentials;

    /// <summary>The KMS client for this run, and the sandbox when --sandbox is set.</summary>
    public async Task<(IAmazonKeyManagementService Kms, Sandbox? Sandbox)> ConnectAsync(CancellationToken ct)
    {
        if (IsSandbox)
        {
            if (EndpointUrl is not null || Profile is not null || Targets.Any)
            {
                throw new UsageException("--sandbox runs against an in-process KMS: it cannot be combined with --endpoint-url, --profile, --role-arn or --accounts.");
            }

            var file = SandboxState?.FullName ?? (Host.DataDirectory is { } directory ? Path.Combine(directory, "sandbox.json") : null);
            var sandbox = await WaitAsync("Preparing the sandbox", () => Sandbox.StartAsync(Host.Time, file is null ? null : new LocalKmsStateFile(file), SandboxReset, ct));
            _sandboxStarted(sandbox);
            _sandbox = sandbox;
            if (sandbox.StatePath is { } path)
            {
                Error($"Sandbox state: {path} ({(sandbox.Continued ? "continued from the last command" : "new, from the seed")}; --sandbox-reset starts again).");
                if (!sandbox.Continued && sandbox.Escrow.PrivateKeyPath is { } privateKey)
                {
                    Error($"Sandbox escrow key pair for {Sandbox.Imported}: {privateKey} (private; reimport in the sandbox uses it) and escrow-public-key.pem beside it.");
                }

                if (sandbox.CiphertextsSeeded is { } ciphertexts) { Error(ciphertexts); }
            }

            return (sandbox.Kms, sandbox);
        }

        if (SandboxState is not null || SandboxReset)
        {
            throw new UsageException("--sandbox-state and --sandbox-reset apply to the sandbox only: add --sandbox.");
        }

        if (Targets.AccountsFile is not null)
        {
            throw new UsageException("--accounts works with status, plan, rotate and rollback; for this command, reach one account with --role-arn.");
        }

        if (Host.KmsClient is { } injected)
        {
            return (injected(), null);
        }

        var aws = Aws;
        await WaitAsync($"Connecting to KMS ({aws.KmsEndpoint?.ToString() ?? aws.Region})", () => aws.CheckAsync(ct));
        return (aws.CreateKms(Pacer), null);
    }

    /// <summary>
    /// The client for CreateKey: the same settings without the SDK's retries, because a retried CreateKey can create a
    /// second key (the engine retries only its throttling). Null where the client is injected or the sandbox runs in process.
    /// </summary>
    public IAmazonKeyManagementService? CreateKeyClient() =>
        IsSandbox || Host.KmsClient is not null ? null : Aws.CreateKms(Pacer, retries: 0);

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

            return _pacer ??= NewPacer();
        }
    }

    /// <summary>
    /// A pacer of its own for another account or Region (KMS's quotas hold per account and Region), at the same rates
    /// as <see cref="Pacer"/>; null where that is null.
    /// </summary>
    public KmsRequestPacer? TargetPacer() => IsSandbox || Host.KmsClient is not null ? null : NewPacer();

    private KmsRequestPacer NewPacer()
    {
        var (text, name) = _quotasFlag is not null ? (_quotasFlag, "--kms-request-quotas") : (Environment.GetValueOrDefault(SettingNames.KmsRequestQuotas), SettingNames.KmsRequestQuotas);
        var problems = new List<string>();
        var quotas = KmsRequestQuotas.Parse(text, name, problems) ?? throw new UsageException(string.Join(" ", problems));
        // On the real clock, whatever clock the run reads: KMS counts its quotas in real seconds.
        return new KmsRequestPacer(quotas, TimeProvider.System);
    }

    /// <summary>
    /// The Resource Groups Tagging client that finds a key a crashed run created: the sandbox's own service in process;
    /// else in the KMS Region, at AWS_ENDPOINT_URL_RESOURCE_GROUPS_TAGGING_API (or AWS_ENDPOINT_URL), else at
    /// --endpoint-url (a local KMS endpoint such as LocalKms answers it too), else the Region's tagging endpoint.
    /// Null where the KMS client is injected.
    /// </summary>
    public ITaggedKeyFinder? KeyFinder(Sandbox? sandbox)
    {
        if (sandbox is not null)
        {
            return AwsClients.CreateKeyFinder(new LocalKmsHttpMessageHandler(sandbox.Service), sandbox.Service.Region, Host.Time);
        }

        if (Host.KmsClient is not null)
        {
            return null;
        }

        var aws = Aws;
        return AwsClients.CreateKeyFinder(Environment, aws.Region, EndpointUrl is null ? null : new Uri(EndpointUrl), Credentials(), Host.Time);
    }

    /// <summary>
    /// KMS clients for the replica Regions of multi-Region keys: the sandbox's other Regions in process, the injected
    /// factory in tests, else the same settings as KMS (--endpoint-url, credentials) signed for each Region.
    /// </summary>
    public KmsRegionClients? RegionClients(Sandbox? sandbox) =>
        sandbox is not null ? new KmsRegionClients(region => sandbox.Service.CreateClient(region))
        : Host.KmsClient is not null ? (Host.KmsClientForRegion is { } forRegion ? new KmsRegionClients(forRegion) : null)
        : new KmsRegionClients(region => Aws.CreateKmsIn(region));

    /// <summary>The escrow bucket over S3: the injected client in tests, else one with the same Region and credentials as KMS.</summary>
    public IEscrowStore CreateEscrowStore() => new S3EscrowStore(Host.S3Client?.Invoke() ?? Aws.CreateS3());

    /// <summary>The credentials KMS uses (--profile, the access key variables, or the SDK's chain), for S3 and SNS too.</summary>
    public AWSCredentials Credentials() => _aws?.Credentials ?? (Targets.Role is not null ? Aws.Credentials : _credentials ??= AwsSettings.ResolveCredentials(Profile, Environment, Host.DefaultCredentials).Credentials);

    /// <summary>The AWS settings, resolved on first use and then kept: one check per command. With --role-arn, the role's credentials.</summary>
    private AwsSettings Aws => _aws ??= AssumeRole(AwsSettings.Resolve(Region, EndpointUrl, Profile, Environment, Host.DefaultCredentials));

    private AwsSettings AssumeRole(AwsSettings own) =>
        Targets.Role is { } role ? own.WithCredentials(new AssumedRoleCredentials(own.Credentials, role, own.Region, Environment)) : own;
}
