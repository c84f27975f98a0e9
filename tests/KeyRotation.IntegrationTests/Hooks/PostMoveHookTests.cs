using KeyRotation.Core.Configuration;
using KeyRotation.Core.Hooks;
using KeyRotation.IntegrationTests.Rotation;

namespace KeyRotation.IntegrationTests.Hooks;

/// <summary>The post-move hook (docs/hooks.md): handed each move asynchronously; its failure is reported and never undoes the move.</summary>
public sealed class PostMoveHookTests : IDisposable
{
    private const string Alias = PreMoveHookTests.Alias;
    private const string HookArn = "arn:aws:lambda:us-east-1:111122223333:function:orders-reencrypt:7";

    private readonly RotationWorld _world = new();

    public PostMoveHookTests() => _world.Environment[SettingNames.PostMoveHookArn] = HookArn;

    public void Dispose() => _world.Dispose();

    [Fact]
    public async Task Rotate_PostMoveHook_IsInvokedAsAnEventAfterTheMoveWithStepAfterMove()
    {
        var old = await _world.CreateAliasedKeyAsync(Alias);

        var result = (await _world.InvokeAsync("{}", Alias)).GetProperty("results")[0];

        var (hook, payload, invocation) = Assert.Single(_world.Hooks.Snapshot());
        Assert.Equal((HookArn, HookInvocation.Event), (hook.Value, invocation));
        Assert.Equal(
            ("afterMove", Alias, _world.Key(Alias).Arn, old.Arn, "new-key"),
            (payload.GetProperty("step").GetString(), payload.GetProperty("alias").GetString(), payload.GetProperty("newKeyArn").GetString(), payload.GetProperty("previousKeyArn").GetString(), payload.GetProperty("strategy").GetString()));
        Assert.False(result.TryGetProperty("postMoveHookError", out _));
    }

    [Fact]
    public async Task Rotate_PostMoveHookRefusedByLambda_MoveStandsAndTheFailureIsInResponseLogAndNotification()
    {
        var old = await _world.CreateAliasedKeyAsync(Alias);
        _world.Hooks.ThenThrow(new HookInvocationException("Lambda answered HTTP 403 AccessDeniedException: not authorized to perform lambda:InvokeFunction"));

        var result = (await _world.InvokeAsync("{}", Alias)).GetProperty("results")[0];

        Assert.Equal("Rotated", result.GetProperty("outcome").GetString());
        Assert.NotEqual(old.KeyId, _world.Key(Alias).KeyId);
        var error = result.GetProperty("postMoveHookError").GetString()!;
        Assert.StartsWith($"The post-move hook {HookArn} could not be invoked: Lambda answered HTTP 403 AccessDeniedException", error, StringComparison.Ordinal);
        Assert.Contains("The move stands", error, StringComparison.Ordinal);
        Assert.Contains(error, Assert.Single(_world.Sns.Snapshot())["Message"], StringComparison.Ordinal);
        Assert.Contains("\"level\":\"ERROR\"", _world.Logs.Split('\n').Single(l => l.Contains("could not be invoked", StringComparison.Ordinal) && !l.Contains("\"response\"", StringComparison.Ordinal)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rotate_BothHooks_TestComesBeforeTheMoveAndTheEventAfter()
    {
        await _world.CreateAliasedKeyAsync(Alias);
        _world.Environment[SettingNames.PreMoveHookArn] = PreMoveHookTests.HookArn;

        await _world.InvokeAsync("{}", Alias);

        Assert.Equal(
            [(MoveHookPayload.TestNewKey, HookInvocation.RequestResponse), (MoveHookPayload.AfterMove, HookInvocation.Event)],
            _world.Hooks.Snapshot().Select(c => (c.Payload.GetProperty("step").GetString(), c.Invocation)));
    }

    [Fact]
    public async Task Rotate_PreMoveHookRefuses_PostMoveHookIsNotInvoked()
    {
        await _world.CreateAliasedKeyAsync(Alias);
        _world.Environment[SettingNames.PreMoveHookArn] = PreMoveHookTests.HookArn;
        _world.Hooks.Then("""{"ok":false,"reason":"not yet"}""");

        await Assert.ThrowsAsync<Function.RotationFailedException>(() => _world.InvokeAsync("{}", Alias));

        Assert.Empty(_world.Hooks.Of(MoveHookPayload.AfterMove));
    }
}
