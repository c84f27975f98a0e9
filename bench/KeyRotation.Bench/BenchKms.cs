using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using Amazon.Runtime;
using KeyRotation.Core;
using KeyRotation.Core.Pacing;
using KeyRotation.LocalKms;

namespace KeyRotation.Bench;

/// <summary>
/// LocalKms in process on 127.0.0.1, seeded without quotas or latency (seeding does not count), then switched to KMS's
/// quotas (scaled by <see cref="TimeScale"/> for the continuation run) and the per-call latency. Counts the requests per
/// operation at the server, so calls per rotation are observed rather than assumed.
/// </summary>
internal sealed class BenchKms : IAsyncDisposable
{
    private readonly LocalKmsServer _server;
    private readonly AmazonKeyManagementServiceClient _seeder;

    public BenchKms(double timeScale)
    {
        TimeScale = timeScale;
        Service = new LocalKmsService(new LocalKmsOptions { Region = "us-east-1" });
        _server = LocalKmsServer.Start(Service);
        _seeder = new AmazonKeyManagementServiceClient(new BasicAWSCredentials("bench", "bench"), new AmazonKeyManagementServiceConfig { ServiceURL = Url.ToString(), AuthenticationRegion = "us-east-1" });
    }

    public LocalKmsService Service { get; }

    public Uri Url => _server.Url;

    /// <summary>Simulated seconds per real second: quotas are multiplied and latency divided by it.</summary>
    public double TimeScale { get; }

    /// <summary>The quotas the run is held to, in simulated time (KMS's defaults).</summary>
    public static KmsRequestQuotas Quotas => KmsRequestQuotas.Default;

    /// <summary>KMS_REQUEST_QUOTAS for the client: the defaults in real time (times the scale).</summary>
    public string ClientQuotas => string.Join(',', Quotas.Rates.Select(r => FormattableString.Invariant($"{r.Key}={r.Value * TimeScale}")));

    /// <summary>Creates a key and an alias for each name, 8 at a time, without quotas or latency.</summary>
    public async Task SeedAsync(IReadOnlyList<string> aliases)
    {
        Service.EnforceQuotas = false;
        Service.Latency = TimeSpan.Zero;
        await Parallel.ForEachAsync(aliases, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (alias, ct) =>
        {
            var key = await _seeder.CreateKeyAsync(new CreateKeyRequest { Description = "bench " + alias, Tags = [new Tag { TagKey = "team", TagValue = "bench" }] }, ct);
            await _seeder.CreateAliasAsync(new CreateAliasRequest { AliasName = alias, TargetKeyId = key.KeyMetadata.KeyId }, ct);
        });
    }

    /// <summary>Quotas and latency on, counters cleared: what follows is measured.</summary>
    public void StartMeasuring(TimeSpan latency)
    {
        foreach (var (operation, rate) in Quotas.Rates)
        {
            Service.SetQuota(operation, rate * TimeScale);
        }

        Service.Latency = latency / TimeScale;
        Service.ClearRecordedRequests();
        _throttledBefore = Quotas.Rates.Keys.ToDictionary(op => op, Service.ThrottledCount, StringComparer.Ordinal);
        Service.EnforceQuotas = true;
    }

    private Dictionary<string, int> _throttledBefore = [];

    /// <summary>Requests per operation since <see cref="StartMeasuring"/>, throttled ones included.</summary>
    public Dictionary<string, int> Calls() =>
        Service.RecordedRequests.GroupBy(r => r.Operation).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);

    public int Throttled() => Quotas.Rates.Keys.Sum(op => Service.ThrottledCount(op) - _throttledBefore.GetValueOrDefault(op));

    /// <summary>For each alias, how many keys this tool created for it (exactly once: 1).</summary>
    public Dictionary<string, int> KeysCreatedPerAlias() =>
        Service.ListKeySnapshots()
            .Where(k => k.Tags.ContainsKey(RotationTags.PreviousKey) && k.Tags.ContainsKey(RotationTags.Alias))
            .GroupBy(k => k.Tags[RotationTags.Alias])
            .ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);

    public async ValueTask DisposeAsync()
    {
        _seeder.Dispose();
        await _server.DisposeAsync();
    }
}
