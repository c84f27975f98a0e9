using Amazon.KeyManagementService;
using Amazon.Runtime.Credentials;
using KeyRotation.Core.Consumers;
using KeyRotation.Core.Configuration;
using KeyRotation.Core.Events;
using KeyRotation.Core.Hooks;
using KeyRotation.Core.KeyMaterial;
using KeyRotation.Core.Retention;
using KeyRotation.Integrations.Clients;
using KeyRotation.Integrations.Consumers;
using KeyRotation.Integrations.Escrow;
using KeyRotation.Integrations.Hooks;

namespace KeyRotation.Integrations.Composition;

/// <summary>
/// The one composition root: builds the rotation engine, the retention runner, the notifier, the pacer and the AWS
/// clients from one <see cref="RotationCompositionOptions"/>. The Lambda handlers, every CLI command and the bench ask
/// it, so the engine's constructor is called in this file only. Building a client can throw
/// <see cref="ArgumentException"/> (a bad endpoint URL), which hosts report as configuration errors.
/// </summary>
public sealed class RotationComposition
{
    private readonly RotationCompositionOptions _options;
    private readonly Lazy<IEscrowStore> _escrowStore;
    private readonly Lazy<IAmazonKeyManagementService?> _createKeyClient;
    private readonly Lazy<ITaggedKeyFinder?> _keyFinder;
    private readonly Lazy<KmsRegionClients?> _regionClients;
    private readonly Lazy<IHookFunctions> _hooks;
    private readonly Lazy<IReadOnlyList<IConsumerSource>> _consumerSources;

    public RotationComposition(RotationCompositionOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _consumerSources = new(BuildConsumerSources);
        if (options.Kms is null)
        {
            // One pacer per container: every KMS request of every alias, and both clients, share its limiters.
            // On the real clock, whatever clock the run reads: KMS counts its quotas in real seconds. The rest of the
            // KMS family is built when the engine is, so the retention runner needs no more than KMS.
            var pacer = options.Pacer ?? new KmsRequestPacer(options.Quotas, TimeProvider.System);
            Pacer = pacer;
            Kms = AwsClients.CreateKms(options.Environment, pacer);
            _createKeyClient = new(() => AwsClients.CreateKms(options.Environment, pacer, retries: 0));
            _keyFinder = new(() => options.KeyFinder ?? AwsClients.CreateKeyFinder(options.Environment));
            _regionClients = new(() => options.RegionClients ?? AwsClients.CreateKmsRegions(options.Environment));
        }
        else
        {
            Pacer = options.Pacer;
            Kms = options.Kms;
            _createKeyClient = new(options.CreateKeyClient);
            _keyFinder = new(options.KeyFinder);
            _regionClients = new(options.RegionClients);
        }

        Notifier = options.Notifier
            ?? (options.NotificationTopicArn is { } topic ? AwsClients.CreateNotifier(options.Environment, topic) : null);
        _escrowStore = new(() => new S3EscrowStore(options.S3 ?? AwsClients.CreateS3(options.Environment)));

        // Built even when no hook is configured: an alias's own tag may name one (docs/hooks.md). Nothing is sent until then.
        var lambdaEndpoint = AwsEndpoints.Resolve(options.Environment, "LAMBDA");
        _hooks = new(() => options.HookFunctions ?? LambdaInvokeClient.CreateDefault(lambdaEndpoint));
        var sink = options.EventSink ?? (options.Events.Enabled ? AwsClients.CreateEventSink(options.Environment, options.Events) : null);
        Events = sink is null ? null : new LifecycleEventPublisher(sink, options.Log);
    }

    public IAmazonKeyManagementService Kms { get; }

    public IAmazonKeyManagementService? CreateKeyClient => _createKeyClient.Value;

    public ITaggedKeyFinder? KeyFinder => _keyFinder.Value;

    public KmsRegionClients? RegionClients => _regionClients.Value;

    public KmsRequestPacer? Pacer { get; }

    /// <summary>The supplied notifier, else one publishing to the options' topic; null: neither is configured.</summary>
    public IRotationNotifier? Notifier { get; }

    /// <summary>What invokes the move hooks: the supplied one, else Lambda Invoke (AWS_ENDPOINT_URL_LAMBDA, then AWS_ENDPOINT_URL).</summary>
    public IHookFunctions HookFunctions => _hooks.Value;

    /// <summary>Where the engine, the retention runner and a rollback put lifecycle events; null: events are off.</summary>
    public LifecycleEventPublisher? Events { get; }

    /// <summary>The escrow store over the options' S3 client (else one from the environment), built on first use.</summary>
    public IEscrowStore EscrowStore => _escrowStore.Value;

    /// <summary>The rotation engine over this composition's clients, with <paramref name="options"/>.</summary>
    public RotationEngine Engine(RotationOptions options, IKeyMaterialImporter? importer = null) =>
        Engine(Kms, Notifier ?? throw new InvalidOperationException("The rotation engine needs a notifier or a notification topic."), options, _options.Time, _options.Log, importer, CreateKeyClient, KeyFinder, RegionClients, Pacer, HookFunctions, Events);

    /// <summary>
    /// The retention runner over this composition's KMS client, notifier and replica Region clients (for replicas' last
    /// use); with <see cref="RetentionSettings.CheckConsumers"/>, also the consumer inventory of this account and Region.
    /// </summary>
    public RetentionRunner Retention(RetentionSettings settings, IEscrowStore? escrowStore)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return new(Kms, escrowStore, settings, Notifier, _options.Time, _options.Log, RegionClients, Events, settings.CheckConsumers ? ConsumerCheck() : null);
    }

    /// <summary>Retention's consumer inventory over <see cref="ConsumerSources"/>.</summary>
    public RetirementConsumerCheck ConsumerCheck() => new(Kms, ConsumerSources);

    /// <summary>
    /// What retention's consumer inventory (and the retention function's report) scans: the host's sources, else
    /// <see cref="ConsumerComposition"/>'s account-wide sources (no S3 objects) over the supplied clients or ones built
    /// from the environment with the default credentials (the function's role) in its Region. Built on first use, which
    /// only RETIRE_CHECK_CONSUMERS brings, so the function otherwise holds no consumer client at all.
    /// </summary>
    public IReadOnlyList<IConsumerSource> ConsumerSources => _consumerSources.Value;

    private IReadOnlyList<IConsumerSource> BuildConsumerSources()
    {
        if (_options.ConsumerSources is { } sources)
        {
            return sources;
        }

        var clients = _options.ConsumerClients ?? ConsumerClients.Create(
            DefaultAWSCredentialsIdentityResolver.GetCredentials(),
            _options.Environment.GetValueOrDefault("AWS_REGION") is { Length: > 0 } region ? region : throw new ArgumentException("No AWS Region is configured (AWS_REGION) for the consumer inventory."),
            _options.Environment);
        return ConsumerComposition.Sources(clients, new ConsumerScanOptions(), _options.ConsumerPacer ?? new ConsumerRequestPacer(ConsumerRequestRates.Defaults, TimeProvider.System));
    }

    /// <summary>
    /// The engine from explicit parts, the parameters of its constructor: for tests and harnesses that drive one
    /// engine over hand-built doubles.
    /// </summary>
    public static RotationEngine Engine(
        IAmazonKeyManagementService kms,
        IRotationNotifier notifier,
        RotationOptions options,
        TimeProvider time,
        IRotationLog log,
        IKeyMaterialImporter? importer = null,
        IAmazonKeyManagementService? createKeyClient = null,
        ITaggedKeyFinder? keyFinder = null,
        KmsRegionClients? regionClients = null,
        KmsRequestPacer? pacer = null,
        IHookFunctions? hooks = null,
        LifecycleEventPublisher? events = null) =>
        new RotationEngine(kms, notifier, options, time, log, importer, createKeyClient, keyFinder, regionClients, pacer, hooks, events);
}
