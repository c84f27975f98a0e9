using Amazon.KeyManagementService;
using KeyRotation.Core;

namespace KeyRotation.IntegrationTests.Rotation;

/// <summary>The strategy auto through the real handler: material while KMS allows it and the reserve holds, else a new key.</summary>
public sealed class AutoStrategyTests : IDisposable
{
    private const string Alias = "alias/orders";
    private readonly RotationWorld _world = new();

    [Fact]
    public async Task Rotate_AutoWithRotationsLeftAboveTheReserve_RotatesTheMaterial()
    {
        var key = await _world.CreateAliasedKeyAsync(Alias);
        await _world.RotateByHandAsync(key.KeyId, 22);
        _world.UseStrategy("auto");

        var response = await _world.InvokeAsync("{}", Alias);

        var result = response.GetProperty("results")[0];
        Assert.Equal(("Rotated", "material", key.KeyId), (result.GetProperty("outcome").GetString(), result.GetProperty("method").GetString(), result.GetProperty("newKeyId").GetString()));
        Assert.Equal(23, (await _world.OnDemandRotationsAsync(key.KeyId)).Count);
    }

    [Fact]
    public async Task Rotate_AutoAtTheReserve_CreatesANewKeyAndTheNotificationSaysWhy()
    {
        var key = await _world.CreateAliasedKeyAsync(Alias);
        await _world.RotateByHandAsync(key.KeyId, 23);
        _world.UseStrategy("auto");
        var before = await _world.EncryptAsync(Alias, "order 1");

        var response = await _world.InvokeAsync("{}", Alias);

        var result = response.GetProperty("results")[0];
        Assert.Equal(("Rotated", "new-key"), (result.GetProperty("outcome").GetString(), result.GetProperty("method").GetString()));
        Assert.NotEqual(key.KeyId, _world.Key(Alias).KeyId);
        Assert.Equal(23, (await _world.OnDemandRotationsAsync(key.KeyId)).Count);
        var message = Assert.Single(_world.Sns.Snapshot())["Message"];
        Assert.Contains("Method:       new-key", message, StringComparison.Ordinal);
        Assert.Contains($"auto: key {key.KeyId} has 2 of its 25 on-demand rotations left, and 2 stay in reserve for a manual rotation", message, StringComparison.Ordinal);
        Assert.Equal("order 1", await _world.DecryptAsync(before));
    }

    [Fact]
    public async Task Rotate_AutoWithAReserveOfZero_UsesTheLastRotation()
    {
        var key = await _world.CreateAliasedKeyAsync(Alias);
        await _world.RotateByHandAsync(key.KeyId, 24);
        _world.UseStrategy("auto", reserve: 0);

        var response = await _world.InvokeAsync("{}", Alias);

        Assert.Equal("material", response.GetProperty("results")[0].GetProperty("method").GetString());
        Assert.Equal(25, (await _world.OnDemandRotationsAsync(key.KeyId)).Count);
    }

    [Fact]
    public async Task Rotate_AutoOnAnHmacKey_CreatesANewKeyAndSaysWhy()
    {
        var key = await _world.CreateAliasedKeyAsync(Alias, KeySpec.HMAC_256, KeyUsageType.GENERATE_VERIFY_MAC);
        _world.UseStrategy("auto");

        var response = await _world.InvokeAsync("{}", Alias);

        Assert.Equal("new-key", response.GetProperty("results")[0].GetProperty("method").GetString());
        Assert.NotEqual(key.KeyId, _world.Key(Alias).KeyId);
        Assert.Contains("KMS rotates key material on demand only for symmetric encryption keys", Assert.Single(_world.Sns.Snapshot())["Message"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Plan_AutoAtTheReserve_SaysItWouldCreateANewKeyAndWhy()
    {
        var key = await _world.CreateAliasedKeyAsync(Alias);
        await _world.RotateByHandAsync(key.KeyId, 24);
        _world.UseStrategy("auto");

        var response = await _world.InvokeAsync("""{"dryRun":true}""", Alias);

        var result = response.GetProperty("results")[0];
        Assert.Equal(("Planned", "new-key"), (result.GetProperty("outcome").GetString(), result.GetProperty("method").GetString()));
        Assert.Contains("has 1 of its 25 on-demand rotations left", result.GetProperty("reason").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rotate_AutoTwiceAcrossTheReserve_MaterialThenANewKeyThatStartsAgainWithMaterial()
    {
        var key = await _world.CreateAliasedKeyAsync(Alias);
        await _world.RotateByHandAsync(key.KeyId, 22);
        _world.UseStrategy("auto");

        await _world.InvokeAsync("{}", Alias);
        _world.Time.Advance(TimeSpan.FromDays(31));
        var second = await _world.InvokeAsync("{}", Alias);
        _world.Time.Advance(TimeSpan.FromDays(31));
        var third = await _world.InvokeAsync("{}", Alias);

        Assert.Equal("new-key", second.GetProperty("results")[0].GetProperty("method").GetString());
        Assert.Equal("material", third.GetProperty("results")[0].GetProperty("method").GetString());
        var newKey = _world.Key(Alias);
        Assert.NotEqual(key.KeyId, newKey.KeyId);
        Assert.Equal(("3", "active"), (newKey.Tags[RotationTags.Sequence], newKey.Tags[RotationTags.State]));
        Assert.Single(await _world.OnDemandRotationsAsync(newKey.KeyId));
    }

    public void Dispose() => _world.Dispose();
}
