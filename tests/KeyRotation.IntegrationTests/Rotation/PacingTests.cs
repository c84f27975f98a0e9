using Amazon.KeyManagementService;
using Amazon.Runtime;
using KeyRotation.Core;
using KeyRotation.Core.Pacing;
using KeyRotation.Integrations.Pacing;
using KeyRotation.Integrations.Composition;

namespace KeyRotation.IntegrationTests.Rotation;

/// <summary>The pacer in the real SDK client's pipeline, in front of LocalKms, as the function and the CLI install it.</summary>
public sealed class PacingTests : IDisposable
{
    private readonly RotationWorld _world = new();

    [Fact]
    public async Task Engine_PacedSdkClient_EveryKmsRequestPassesThePacerByItsOperation()
    {
        string[] aliases = ["alias/paced/a", "alias/paced/b", "alias/paced/c"];
        foreach (var alias in aliases)
        {
            await _world.CreateAliasedKeyAsync(alias);
        }

        // Quotas high enough that nothing waits on the fake clock: this checks the wiring, the pacer tests the pace.
        var quotas = KmsRequestQuotas.Parse(string.Join(',', KmsRequestQuotas.DefaultRates.Keys.Select(op => op + "=100000")), "KMS_REQUEST_QUOTAS", [])!;
        var pacer = new KmsRequestPacer(quotas, _world.Time);
        var config = _world.Kms.CreateClientConfig();
        config.RetryMode = RequestRetryMode.Standard;
        PacedHttpClientFactory.Apply(config, pacer);
        using var kms = new AmazonKeyManagementServiceClient(new BasicAWSCredentials("test", "test"), config);
        var engine = RotationComposition.Engine(kms, _world.Notifier, new RotationOptions { MaxConcurrency = 8 }, _world.Time, NullRotationLog.Instance, pacer: pacer);

        var report = await engine.RunAsync(new RotationRequest { RotationId = "rot-paced", Aliases = aliases }, CancellationToken.None);

        Assert.All(report.Results, r => Assert.Equal(RotationOutcome.Rotated, r.Outcome));
        var statistics = pacer.Statistics();
        Assert.Equal(3, statistics["CreateKey"].Calls);
        Assert.True(statistics["UpdateAlias"].Calls >= 3, "every alias moved through a paced UpdateAlias");
        Assert.All(statistics.Values, s => Assert.Equal(0, s.Throttled));
    }

    public void Dispose() => _world.Dispose();
}
