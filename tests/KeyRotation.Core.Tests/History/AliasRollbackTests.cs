using Amazon.KeyManagementService.Model;
using KeyRotation.Core.History;
using KeyRotation.Core.Protocol;
using Microsoft.Extensions.Time.Testing;
using Moq;
using KeyRotation.Integrations.Composition;

namespace KeyRotation.Core.Tests.History;

public sealed class AliasRollbackTests
{
    private const string Alias = "alias/orders";
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2025, 3, 1, 12, 0, 0, TimeSpan.Zero));
    private readonly KmsMock _kms;
    private readonly List<RotationNotice> _notices = [];
    private readonly Mock<IRotationNotifier> _notifier = new(MockBehavior.Strict);

    public AliasRollbackTests()
    {
        _kms = new KmsMock(_time);
        _notifier.Setup(n => n.NotifyAsync(It.IsAny<RotationNotice>(), It.IsAny<CancellationToken>()))
            .Callback((RotationNotice notice, CancellationToken _) => _notices.Add(notice))
            .Returns(Task.CompletedTask);
    }

    [Fact]
    public async Task RollBackAsync_AfterTwoRotations_ClaimsNextMarkerForPreviousGeneration()
    {
        var (_, second, third) = await RotateTwiceAsync();

        var result = await RollBackAsync();

        Assert.Equal(RollbackOutcome.RolledBack, result.Outcome);
        var claim = Assert.Single(_kms.Requests<CreateAliasRequest>());
        Assert.Equal(("alias/keyrotation/orders/3", second), (claim.AliasName, claim.TargetKeyId));
        var move = Assert.Single(_kms.Requests<UpdateAliasRequest>());
        Assert.Equal((Alias, second), (move.AliasName, move.TargetKeyId));
        Assert.Equal(third, result.FromKeyId);
    }

    [Fact]
    public async Task RollBackAsync_AfterTwoRotations_TagsRestoredKeyWithClaimedSequenceBeforeClaiming()
    {
        var (_, second, third) = await RotateTwiceAsync();

        await RollBackAsync();

        var firstWrite = _kms.Calls.First(c => c.Operation is "TagResource" or "CreateAlias" or "UpdateAlias");
        var tag = Assert.IsType<TagResourceRequest>(firstWrite.Request);
        Assert.Equal(second, tag.KeyId);
        Assert.Equal(
            [(RotationTags.Alias, Alias), (RotationTags.Sequence, "3"), (RotationTags.State, "restoring"), (RotationTags.RestoredFrom, third)],
            tag.Tags.Select(t => (t.TagKey, t.TagValue)).ToList());
    }

    [Fact]
    public async Task RollBackAsync_AfterTwoRotations_TagsBothKeysSoTheChainStaysTrue()
    {
        var (_, second, third) = await RotateTwiceAsync();
        _time.Advance(TimeSpan.FromHours(1));

        await RollBackAsync();

        var now = RecordedTime.Format(_time.GetUtcNow());
        var tags = _kms.Requests<TagResourceRequest>().Skip(1).ToList();
        Assert.Equal(2, tags.Count);
        Assert.Equal(third, tags[0].KeyId);
        Assert.Equal(
            [(RotationTags.State, "retired"), (RotationTags.RetiredAt, now), (RotationTags.SuccessorKey, second), (RotationTags.RolledBackAt, now)],
            tags[0].Tags.Select(t => (t.TagKey, t.TagValue)).ToList());
        Assert.Equal(second, tags[1].KeyId);
        Assert.Equal(
            [(RotationTags.State, "active"), (RotationTags.RestoredAt, now), (RotationTags.RestoredFrom, third)],
            tags[1].Tags.Select(t => (t.TagKey, t.TagValue)).ToList());
    }

    [Fact]
    public async Task RollBackAsync_AfterRotation_SendsRollbackNotice()
    {
        await RotateTwiceAsync();

        await RollBackAsync();

        var notice = Assert.Single(_notices);
        Assert.Equal("KMS key rollback: alias/orders", notice.Subject);
        Assert.Equal("RolledBack", notice.Attributes["outcome"]);
    }

    [Theory]
    [InlineData(2)] // retiring the rolled-back key
    [InlineData(3)] // the restored key's last tag, after the notification
    public async Task RollBackAsync_InterruptedAfterTheAliasMoved_RunAgainFinishesItInsteadOfGoingFurtherBack(int killedTagCall)
    {
        var (_, second, third) = await RotateTwiceAsync();
        var tagCalls = 0;
        _kms.Mock.Setup(k => k.TagResourceAsync(It.IsAny<TagResourceRequest>(), It.IsAny<CancellationToken>()))
            .Returns((TagResourceRequest r, CancellationToken _) =>
            {
                if (++tagCalls == killedTagCall)
                {
                    return Task.FromException<TagResourceResponse>(new InvalidOperationException("killed after the alias moved"));
                }

                foreach (var tag in r.Tags)
                {
                    _kms.Tags[r.KeyId][tag.TagKey] = tag.TagValue;
                }

                return Task.FromResult(new TagResourceResponse());
            });
        await Assert.ThrowsAsync<InvalidOperationException>(() => RollBackAsync());
        Assert.Equal(second, _kms.Aliases[Alias].KeyId);
        Assert.Equal("restoring", _kms.Tags[second][RotationTags.State]);

        var result = await RollBackAsync();

        Assert.Equal(RollbackOutcome.RolledBack, result.Outcome);
        Assert.StartsWith("Finished an interrupted rollback", result.Reason, StringComparison.Ordinal);
        Assert.Equal(second, _kms.Aliases[Alias].KeyId);
        Assert.Equal(("active", third), (_kms.Tags[second][RotationTags.State], _kms.Tags[second][RotationTags.RestoredFrom]));
        Assert.Equal(("retired", second), (_kms.Tags[third][RotationTags.State], _kms.Tags[third][RotationTags.SuccessorKey]));
        Assert.Equal(killedTagCall == 3 ? 2 : 1, _notices.Count);
    }

    [Fact]
    public async Task GetAsync_InterruptedRollback_ReportsItAsInProgress()
    {
        var (_, second, third) = await RotateTwiceAsync();
        _kms.Tags[second][RotationTags.State] = RotationTags.KeyStates.Restoring;
        _kms.Tags[second][RotationTags.RestoredFrom] = third;
        _kms.Aliases[Alias] = (second, _time.GetUtcNow());

        var status = await new AliasHistory(_kms.Object).GetAsync(Alias, CancellationToken.None);

        Assert.Contains("run 'keyrotation rollback alias/orders' again", status.InProgress, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RotateAsync_DuringAnInterruptedRollback_RefusesUntilTheRollbackIsFinished()
    {
        var (_, second, _) = await RotateTwiceAsync();
        // What a rollback to the second key writes before it dies: the restoring tags for move 3, the claim, the move.
        _kms.Tags[second][RotationTags.State] = RotationTags.KeyStates.Restoring;
        _kms.Tags[second][RotationTags.Sequence] = "3";
        _kms.Aliases["alias/keyrotation/orders/3"] = (second, _time.GetUtcNow());
        _kms.Aliases[Alias] = (second, _time.GetUtcNow());
        var engine = RotationComposition.Engine(_kms.Object, Mock.Of<IRotationNotifier>(), new RotationOptions(), _time, NullRotationLog.Instance);
        var rotate = new RotationRequest { RotationId = "r9", Aliases = [Alias], Force = true };

        // While the rollback's claim is fresh it may still be running: the rotation waits.
        var fresh = await engine.RunAsync(rotate, CancellationToken.None);
        _time.Advance(new RotationOptions().ClaimTimeout);
        var report = await engine.RunAsync(rotate, CancellationToken.None);

        Assert.Equal(RotationOutcome.Skipped, fresh.Results[0].Outcome);
        Assert.Equal(RotationOutcome.Failed, report.Results[0].Outcome);
        Assert.Contains("rollback of alias/orders", report.Results[0].Reason, StringComparison.Ordinal);
        Assert.DoesNotContain(_kms.Calls, c => KmsMock.WriteOperations.Contains(c.Operation) && (c.Request as UpdateAliasRequest)?.AliasName != "alias/keyrotation/orders/clock" && (c.Request as CreateAliasRequest)?.AliasName != "alias/keyrotation/orders/clock");
    }

    [Fact]
    public async Task RollBackAsync_MarkerAlreadyHeld_RefusesWithoutWriting()
    {
        var (_, _, third) = await RotateTwiceAsync();
        _kms.Aliases["alias/keyrotation/orders/3"] = (third, _time.GetUtcNow());

        var result = await RollBackAsync();

        Assert.Equal(RollbackOutcome.Refused, result.Outcome);
        Assert.Contains("rotation is in progress", result.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain(_kms.Operations, KmsMock.WriteOperations.Contains);
    }

    [Fact]
    public async Task RollBackAsync_TargetNotInChain_RefusesWithoutWriting()
    {
        await RotateTwiceAsync();
        var stranger = _kms.AddKey("alias/other");

        var result = await RollBackAsync(stranger.KeyId);

        Assert.Equal(RollbackOutcome.Refused, result.Outcome);
        Assert.Contains("not an earlier generation", result.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain(_kms.Operations, KmsMock.WriteOperations.Contains);
    }

    [Fact]
    public async Task RollBackAsync_ToOriginalKey_RestoresGenerationOne()
    {
        var (first, _, _) = await RotateTwiceAsync();

        var result = await RollBackAsync(first);

        Assert.Equal(RollbackOutcome.RolledBack, result.Outcome);
        Assert.Equal(first, _kms.KeyOf(Alias).KeyId);
    }

    [Fact]
    public async Task GetAsync_AfterRollback_ListsRolledBackGeneration()
    {
        var (_, second, third) = await RotateTwiceAsync();
        await RollBackAsync();

        var status = await new AliasHistory(_kms.Object).GetAsync(Alias, CancellationToken.None);

        Assert.Equal(second, status.Current.KeyId);
        Assert.Equal(third, Assert.Single(status.RolledBack).KeyId);
        Assert.Equal([1L], status.Earlier.Select(k => k.Generation));
    }

    [Fact]
    public async Task GetAsync_RecordedMarker_ReportsRotationInProgress()
    {
        var (_, _, third) = await RotateTwiceAsync();
        var recorded = _kms.AddKey("alias/keyrotation/orders/3", tags: new Dictionary<string, string>
        {
            [RotationTags.Alias] = Alias,
            [RotationTags.PreviousKey] = third,
            [RotationTags.Sequence] = "3",
            [RotationTags.State] = "pending",
        });

        var status = await new AliasHistory(_kms.Object).GetAsync(Alias, CancellationToken.None);

        Assert.Contains($"recorded {recorded.KeyId}", status.InProgress, StringComparison.Ordinal);
        Assert.Equal(third, status.Current.KeyId);
    }

    [Fact]
    public async Task GetAsync_CurrentKeyPending_ReportsUnfinishedLastSteps()
    {
        var (_, _, third) = await RotateTwiceAsync();
        _kms.Tags[third][RotationTags.State] = "pending";

        var status = await new AliasHistory(_kms.Object).GetAsync(Alias, CancellationToken.None);

        Assert.Contains("last steps", status.InProgress, StringComparison.Ordinal);
    }

    private async Task<(string First, string Second, string Third)> RotateTwiceAsync()
    {
        var first = _kms.AddKey(Alias).KeyId;
        var engine = RotationComposition.Engine(_kms.Object, Mock.Of<IRotationNotifier>(), new RotationOptions(), _time, NullRotationLog.Instance);
        var keys = new List<string> { first };
        for (var i = 0; i < 2; i++)
        {
            var report = await engine.RunAsync(new RotationRequest { RotationId = $"r{i}", Aliases = [Alias], Force = true }, CancellationToken.None);
            Assert.Equal(RotationOutcome.Rotated, report.Results[0].Outcome);
            keys.Add(report.Results[0].NewKeyId!);
        }

        _kms.Calls.Clear();
        return (keys[0], keys[1], keys[2]);
    }

    private Task<RollbackResult> RollBackAsync(string? target = null) =>
        new AliasRollback(_kms.Object, _notifier.Object, _time).RollBackAsync(new RollbackRequest { Alias = Alias, TargetKeyId = target, RollbackId = "rb-1" }, CancellationToken.None);
}
