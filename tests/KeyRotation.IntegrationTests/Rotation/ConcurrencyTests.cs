using KeyRotation.Core;

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
    public async Task Invoke_TwoRunsAtOnceForOneAlias_CreateAtMostOneKey()
    {
        var old = await _world.CreateAliasedKeyAsync(Alias);
        _world.Environment[Core.Configuration.SettingNames.RotationAliases] = Alias;

        var runs = await Task.WhenAll(
            Task.Run(() => _world.InvokeAsync("{}")),
            Task.Run(() => _world.InvokeAsync("{}")));

        var outcomes = runs.Select(r => r.GetProperty("results")[0].GetProperty("outcome").GetString()).Order().ToList();
        Assert.Equal(["Rotated", "Skipped"], outcomes);
        var created = Assert.Single(_world.CreatedFor(Alias));
        Assert.Equal(created.KeyId, _world.Key(Alias).KeyId);
        Assert.Equal("retired", _world.Key(old.KeyId).Tags[RotationTags.State]);
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
}
