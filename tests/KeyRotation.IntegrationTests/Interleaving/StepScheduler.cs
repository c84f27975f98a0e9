using Amazon.KeyManagementService;
using Amazon.Runtime;
using KeyRotation.LocalKms;

namespace KeyRotation.IntegrationTests.Interleaving;

/// <summary>
/// Runs several actors (rotations, rollbacks) against one LocalKms so that exactly one KMS call is in flight at a
/// time: each actor's calls stop at a gate, and the scheduler picks which actor's call goes through next. Between
/// two calls an actor runs alone, so a schedule is fully described by the sequence of picks.
/// </summary>
internal sealed class StepScheduler
{
    private readonly Lock _gate = new();
    private readonly Dictionary<int, Arrival> _waiting = [];
    private readonly Dictionary<int, TaskCompletionSource> _arrived = [];

    /// <summary>A KMS client for <paramref name="actor"/> whose every call waits for the scheduler's pick.</summary>
    public AmazonKeyManagementServiceClient ClientFor(int actor, LocalKmsService kms)
    {
        var config = kms.CreateClientConfig();
        config.HttpClientFactory = new GatedFactory(new GatedHandler(this, actor, new LocalKmsHttpMessageHandler(kms)));
        config.MaxErrorRetry = 0;
        return new AmazonKeyManagementServiceClient(new BasicAWSCredentials("test", "test"), config);
    }

    /// <summary>
    /// Starts the actors and lets their calls through one at a time, asking <paramref name="pick"/> which of the
    /// waiting actors goes next (and calling <paramref name="afterStep"/> after each call), until all are done.
    /// </summary>
    public async Task RunAsync(IReadOnlyList<Func<Task>> actors, Func<IReadOnlyList<int>, int> pick, Action afterStep)
    {
        var tasks = new Task[actors.Count];
        for (var i = 0; i < actors.Count; i++)
        {
            var arrived = Expect(i);
            var actor = actors[i];
            tasks[i] = Task.Run(actor);
            await Task.WhenAny(arrived, tasks[i]);
        }

        while (true)
        {
            List<int> enabled;
            lock (_gate)
            {
                enabled = [.. _waiting.Keys.Order()];
            }

            if (enabled.Count == 0)
            {
                break;
            }

            var chosen = pick(enabled);
            Arrival arrival;
            lock (_gate)
            {
                arrival = _waiting[chosen];
                _waiting.Remove(chosen);
            }

            var next = Expect(chosen);
            arrival.Release.SetResult();
            await arrival.Done.Task;
            afterStep();
            await Task.WhenAny(next, tasks[chosen]);
        }

        await Task.WhenAll(tasks);
    }

    private Task Expect(int actor)
    {
        var arrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            _arrived[actor] = arrived;
        }

        return arrived.Task;
    }

    private async Task<T> PassAsync<T>(int actor, Func<Task<T>> call)
    {
        var arrival = new Arrival();
        lock (_gate)
        {
            _waiting[actor] = arrival;
            _arrived[actor].TrySetResult();
        }

        await arrival.Release.Task;
        try
        {
            return await call();
        }
        finally
        {
            arrival.Done.SetResult();
        }
    }

    private sealed class Arrival
    {
        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private sealed class GatedHandler(StepScheduler scheduler, int actor, HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            scheduler.PassAsync(actor, () => base.SendAsync(request, cancellationToken));
    }

    private sealed class GatedFactory(HttpMessageHandler handler) : HttpClientFactory
    {
        public override HttpClient CreateHttpClient(IClientConfig clientConfig) => new(handler, disposeHandler: false);

        public override bool UseSDKHttpClientCaching(IClientConfig clientConfig) => false;

        public override bool DisposeHttpClientsAfterUse(IClientConfig clientConfig) => true;
    }
}
