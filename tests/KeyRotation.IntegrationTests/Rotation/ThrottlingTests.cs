using Amazon.KeyManagementService.Model;

namespace KeyRotation.IntegrationTests.Rotation;

public sealed class ThrottlingTests : IDisposable
{
    private readonly RotationWorld _world = new();

    [Fact]
    public async Task Invoke_BatchOf50WithKmsQuotasOn_EveryAliasRotates()
    {
        var aliases = Enumerable.Range(1, 50).Select(i => $"alias/batch/app-{i:00}").ToArray();
        foreach (var alias in aliases)
        {
            var key = await _world.Client.CreateKeyAsync(new CreateKeyRequest { Description = alias });
            await _world.Client.CreateAliasAsync(new CreateAliasRequest { AliasName = alias, TargetKeyId = key.KeyMetadata.KeyId });
        }

        _world.Time.Advance(TimeSpan.FromDays(30));
        _world.Environment[Core.Configuration.SettingNames.MaxConcurrency] = "8";
        _world.Kms.EnforceQuotas = true;

        // The quotas are measured on the fake clock: while the SDK backs off, time moves on as it would. This shows
        // that throttling is retried until every alias is done, not how long that takes against real quotas
        // (about 20 s of UpdateAlias calls for 50 aliases at 5 per second, well inside the function's 900 s).
        _world.Kms.OnThrottled = _ => _world.Time.Advance(TimeSpan.FromMilliseconds(250));

        var response = await _world.InvokeAsync("{}", aliases);

        Assert.All(response.GetProperty("results").EnumerateArray(), r => Assert.Equal("Rotated", r.GetProperty("outcome").GetString()));
        Assert.True(new[] { "CreateAlias", "CreateKey", "TagResource", "UpdateAlias" }.Sum(_world.Kms.ThrottledCount) > 0, "the quotas never throttled, so the test proved nothing");
        Assert.Equal(50, _world.Sns.Snapshot().Count);
    }

    public void Dispose() => _world.Dispose();
}
