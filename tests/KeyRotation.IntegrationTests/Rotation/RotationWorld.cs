using System.Text;
using System.Text.Json;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using Amazon.Runtime;
using KeyRotation.Core;
using KeyRotation.Core.Configuration;
using KeyRotation.Core.Notifications;
using KeyRotation.Integrations.Notifications;
using KeyRotation.Integrations.Tagging;
using KeyRotation.Function;
using KeyRotation.LocalKms;
using Microsoft.Extensions.Time.Testing;

namespace KeyRotation.IntegrationTests.Rotation;

/// <summary>
/// One account and Region: the local KMS endpoint, the real SDK client, the real SNS Publish client against an
/// SNS double, and the real handler composed from them, all on one fake clock.
/// </summary>
internal sealed class RotationWorld : IDisposable
{
    public const string TopicArn = "arn:aws:sns:us-east-1:111122223333:key-rotation";
    public const string Policy = """{"Version":"2012-10-17","Id":"orders","Statement":[{"Sid":"Admin","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"}]}""";

    /// <summary>Long enough for a claim of a run that died to expire (the function's default timeout plus the margin).</summary>
    public static readonly TimeSpan ClaimExpiry = new RotationOptions().ClaimTimeout + TimeSpan.FromMinutes(1);

    public RotationWorld(Action<AmazonKeyManagementServiceConfig>? configure = null)
    {
        Kms = new LocalKmsService(new LocalKmsOptions(), Time);
        void Configure(AmazonKeyManagementServiceConfig config)
        {
            config.RetryMode = RequestRetryMode.Standard;
            config.MaxErrorRetry = 10;
            configure?.Invoke(config);
        }

        Client = Kms.CreateClient(Configure);
        RegionClients = new KmsRegionClients(region => Kms.CreateClient(region, Configure));
        var topic = NotificationTopicArn.Parse(TopicArn);
        var sns = new SnsPublishClient(
            new HttpClient(Sns),
            SnsClientOptions.ForTopic(topic) with { BaseRetryDelay = TimeSpan.Zero, MaxAttempts = 1 },
            new BasicAWSCredentials("test", "test"),
            Time);
        Notifier = new SnsRotationNotifier(sns, topic);
    }

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 12, 1, 3, 0, 0, TimeSpan.Zero));

    public LocalKmsService Kms { get; }

    /// <summary>The Resource Groups Tagging client, pointed at the same LocalKms (which answers GetResources for its keys).</summary>
    public ResourceTaggingClient KeyFinder => LocalTagging.Finder(Kms, Time);

    public AmazonKeyManagementServiceClient Client { get; }

    /// <summary>Clients for the other Regions of the same LocalKms (multi-Region keys), configured as <see cref="Client"/>.</summary>
    public KmsRegionClients RegionClients { get; }

    public FakeSns Sns { get; } = new();

    public SnsRotationNotifier Notifier { get; }

    /// <summary>The move hooks every invocation reaches (in process; the Lambda transport has tests of its own).</summary>
    public ScriptedHooks Hooks { get; } = new();

    /// <summary>Where the handlers put lifecycle events; null: where the environment says (nowhere without EVENT_BUS_NAME).</summary>
    public Core.Events.ILifecycleEventSink? EventSink { get; set; }

    private readonly StringWriter _log = new();

    /// <summary>Where the handlers write their log lines; synchronized because concurrent invocations share it.</summary>
    public TextWriter Output => field ??= TextWriter.Synchronized(_log);

    /// <summary>Every log line written so far.</summary>
    public string Logs
    {
        get
        {
            lock (Output)
            {
                return _log.ToString();
            }
        }
    }

    public Dictionary<string, string> Environment { get; } = new(StringComparer.Ordinal)
    {
        [SettingNames.NotificationTopicArn] = TopicArn,
        [SettingNames.MinKeyAgeHours] = "24",
    };

    /// <summary>Creates a key with a policy, a description and user tags, and an alias for it; then lets 30 days pass.</summary>
    public async Task<KeyMetadata> CreateAliasedKeyAsync(string alias, KeySpec? spec = null, KeyUsageType? usage = null, bool multiRegion = false, OriginType? origin = null)
    {
        var created = await Client.CreateKeyAsync(new CreateKeyRequest
        {
            Description = $"Key behind {alias}",
            KeySpec = spec ?? KeySpec.SYMMETRIC_DEFAULT,
            KeyUsage = usage ?? KeyUsageType.ENCRYPT_DECRYPT,
            Policy = Policy,
            MultiRegion = multiRegion,
            Origin = origin ?? OriginType.AWS_KMS,
            Tags = [new Tag { TagKey = "team", TagValue = "payments" }, new Tag { TagKey = "cost-centre", TagValue = "cc-42" }],
        });
        await Client.CreateAliasAsync(new CreateAliasRequest { AliasName = alias, TargetKeyId = created.KeyMetadata.KeyId });
        Time.Advance(TimeSpan.FromDays(30));
        return created.KeyMetadata;
    }

    /// <summary>Invokes the real handler (built per invocation, as a new container would be) with a JSON event.</summary>
    public Task<JsonElement> InvokeAsync(string json, params string[] aliases)
    {
        if (aliases.Length > 0)
        {
            Environment[SettingNames.RotationAliases] = string.Join(',', aliases);
        }

        return InvokeAsync(Client, json);
    }

    /// <summary>Invokes the real handler with its own KMS client (for example one whose calls a test holds up).</summary>
    public async Task<JsonElement> InvokeAsync(IAmazonKeyManagementService client, string json)
    {
        var handler = new Handler(Environment, client, Notifier, Time, Output, keyFinder: KeyFinder, regionClients: RegionClients, hooks: Hooks, eventSink: EventSink);
        using var input = new MemoryStream(Encoding.UTF8.GetBytes(json));
        await using var output = await handler.HandleAsync(input);
        return (await JsonDocument.ParseAsync(output)).RootElement.Clone();
    }

    public LocalKmsKeySnapshot Key(string keyIdOrAlias) =>
        Kms.GetKeySnapshot(keyIdOrAlias) ?? throw new InvalidOperationException($"No key {keyIdOrAlias}");

    /// <summary>Keys this tool created for the alias.</summary>
    public IReadOnlyList<LocalKmsKeySnapshot> CreatedFor(string alias) =>
        [.. Kms.ListKeySnapshots().Where(k => k.Tags.TryGetValue(RotationTags.Alias, out var a) && a == alias && k.Tags.ContainsKey(RotationTags.PreviousKey))];

    public void Dispose()
    {
        Client.Dispose();
        Sns.Dispose();
        _log.Dispose();
    }
}
