using Amazon.KeyManagementService;
using Amazon.Runtime;
using KeyRotation.Core;
using KeyRotation.LocalKms;

namespace KeyRotation.IntegrationTests.Rotation;

public sealed class ConcurrencyTests : IDisposable
{
    private const string Alias = "alias/orders";
    private const string Scheduled = """{"trigger":"schedule","scheduledTime":"2026-12-31T03:00:00Z"}""";
    private readonly RotationWorld _world = new();

    [Fact]
    public async Task Invoke_SameScheduledEventDeliveredTwice_RotatesOnce()
    {
        _world.Environment[Core.Configuration.SettingNames.MinKeyAgeHours] = "0";
        await _world.CreateAliasedKeyAsync(Alias);

        await _world.InvokeAsync(Scheduled, Alias);
        var second = await _world.InvokeAsync(Scheduled, Alias);

        Assert.Equal("Skipped", second.GetProperty("results")[0].GetProperty("outcome").GetString());
        Assert.Contains("Already rotated for the schedule slot 2026-12-31T03:00Z", second.GetProperty("results")[0].GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Single(_world.CreatedFor(Alias));
        Assert.Single(_world.Sns.Snapshot());
    }

    [Fact]
    public async Task Invoke_SecondRunWhileTheFirstIsCreatingTheKey_SkipsAndCreatesNothing()
    {
        var old = await _world.CreateAliasedKeyAsync(Alias);
        _world.Environment[Core.Configuration.SettingNames.RotationAliases] = Alias;
        using var gate = new CreateKeyGate();
        using var firstClient = new AmazonKeyManagementServiceClient(
            new BasicAWSCredentials("test", "test"),
            new AmazonKeyManagementServiceConfig { ServiceURL = "http://localkms.invalid", AuthenticationRegion = "us-east-1", HttpClientFactory = gate.Factory(_world.Kms) });

        // The first run claims the alias, then stops inside CreateKey until the second run is over.
        var first = _world.InvokeAsync(firstClient, "{}");
        await gate.Reached.Task.WaitAsync(TimeSpan.FromSeconds(30));
        var second = await _world.InvokeAsync("{}");
        gate.Release.SetResult();
        var firstResponse = await first;

        Assert.Equal("Rotated", firstResponse.GetProperty("results")[0].GetProperty("outcome").GetString());
        var skipped = second.GetProperty("results")[0];
        Assert.Equal("Skipped", skipped.GetProperty("outcome").GetString());
        Assert.Contains("Another run is rotating alias/orders", skipped.GetProperty("reason").GetString(), StringComparison.Ordinal);
        var created = Assert.Single(_world.CreatedFor(Alias));
        Assert.Equal(created.KeyId, _world.Key(Alias).KeyId);
        Assert.Equal("retired", _world.Key(old.KeyId).Tags[RotationTags.State]);
    }

    [Fact]
    public async Task Invoke_TwoRunsAtOnceForOneAlias_CreateAtMostOneKey()
    {
        await _world.CreateAliasedKeyAsync(Alias);
        _world.Environment[Core.Configuration.SettingNames.RotationAliases] = Alias;

        var runs = await Task.WhenAll(
            Task.Run(() => _world.InvokeAsync("{}")),
            Task.Run(() => _world.InvokeAsync("{}")));

        // Whatever the interleaving, exactly one key is created. The other run leaves the alias alone, or, when it
        // read the alias just before the first run moved it, finishes the same rotation with the same key.
        var results = runs.Select(r => r.GetProperty("results")[0]).ToList();
        var created = Assert.Single(_world.CreatedFor(Alias));
        Assert.Contains(results, r => r.GetProperty("outcome").GetString() == "Rotated");
        Assert.All(results, r => Assert.Contains(r.GetProperty("outcome").GetString(), new[] { "Rotated", "Skipped" }));
        Assert.All(results.Where(r => r.GetProperty("outcome").GetString() == "Rotated"), r => Assert.Equal(created.KeyId, r.GetProperty("newKeyId").GetString()));
        Assert.Equal(created.KeyId, _world.Key(Alias).KeyId);
    }

    [Fact]
    public async Task Invoke_ForcedManualRunRightAfterScheduledOne_RotatesAgain()
    {
        var first = await _world.CreateAliasedKeyAsync(Alias);
        await _world.InvokeAsync(Scheduled, Alias);
        var second = _world.Key(Alias).KeyId;

        var response = await _world.InvokeAsync("""{"force":true}""", Alias);

        var third = response.GetProperty("results")[0].GetProperty("newKeyId").GetString()!;
        Assert.Equal(third, _world.Key(Alias).KeyId);
        Assert.Equal(second, _world.Key(third).Tags[RotationTags.PreviousKey]);
        Assert.Equal(first.KeyId, _world.Key(second).Tags[RotationTags.PreviousKey]);
        Assert.Equal("3", _world.Key(third).Tags[RotationTags.Generation]);
        Assert.Equal("Enabled", _world.Key(first.KeyId).KeyState);
    }

    [Fact]
    public async Task Invoke_UnforcedManualRunRightAfterScheduledOne_SkipsTheYoungKey()
    {
        await _world.CreateAliasedKeyAsync(Alias);
        await _world.InvokeAsync(Scheduled, Alias);

        var response = await _world.InvokeAsync("{}", Alias);

        Assert.Equal("Skipped", response.GetProperty("results")[0].GetProperty("outcome").GetString());
        Assert.Single(_world.CreatedFor(Alias));
    }

    public void Dispose() => _world.Dispose();

    /// <summary>Holds CreateKey requests of one client until released, and says when one arrived.</summary>
    private sealed class CreateKeyGate : IDisposable
    {
        public TaskCompletionSource Reached { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public HttpClientFactory Factory(LocalKmsService kms) => new GatedFactory(new GatedHandler(this, new LocalKmsHttpMessageHandler(kms)));

        public void Dispose() => Release.TrySetResult();

        private sealed class GatedHandler(CreateKeyGate gate, HttpMessageHandler inner) : DelegatingHandler(inner)
        {
            protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
            {
                if (request.Headers.TryGetValues("X-Amz-Target", out var target) && target.Single() == "TrentService.CreateKey")
                {
                    gate.Reached.TrySetResult();
                    await gate.Release.Task.WaitAsync(cancellationToken);
                }

                return await base.SendAsync(request, cancellationToken);
            }
        }

        private sealed class GatedFactory(HttpMessageHandler handler) : HttpClientFactory
        {
            public override HttpClient CreateHttpClient(IClientConfig clientConfig) => new(handler, disposeHandler: false);

            public override bool UseSDKHttpClientCaching(IClientConfig clientConfig) => false;

            public override bool DisposeHttpClientsAfterUse(IClientConfig clientConfig) => true;
        }
    }
}
