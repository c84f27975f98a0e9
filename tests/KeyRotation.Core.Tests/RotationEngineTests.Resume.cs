using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using Moq;

namespace KeyRotation.Core.Tests;

/// <summary>Resuming: a recorded, moved or retired rotation finished by the next run, and hand moves.</summary>
public sealed partial class RotationEngineTests
{
    [Fact]
    public async Task RunAsync_RecordedKeyAliasNotMoved_FinishesWithThatKey()
    {
        var old = _kms.AddKey(AliasName);
        var recorded = _kms.AddKey("alias/keyrotation/orders/1", tags: new Dictionary<string, string>
        {
            [RotationTags.Alias] = AliasName,
            [RotationTags.PreviousKey] = old.KeyId,
            [RotationTags.Sequence] = "1",
            [RotationTags.State] = "pending",
        });

        var result = Assert.Single((await RunAsync(Request())).Results);

        Assert.Equal(RotationOutcome.Rotated, result.Outcome);
        Assert.True(result.Resumed);
        Assert.Equal(recorded.KeyId, _kms.Aliases[AliasName].KeyId);
        Assert.Empty(_kms.Requests<CreateKeyRequest>());
        Assert.Equal("retired", _kms.Tags[old.KeyId][RotationTags.State]);
    }

    [Fact]
    public async Task RunAsync_AliasPointedBackAtItsPreviousKeyByHand_RotatesFromItAsANewChainLink()
    {
        var old = _kms.AddKey(AliasName, tags: new Dictionary<string, string> { [RotationTags.State] = "retired" });
        var finished = _kms.AddKey("alias/keyrotation/orders/1", tags: new Dictionary<string, string>
        {
            [RotationTags.Alias] = AliasName,
            [RotationTags.PreviousKey] = old.KeyId,
            [RotationTags.Sequence] = "1",
            [RotationTags.State] = "active",
        });

        var result = Assert.Single((await RunAsync(Request())).Results);

        Assert.Equal(RotationOutcome.Rotated, result.Outcome);
        Assert.Contains("pointed back at " + old.KeyId + " by hand", result.Reason, StringComparison.Ordinal);
        var created = _kms.Keys[result.NewKeyId!];
        Assert.Equal(created.KeyId, _kms.Aliases[AliasName].KeyId);
        Assert.Equal(created.KeyId, _kms.Aliases["alias/keyrotation/orders/2"].KeyId);
        Assert.Equal((old.KeyId, "2", finished.KeyId), (_kms.Tags[created.KeyId][RotationTags.PreviousKey], _kms.Tags[created.KeyId][RotationTags.Sequence], _kms.Tags[created.KeyId][RotationTags.MovedByHandFrom]));
        Assert.Single(_notifier.Notices);
    }

    [Fact]
    public async Task RunAsync_MarkerRecordsAFinishedMoveAndTheAliasMovedMeanwhile_SkipsAsFinishedByAnotherRun()
    {
        var old = _kms.AddKey(AliasName);
        var finished = _kms.AddKey("alias/keyrotation/orders/1", tags: new Dictionary<string, string>
        {
            [RotationTags.Alias] = AliasName,
            [RotationTags.PreviousKey] = old.KeyId,
            [RotationTags.Sequence] = "1",
            [RotationTags.State] = "active",
        });

        // Another run moves the alias between this run's first read and its confirming read.
        var describes = 0;
        _kms.Mock.Setup(k => k.DescribeKeyAsync(It.Is<DescribeKeyRequest>(r => r.KeyId == AliasName), It.IsAny<CancellationToken>()))
            .Returns((DescribeKeyRequest r, CancellationToken _) =>
            {
                var target = describes++ == 0 ? old : finished;
                return Task.FromResult(new DescribeKeyResponse { KeyMetadata = target });
            });

        var result = Assert.Single((await RunAsync(Request())).Results);

        Assert.Equal((RotationOutcome.Skipped, finished.KeyId), (result.Outcome, result.NewKeyId));
        Assert.Contains("Another run moved alias/orders to " + finished.KeyId, result.Reason, StringComparison.Ordinal);
        AssertNoWrites();
        Assert.Empty(_notifier.Notices);
    }

    [Fact]
    public async Task RunAsync_MarkerPointsAtKeyThatIsNotThisRotations_FailsWithoutWriting()
    {
        var old = _kms.AddKey(AliasName);
        _kms.AddKey("alias/keyrotation/orders/1", tags: new Dictionary<string, string>
        {
            [RotationTags.Alias] = AliasName,
            [RotationTags.PreviousKey] = "some-other-key",
            [RotationTags.Sequence] = "1",
            [RotationTags.State] = "pending",
        });

        var result = Assert.Single((await RunAsync(Request())).Results);

        Assert.Equal(RotationOutcome.Failed, result.Outcome);
        Assert.Contains("an unfinished rotation from some-other-key, but alias/orders now points at " + old.KeyId, result.Reason, StringComparison.Ordinal);
        AssertNoWrites();
    }

    [Fact]
    public async Task RunAsync_AliasMovedButNotNotified_NotifiesAndActivatesWithoutNewKey()
    {
        var old = _kms.AddKey(AliasName);
        _notifier.Failure = new CrashException();
        await Assert.ThrowsAsync<CrashException>(() => RunAsync(Request()));
        _notifier.Failure = null;
        var moved = _kms.KeyOf(AliasName);
        _time.Advance(new RotationOptions().ClaimTimeout);

        var result = Assert.Single((await RunAsync(Request() with { RotationId = "rot-2" })).Results);

        Assert.Equal(RotationOutcome.Rotated, result.Outcome);
        Assert.True(result.Resumed);
        Assert.Equal((old.KeyId, moved.KeyId), (result.PreviousKeyId, result.NewKeyId));
        Assert.Single(_kms.Requests<CreateKeyRequest>());
        Assert.Equal(moved.KeyId, _kms.Tags[old.KeyId][RotationTags.SuccessorKey]);
        Assert.Equal("active", _kms.Tags[moved.KeyId][RotationTags.State]);
        Assert.Single(_notifier.Notices);
    }

    [Fact]
    public async Task RunAsync_RetiredButDiedBeforeTheMove_NextRunMovesTheAlias()
    {
        var old = _kms.AddKey(AliasName);
        var crashes = 0;
        _kms.Mock.Setup(k => k.UpdateAliasAsync(It.Is<UpdateAliasRequest>(r => r.AliasName == AliasName), It.IsAny<CancellationToken>()))
            .Returns((UpdateAliasRequest r, CancellationToken _) =>
            {
                if (crashes++ == 0)
                {
                    return Task.FromException<UpdateAliasResponse>(new CrashException());
                }

                _kms.Aliases[r.AliasName] = (r.TargetKeyId, Now);
                return Task.FromResult(new UpdateAliasResponse());
            });
        await Assert.ThrowsAsync<CrashException>(() => RunAsync(Request()));
        Assert.Equal(old.KeyId, _kms.Aliases[AliasName].KeyId);
        _time.Advance(new RotationOptions().ClaimTimeout);

        var result = Assert.Single((await RunAsync(Request() with { RotationId = "rot-2" })).Results);

        Assert.Equal((RotationOutcome.Rotated, true), (result.Outcome, result.Resumed));
        Assert.Equal(result.NewKeyId, _kms.Aliases[AliasName].KeyId);
        Assert.Single(_kms.Requests<CreateKeyRequest>());
    }

    [Fact]
    public async Task RunAsync_MovedToNewKeyThatWasDisabledSince_FailsWithoutReportingItRotated()
    {
        _kms.AddKey(AliasName);
        _notifier.Failure = new HttpRequestException("SNS unreachable");
        var first = Assert.Single((await RunAsync(Request())).Results);
        _notifier.Failure = null;
        _kms.Keys[first.NewKeyId!].KeyState = KeyState.Disabled;

        var second = Assert.Single((await RunAsync(Request() with { RotationId = "rot-2" })).Results);

        Assert.Equal(RotationOutcome.Failed, second.Outcome);
        Assert.Contains("which is Disabled, not Enabled", second.Reason, StringComparison.Ordinal);
    }
}
