using System.Globalization;
using System.Text;
using System.Text.Json;
using Amazon.KeyManagementService;
using Amazon.Runtime;
using KeyRotation.Function;
using KeyRotation.LocalKms;

namespace KeyRotation.Testing.Soak;

/// <summary>
/// One account for one seed: LocalKms on 127.0.0.1 (no quotas, faults on cue), the SNS and SQS doubles on 127.0.0.1,
/// and the Lambda handler built from an environment dictionary only, so its KMS, tagging, SNS and SQS clients are the
/// ones Lambda builds, pointed at those endpoints through the standard AWS_ENDPOINT_URL_* variables. Nothing here
/// reaches inside the engine: the handler's event and response, and KMS through the SDK, are the whole surface.
/// The handler's clients read credentials and the Region from the process (AWS_ACCESS_KEY_ID, AWS_REGION), as in Lambda.
/// </summary>
internal sealed class SoakWorld : IAsyncDisposable
{
    public const string AliasPrefix = "alias/soak/";
    public const string Region = "us-east-1";
    public const string TopicArn = "arn:aws:sns:us-east-1:111122223333:soak";

    /// <summary>The slot every run of the period names: the same scheduled time, so each alias may move once.</summary>
    public const string ScheduledEvent = """{"trigger":"schedule","scheduledTime":"2026-12-31T03:00:00Z"}""";

    /// <summary>The function's maximum when the soak cuts a run off: the rest goes to the continuation queue.</summary>
    private const string CutOffTimeoutSeconds = "60";

    /// <summary>The operations KMS_REQUEST_QUOTAS names (docs/configuration.md).</summary>
    private static readonly string[] PacedOperations =
    [
        "CancelKeyDeletion", "CreateAlias", "CreateGrant", "CreateKey", "DeleteAlias", "DeleteImportedKeyMaterial",
        "DescribeKey", "DisableKey", "EnableKey", "GetKeyPolicy", "GetKeyRotationStatus", "GetParametersForImport",
        "ImportKeyMaterial", "ListAliases", "ListGrants", "ListKeys", "ListResourceTags", "PutKeyPolicy",
        "ScheduleKeyDeletion", "TagResource", "UntagResource", "UpdateAlias"
    ];

    private readonly LocalKmsServer _kmsServer;
    private readonly FakeSnsServer _snsServer;
    private readonly int _maxConcurrency;

    public SoakWorld(int maxConcurrency)
    {
        _maxConcurrency = maxConcurrency;
        Kms = new LocalKmsService(new LocalKmsOptions { Region = Region }, Clock) { EnforceQuotas = false };
        _kmsServer = LocalKmsServer.Start(Kms);
        _snsServer = new FakeSnsServer(Sns);
        Client = new AmazonKeyManagementServiceClient(
            new BasicAWSCredentials("soak", "soak"),
            new AmazonKeyManagementServiceConfig { ServiceURL = _kmsServer.Url.ToString(), AuthenticationRegion = Region, RetryMode = RequestRetryMode.Standard, MaxErrorRetry = 10 });
    }

    public SoakClock Clock { get; } = new();

    public LocalKmsService Kms { get; }

    /// <summary>The soak's own KMS client (seeding and the invariant checker), through the SDK like any caller.</summary>
    public AmazonKeyManagementServiceClient Client { get; }

    public FakeSns Sns { get; } = new();

    public FakeSqs Sqs { get; } = new(maxReceiveCount: 10);

    /// <summary>The function's configuration as the template sets it, plus the endpoints of this world.</summary>
    public Dictionary<string, string> Environment(bool cutOff = false)
    {
        var kms = _kmsServer.Url.ToString();
        var environment = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["ROTATION_ALIASES"] = AliasPrefix + "*",
            ["NOTIFICATION_TOPIC_ARN"] = TopicArn,
            ["MIN_KEY_AGE_HOURS"] = "0",
            ["MAX_CONCURRENCY"] = _maxConcurrency.ToString(CultureInfo.InvariantCulture),
            ["CONTINUATION_QUEUE_URL"] = Sqs.QueueUrl.ToString(),

            // LocalKms enforces no quotas here, and the soak is about faults, not pacing: the client may go fast.
            ["KMS_REQUEST_QUOTAS"] = string.Join(',', PacedOperations.Select(op => op + "=10000")),
            ["AWS_REGION"] = Region,
            ["AWS_ENDPOINT_URL_KMS"] = kms,
            ["AWS_ENDPOINT_URL_RESOURCE_GROUPS_TAGGING_API"] = kms,
            ["AWS_ENDPOINT_URL_SNS"] = _snsServer.Url.ToString(),
            ["AWS_ENDPOINT_URL_SQS"] = Sqs.Url.ToString(),
        };
        if (cutOff)
        {
            environment["FUNCTION_TIMEOUT_SECONDS"] = CutOffTimeoutSeconds;
        }

        return environment;
    }

    /// <summary>
    /// One invocation of a new container (a handler built from <see cref="Environment"/>), on <paramref name="clock"/>
    /// (default: <see cref="Clock"/>): the answer, or the exception it ended with, and its log lines (which carry the
    /// response even when the invocation fails).
    /// </summary>
    public async Task<SoakRun> InvokeAsync(string label, string json, bool cutOff = false, TimeProvider? clock = null)
    {
        using var log = new StringWriter(CultureInfo.InvariantCulture);
        var output = TextWriter.Synchronized(log);
        var handler = new Handler(Environment(cutOff), null, null, clock ?? Clock, output);
        var started = System.Diagnostics.Stopwatch.StartNew();
        try
        {
            using var input = new MemoryStream(Encoding.UTF8.GetBytes(json));
            await using var answer = await handler.HandleAsync(input);
            using var document = await JsonDocument.ParseAsync(answer);
            return SoakRun.Of(label, document.RootElement.Clone(), null, log.ToString()) with { Elapsed = started.Elapsed };
        }
#pragma warning disable CA1031 // Whatever the invocation ends with is what the soak records and judges.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            return SoakRun.Of(label, null, ex, log.ToString()) with { Elapsed = started.Elapsed };
        }
    }

    /// <summary>
    /// Plays the SQS event source until the queue is empty: batches of 10, each handled by a new container; with
    /// probability <paramref name="redeliver"/> a batch is handled twice before it is deleted (SQS's at-least-once).
    /// </summary>
    public async Task<(List<SoakRun> Runs, int Redelivered)> DrainQueueAsync(Random random, double redeliver)
    {
        var runs = new List<SoakRun>();
        var redelivered = 0;
        for (var round = 0; Sqs.Messages.Count > 0 && round < 1000; round++)
        {
            var (json, batch) = Sqs.Receive(10);
            var run = await InvokeAsync("continuation", json);
            runs.Add(run);
            if (random.NextDouble() < redeliver)
            {
                runs.Add(await InvokeAsync("redelivered continuation", json));
                redelivered++;
            }

            if (run.Answer is { } answer)
            {
                Sqs.Complete(batch, answer);
            }
        }

        return (runs, redelivered);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Sqs.DisposeAsync();
        await _snsServer.DisposeAsync();
        await _kmsServer.DisposeAsync();
        Sns.Dispose();
    }
}
