using KeyRotation.Core;
using KeyRotation.Core.Configuration;
using KeyRotation.Core.Hooks;
using KeyRotation.IntegrationTests.Rotation;

namespace KeyRotation.IntegrationTests.Hooks;

/// <summary>
/// The pre-move hook of a material move (docs/hooks.md, "The material strategy"): asked after the new material is
/// current and before the move is recorded; a refusal leaves the move unrecorded, and the next run asks again without
/// rotating again.
/// </summary>
public sealed class MaterialHookTests : IDisposable
{
    private const string Alias = PreMoveHookTests.Alias;

    private readonly RotationWorld _world = new();

    public MaterialHookTests()
    {
        _world.Environment[SettingNames.PreMoveHookArn] = PreMoveHookTests.HookArn;
        _world.UseStrategy(RotationStrategyNames.Material);
    }

    public void Dispose() => _world.Dispose();

    [Fact]
    public async Task Rotate_HookRefusesNewMaterial_MoveIsNotRecordedAndTheNextRunTestsAgainWithoutRotatingAgain()
    {
        var key = await _world.CreateAliasedKeyAsync(Alias);
        _world.Hooks.Then("""{"ok":false,"reason":"cache not warmed"}""");

        var error = await Assert.ThrowsAsync<Function.RotationFailedException>(() => _world.InvokeAsync("{}", Alias));

        Assert.Contains("refused the new key: 'cache not warmed'", error.Message, StringComparison.Ordinal);
        Assert.Contains("already encrypts with its new material", error.Message, StringComparison.Ordinal);
        Assert.Single(await _world.OnDemandRotationsAsync(key.KeyId));
        Assert.False(_world.Key(key.KeyId).Tags.ContainsKey(RotationTags.Sequence));

        var result = (await _world.InvokeAsync("{}", Alias)).GetProperty("results")[0];

        Assert.Equal(("Rotated", "material"), (result.GetProperty("outcome").GetString(), result.GetProperty("method").GetString()));
        Assert.Single(await _world.OnDemandRotationsAsync(key.KeyId));
        var tags = _world.Key(key.KeyId).Tags;
        Assert.Equal(("1", "1", await _world.CurrentMaterialAsync(key.KeyId)), (tags[RotationTags.Sequence], tags[RotationTags.Tested], tags[RotationTags.KeyMaterialId]));
        var asked = _world.Hooks.Of(MoveHookPayload.TestNewKey);
        Assert.Equal(2, asked.Count);
        Assert.All(asked, c => Assert.Equal((key.Arn, key.Arn, "material"), (c.Payload.GetProperty("newKeyArn").GetString(), c.Payload.GetProperty("previousKeyArn").GetString(), c.Payload.GetProperty("strategy").GetString())));
        Assert.Empty(_world.CreatedFor(Alias));
    }
}
