using Amazon.KeyManagementService.Model;
using KeyRotation.Core;
using KeyRotation.Core.Configuration;
using KeyRotation.Core.Hooks;
using KeyRotation.Function;
using KeyRotation.IntegrationTests.Rotation;

namespace KeyRotation.IntegrationTests.Hooks;

/// <summary>
/// The pre-move hook through the real handler against LocalKms (docs/hooks.md): each outcome of the hook, and the retry
/// of the test with the same new key on the next run.
/// </summary>
public sealed class PreMoveHookTests : IDisposable
{
    internal const string Alias = "alias/orders";
    internal const string HookArn = "arn:aws:lambda:us-east-1:111122223333:function:orders-key-check";

    private readonly RotationWorld _world = new();

    public PreMoveHookTests() => _world.Environment[SettingNames.PreMoveHookArn] = HookArn;

    public void Dispose() => _world.Dispose();

    [Fact]
    public async Task Rotate_HookAccepts_AliasMovesAfterOneSynchronousTestWithTheDocumentedPayload()
    {
        var old = await _world.CreateAliasedKeyAsync(Alias);

        var result = (await _world.InvokeAsync("{}", Alias)).GetProperty("results")[0];

        var newKeyId = result.GetProperty("newKeyId").GetString()!;
        Assert.Equal(("Rotated", newKeyId), (result.GetProperty("outcome").GetString(), _world.Key(Alias).KeyId));
        var (hook, payload, invocation) = Assert.Single(_world.Hooks.Snapshot());
        Assert.Equal((HookArn, HookInvocation.RequestResponse), (hook.Value, invocation));
        Assert.Equal(
            ["step", "alias", "newKeyArn", "previousKeyArn", "strategy", "runId"],
            payload.EnumerateObject().Select(p => p.Name));
        Assert.Equal(
            ("testNewKey", Alias, _world.Key(newKeyId).Arn, old.Arn, "new-key"),
            (payload.GetProperty("step").GetString(), payload.GetProperty("alias").GetString(), payload.GetProperty("newKeyArn").GetString(), payload.GetProperty("previousKeyArn").GetString(), payload.GetProperty("strategy").GetString()));
        Assert.StartsWith("rot-", payload.GetProperty("runId").GetString(), StringComparison.Ordinal);
        Assert.Equal("1", _world.Key(old.KeyId).Tags[RotationTags.Tested]);
    }

    [Fact]
    public async Task Rotate_HookRefuses_AliasStaysThenTheNextRunTestsTheSameNewKeyAndMoves()
    {
        var old = await _world.CreateAliasedKeyAsync(Alias);
        _world.Hooks.Then("""{"ok":false,"reason":"the orders service cannot decrypt with the new key"}""");

        var refused = await Assert.ThrowsAsync<RotationFailedException>(() => _world.InvokeAsync("{}", Alias));

        Assert.Contains($"The pre-move hook {HookArn} refused the new key: 'the orders service cannot decrypt with the new key'", refused.Message, StringComparison.Ordinal);
        Assert.Equal(old.KeyId, _world.Key(Alias).KeyId);
        var created = Assert.Single(_world.CreatedFor(Alias));
        Assert.False(_world.Key(old.KeyId).Tags.ContainsKey(RotationTags.Tested));

        var result = (await _world.InvokeAsync("{}", Alias)).GetProperty("results")[0];

        Assert.Equal(("Rotated", created.KeyId), (result.GetProperty("outcome").GetString(), result.GetProperty("newKeyId").GetString()));
        Assert.Equal(created.KeyId, _world.Key(Alias).KeyId);
        Assert.Single(_world.CreatedFor(Alias));
        Assert.Equal([created.Arn, created.Arn], _world.Hooks.Of(MoveHookPayload.TestNewKey).Select(c => c.Payload.GetProperty("newKeyArn").GetString()));
        Assert.Equal(RotationTags.KeyStates.Retired, _world.Key(old.KeyId).Tags[RotationTags.State]);
    }

    [Fact]
    public async Task Rotate_HookFunctionError_FailsQuotingTheErrorAndLogsTheTail()
    {
        var old = await _world.CreateAliasedKeyAsync(Alias);
        _world.Hooks.Then("""{"errorMessage":"AccessDeniedException: kms:Decrypt denied","errorType":"AccessDeniedException"}""", functionError: "Unhandled", logTail: "START RequestId: 1\nkms:Decrypt denied");

        var error = await Assert.ThrowsAsync<RotationFailedException>(() => _world.InvokeAsync("{}", Alias));

        Assert.Contains($"The pre-move hook {HookArn} failed (Unhandled): 'AccessDeniedException: kms:Decrypt denied'", error.Message, StringComparison.Ordinal);
        Assert.Equal(old.KeyId, _world.Key(Alias).KeyId);
        Assert.Contains("kms:Decrypt denied", _world.Logs, StringComparison.Ordinal);
        Assert.Contains("START RequestId: 1", _world.Logs, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rotate_HookAnswersAnotherShape_FailsQuotingAtMost200Characters()
    {
        var old = await _world.CreateAliasedKeyAsync(Alias);
        var answer = "\"" + new string('x', 300) + "\"";
        _world.Hooks.Then(answer);

        var error = await Assert.ThrowsAsync<RotationFailedException>(() => _world.InvokeAsync("{}", Alias));

        Assert.Contains($"answered '{answer[..200]}' (cut at 200 of 302 characters), which is not", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(answer[..201], error.Message, StringComparison.Ordinal);
        Assert.Equal(old.KeyId, _world.Key(Alias).KeyId);
    }

    [Theory]
    [InlineData("""{"ok":"yes"}""")]
    [InlineData("""{"ok":false,"reason":42}""")]
    [InlineData("""[true]""")]
    [InlineData("""OK""")]
    public async Task Rotate_HookAnswerMalformed_LeavesTheAliasAndNamesTheShape(string answer)
    {
        var old = await _world.CreateAliasedKeyAsync(Alias);
        _world.Hooks.Then(answer);

        var error = await Assert.ThrowsAsync<RotationFailedException>(() => _world.InvokeAsync("{}", Alias));

        Assert.Contains($"answered '{answer}', which is not {{\"ok\":true}} or {{\"ok\":false,\"reason\":\"...\"}}", error.Message, StringComparison.Ordinal);
        Assert.Equal(old.KeyId, _world.Key(Alias).KeyId);
    }

    [Fact]
    public async Task Rotate_HookNeverAnswers_FailsAfterTheTimeoutAndTheAliasStays()
    {
        var old = await _world.CreateAliasedKeyAsync(Alias);
        _world.Environment[SettingNames.MoveHookTimeoutSeconds] = "45";
        _world.Hooks.ThenHang();

        var run = Assert.ThrowsAsync<RotationFailedException>(() => _world.InvokeAsync("{}", Alias));
        await _world.Hooks.Hanging.Task.WaitAsync(TimeSpan.FromSeconds(30));
        _world.Time.Advance(TimeSpan.FromSeconds(44));
        Assert.False(run.IsCompleted);
        _world.Time.Advance(TimeSpan.FromSeconds(1));
        var error = await run.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Contains($"The pre-move hook {HookArn} did not answer within 45 s ({SettingNames.MoveHookTimeoutSeconds}", error.Message, StringComparison.Ordinal);
        Assert.Equal(old.KeyId, _world.Key(Alias).KeyId);
    }

    [Fact]
    public async Task Rotate_HookCannotBeInvoked_FailsWithTheTransportsWords()
    {
        var old = await _world.CreateAliasedKeyAsync(Alias);
        _world.Hooks.ThenThrow(new HookInvocationException("Lambda answered HTTP 404 ResourceNotFoundException: Function not found"));

        var error = await Assert.ThrowsAsync<RotationFailedException>(() => _world.InvokeAsync("{}", Alias));

        Assert.Contains($"The pre-move hook {HookArn} could not be invoked: Lambda answered HTTP 404 ResourceNotFoundException", error.Message, StringComparison.Ordinal);
        Assert.Equal(old.KeyId, _world.Key(Alias).KeyId);
    }

    [Fact]
    public async Task Rotate_AliasTaggedWithAnotherHook_AsksThatOneAndTheNewKeyInheritsTheTag()
    {
        const string Own = "arn:aws:lambda:eu-west-1:111122223333:function:orders-own-check:live";
        var old = await _world.CreateAliasedKeyAsync(Alias);
        await _world.Client.TagResourceAsync(new TagResourceRequest { KeyId = old.KeyId, Tags = [new Tag { TagKey = RotationTags.PreMoveHook, TagValue = Own }] });

        var result = (await _world.InvokeAsync("{}", Alias)).GetProperty("results")[0];

        Assert.Equal(Own, Assert.Single(_world.Hooks.Snapshot()).Hook.Value);
        Assert.Equal(Own, _world.Key(result.GetProperty("newKeyId").GetString()!).Tags[RotationTags.PreMoveHook]);
    }

    [Fact]
    public async Task Rotate_AliasTaggedNone_MovesWithoutAskingTheConfiguredHook()
    {
        var old = await _world.CreateAliasedKeyAsync(Alias);
        await _world.Client.TagResourceAsync(new TagResourceRequest { KeyId = old.KeyId, Tags = [new Tag { TagKey = RotationTags.PreMoveHook, TagValue = "none" }] });

        var result = (await _world.InvokeAsync("{}", Alias)).GetProperty("results")[0];

        Assert.Equal("Rotated", result.GetProperty("outcome").GetString());
        Assert.Empty(_world.Hooks.Snapshot());
    }

    [Fact]
    public async Task Rotate_AliasTaggedWithSomethingElse_FailsNamingAliasKeyAndTagBeforeAnyWrite()
    {
        var old = await _world.CreateAliasedKeyAsync(Alias);
        await _world.Client.TagResourceAsync(new TagResourceRequest { KeyId = old.KeyId, Tags = [new Tag { TagKey = RotationTags.PreMoveHook, TagValue = "arn:aws:sns:us-east-1:111122223333:topic" }] });
        _world.Kms.ClearRecordedRequests();

        var error = await Assert.ThrowsAsync<RotationFailedException>(() => _world.InvokeAsync("{}", Alias));

        Assert.Contains($"Key {old.KeyId} behind {Alias} is tagged {RotationTags.PreMoveHook}: 'arn:aws:sns:us-east-1:111122223333:topic' is not a Lambda function ARN", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(_world.Kms.RecordedRequests, r => r.Operation is "CreateAlias" or "CreateKey" or "TagResource" or "UpdateAlias");
        Assert.Empty(_world.Hooks.Snapshot());
    }

    [Fact]
    public async Task Handler_HookSettingNotALambdaArn_IsAConfigurationErrorNamingTheSetting()
    {
        await _world.CreateAliasedKeyAsync(Alias);
        _world.Environment[SettingNames.PostMoveHookArn] = "arn:aws:lambda:us-east-1:111122223333:layer:tools";

        var error = await Assert.ThrowsAsync<ConfigurationException>(() => _world.InvokeAsync("{}", Alias));

        Assert.Contains($"{SettingNames.PostMoveHookArn}: 'arn:aws:lambda:us-east-1:111122223333:layer:tools' does not name a Lambda function", error.Message, StringComparison.Ordinal);
        Assert.Empty(_world.CreatedFor(Alias));
    }
}
