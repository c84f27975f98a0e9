using System.Text.Json.Nodes;
using Amazon.KeyManagementService;

namespace KeyRotation.LocalKms;

/// <summary>
/// In-memory, thread-safe KMS that speaks the JSON 1.1 wire protocol ("TrentService.*" targets).
/// Both hosting modes (in-process handler, loopback server) call <see cref="HandleAsync(string?, string?, string?, CancellationToken)"/>.
/// </summary>
public sealed partial class LocalKmsService
{
    private readonly Lock _state = new();
    private readonly Dictionary<string, RegionState> _regions = new(StringComparer.Ordinal);

    // The Region a call is served in (see EnterRegion): its keys, aliases and import tokens.
    private RegionState _region;
    private Dictionary<string, KmsKey> _keys;
    private Dictionary<string, KmsAlias> _aliases;
    private Dictionary<string, ImportToken> _importTokens;
    private readonly Lock _recordGate = new();
    private readonly List<LocalKmsRecordedRequest> _recorded = [];
    private readonly Dictionary<string, int> _throttled = new(StringComparer.Ordinal);
    private readonly RequestQuotas _quotas;
    private readonly TimeProvider _time;
    private long _latencyTicks;
    private volatile bool _enforceQuotas;

    /// <summary>Creates an empty KMS for one account and region.</summary>
    public LocalKmsService(LocalKmsOptions? options = null, TimeProvider? timeProvider = null)
    {
        options ??= new LocalKmsOptions();
        AccountId = options.AccountId;
        Region = options.Region;
        _enforceQuotas = options.EnforceQuotas;
        _latencyTicks = options.Latency.Ticks;
        _quotas = new RequestQuotas(options.QuotaOverrides);
        _time = timeProvider ?? TimeProvider.System;
        _trackingStartDate = options.TrackingStartDate ?? DefaultTrackingStartDate;
        _region = new RegionState(Region);
        _regions.Add(Region, _region);
        (_keys, _aliases, _importTokens) = (_region.Keys, _region.Aliases, _region.ImportTokens);
    }

    /// <summary>Account id in ARNs.</summary>
    public string AccountId { get; }

    /// <summary>Default Region: in ARNs, and for requests whose Authorization header names no Region.</summary>
    public string Region { get; }

    /// <summary>Fault injection and per-operation call counts.</summary>
    public LocalKmsFaults Faults { get; } = new();

    /// <summary>Throttle with ThrottlingException beyond the per-operation request quotas.</summary>
    public bool EnforceQuotas
    {
        get => _enforceQuotas;
        set => _enforceQuotas = value;
    }

    /// <summary>Delay added to every call, measured on the service's TimeProvider.</summary>
    public TimeSpan Latency
    {
        get => TimeSpan.FromTicks(Interlocked.Read(ref _latencyTicks));
        set => Interlocked.Exchange(ref _latencyTicks, value.Ticks);
    }

    /// <summary>Called with the operation name each time a request is throttled (for example to advance a fake clock).</summary>
    public Action<string>? OnThrottled { get; set; }

    /// <summary>Every request received so far, in arrival order.</summary>
    public IReadOnlyList<LocalKmsRecordedRequest> RecordedRequests
    {
        get
        {
            lock (_recordGate)
            {
                return [.. _recorded];
            }
        }
    }

    /// <summary>Sets the request quota (per second) of an operation, or of the group "CryptographicOperations".</summary>
    public void SetQuota(string operation, double requestsPerSecond) => _quotas.SetRate(operation, requestsPerSecond);

    /// <summary>How many requests of <paramref name="operation"/> were throttled.</summary>
    public int ThrottledCount(string operation)
    {
        lock (_recordGate)
        {
            return _throttled.GetValueOrDefault(operation);
        }
    }

    /// <summary>Forgets recorded requests.</summary>
    public void ClearRecordedRequests()
    {
        lock (_recordGate)
        {
            _recorded.Clear();
        }
    }

    /// <summary>
    /// Handles one wire request. <paramref name="target"/> is the X-Amz-Target header value
    /// ("TrentService.CreateKey"). Exceptions injected with <see cref="LocalKmsFaults.ThrowNth"/> propagate.
    /// </summary>
    public Task<LocalKmsResponse> HandleAsync(string? target, string? body, CancellationToken cancellationToken = default) =>
        HandleAsync(target, body, authorization: null, cancellationToken);

    /// <summary>
    /// Handles one wire request with the request's SigV4 <paramref name="authorization"/> header (signatures are never
    /// verified): its credential scope's Region chooses the Region that serves it (see <see cref="SigV4.RegionOf"/>),
    /// and its access key id the caller, which matters only for <see cref="AuthorizationDelay"/>. Null: the default
    /// <see cref="Region"/>, as the admin.
    /// </summary>
    public Task<LocalKmsResponse> HandleAsync(string? target, string? body, string? authorization, CancellationToken cancellationToken) =>
        HandleAsync(target, body, authorization, Guid.NewGuid().ToString(), cancellationToken);

    /// <summary>
    /// As <see cref="HandleAsync(string?, string?, string?, CancellationToken)"/>, for a transport that answers with
    /// <paramref name="requestId"/> in its x-amzn-RequestId header: GetKeyLastUsage reports it as the KmsRequestId of
    /// the key's last use.
    /// </summary>
    public async Task<LocalKmsResponse> HandleAsync(string? target, string? body, string? authorization, string requestId, CancellationToken cancellationToken)
    {
        body ??= string.Empty;
        var region = SigV4.RegionOf(authorization) ?? Region;
        var operation = OperationOf(target);
        var caller = SigV4.AccessKeyIdOf(authorization);

        lock (_recordGate)
        {
            _recorded.Add(new LocalKmsRecordedRequest(operation, body, region));
        }

        Exception? throwAfter = null;
        try
        {
            var latency = Latency;
            if (latency > TimeSpan.Zero)
            {
                await Task.Delay(latency, _time, cancellationToken);
            }

            throwAfter = await Faults.CountAndApplyAsync(operation, cancellationToken);

            if (EnforceQuotas && !_quotas.TryAcquire(operation, _time.GetUtcNow()))
            {
                lock (_recordGate)
                {
                    _throttled[operation] = _throttled.GetValueOrDefault(operation) + 1;
                }

                OnThrottled?.Invoke(operation);
                throw new KmsErrorException("ThrottlingException", "Rate exceeded");
            }

            ThrowIfRegionOut(region);
            var request = KmsRequest.Parse(body);

            // RSA generation takes up to a second: do it before taking the state lock.
            using var pregenerated = new PregeneratedKeys(request, operation);
            JsonObject result;
            lock (_state)
            {
                ExpireLapsedState();
                EnterRegion(region);
                _servingRequestId = requestId;
                try
                {
                    DenyWhileAuthorizationPropagates(operation, request, caller);
                    result = Dispatch(operation, request, pregenerated, caller);
                    NoteAuthorizationChange(operation, request, result);
                }
                finally
                {
                    EnterRegion(Region);
                }
            }

            if (throwAfter is not null)
            {
                throw throwAfter;
            }

            return new LocalKmsResponse(200, result.ToJsonString());
        }
        catch (KmsErrorException) when (throwAfter is not null)
        {
            // The call was answered with an error, and that answer is lost too.
            throw throwAfter;
        }
        catch (KmsErrorException ex)
        {
            var error = new JsonObject { ["__type"] = ex.ErrorCode, ["message"] = ex.Message };
            return new LocalKmsResponse(ex.StatusCode, error.ToJsonString());
        }
    }

    /// <summary>
    /// A client config pointing at this service through <see cref="LocalKmsHttpMessageHandler"/>;
    /// set retry mode, MaxErrorRetry or timeouts on it before building a client.
    /// </summary>
    public AmazonKeyManagementServiceConfig CreateClientConfig() => CreateClientConfig(Region);

    /// <summary>As <see cref="CreateClientConfig()"/>, for a client that signs its requests for <paramref name="region"/>.</summary>
    public AmazonKeyManagementServiceConfig CreateClientConfig(string region) => new()
    {
        ServiceURL = "http://localkms.invalid",
        AuthenticationRegion = region,
        HttpClientFactory = new LocalKmsHttpClientFactory(new LocalKmsHttpMessageHandler(this)),
    };

    /// <summary>A real SDK client talking to this service in process (dummy credentials, no network).</summary>
    public AmazonKeyManagementServiceClient CreateClient(Action<AmazonKeyManagementServiceConfig>? configure = null) =>
        CreateClient(Region, configure);

    /// <summary>A real SDK client for <paramref name="region"/> of this service, in process.</summary>
    public AmazonKeyManagementServiceClient CreateClient(string region, Action<AmazonKeyManagementServiceConfig>? configure = null)
    {
        var config = CreateClientConfig(region);
        configure?.Invoke(config);
        return new AmazonKeyManagementServiceClient(new Amazon.Runtime.BasicAWSCredentials("test", "test"), config);
    }
}
