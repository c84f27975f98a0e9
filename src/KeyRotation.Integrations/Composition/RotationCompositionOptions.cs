using Amazon.KeyManagementService;
using Amazon.S3;
using KeyRotation.Core.Configuration;
using KeyRotation.Core.Events;

namespace KeyRotation.Integrations.Composition;

/// <summary>
/// Everything <see cref="RotationComposition"/> builds from: the AWS settings (Region and endpoint variables), the
/// request quotas, the clock and the log, plus the parts a host already has. A host that supplies <see cref="Kms"/>
/// (the CLI, which builds its clients from its own options and profiles; a sandbox; tests) gets exactly the parts it
/// supplies; without it, KMS, the no-retry CreateKey client, the tagging finder, the replica-Region clients and the
/// pacer are all built from <see cref="Environment"/>, as the Lambda function needs.
/// </summary>
public sealed record RotationCompositionOptions
{
    /// <summary>The standard AWS variables (AWS_REGION, AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_&lt;SERVICE&gt;, ...).</summary>
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();

    /// <summary>The KMS request quotas the built pacer keeps to.</summary>
    public KmsRequestQuotas Quotas { get; init; } = KmsRequestQuotas.Default;

    /// <summary>The clock the engine and the retention runner read (the pacer always counts real seconds).</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;

    public IRotationLog Log { get; init; } = NullRotationLog.Instance;

    /// <summary>The topic the built notifier publishes to; used only when <see cref="Notifier"/> is null.</summary>
    public string? NotificationTopicArn { get; init; }

    /// <summary>KMS; null: built from <see cref="Environment"/> along with the rest of the KMS family.</summary>
    public IAmazonKeyManagementService? Kms { get; init; }

    /// <summary>The client CreateKey goes through (no blind retries); null with <see cref="Kms"/> supplied: <see cref="Kms"/>.</summary>
    public IAmazonKeyManagementService? CreateKeyClient { get; init; }

    public IRotationNotifier? Notifier { get; init; }

    public ITaggedKeyFinder? KeyFinder { get; init; }

    public KmsRegionClients? RegionClients { get; init; }

    public KmsRequestPacer? Pacer { get; init; }

    /// <summary>What invokes the move hooks (the sandbox's and the tests' in-process hooks); null: Lambda Invoke from <see cref="Environment"/>.</summary>
    public Core.Hooks.IHookFunctions? HookFunctions { get; init; }
    /// <summary>Where lifecycle events go; with <see cref="EventSink"/> null and events on, an EventBridge sink is built from <see cref="Environment"/>.</summary>
    public EventSettings Events { get; init; } = EventSettings.None;

    /// <summary>The sink lifecycle events go to (a sandbox's recorder, a test's double), whatever <see cref="Events"/> says.</summary>
    public ILifecycleEventSink? EventSink { get; init; }

    /// <summary>The escrow store; null: built from <see cref="Environment"/> when first asked for.</summary>
    public IAmazonS3? S3 { get; init; }

    /// <summary>
    /// What retention's consumer inventory scans (RETIRE_CHECK_CONSUMERS): a host's own set of sources (the CLI's, the
    /// sandbox's), else the sources of <see cref="ConsumerClients"/>, else of clients built from <see cref="Environment"/>.
    /// </summary>
    public IReadOnlyList<Core.Consumers.IConsumerSource>? ConsumerSources { get; init; }

    /// <summary>The consumer services' clients retention's inventory builds its sources on; null: built from <see cref="Environment"/>.</summary>
    public Consumers.ConsumerClients? ConsumerClients { get; init; }

    /// <summary>The pacing of those sources; null: <see cref="Core.Consumers.ConsumerRequestRates.Defaults"/> on the real clock.</summary>
    public Core.Consumers.ConsumerRequestPacer? ConsumerPacer { get; init; }
}
