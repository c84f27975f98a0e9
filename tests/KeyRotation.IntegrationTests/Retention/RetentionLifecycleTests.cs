using Amazon.KeyManagementService.Model;
using KeyRotation.Core;
using KeyRotation.Core.Configuration;
using KeyRotation.Core.History;
using KeyRotation.Core.Protocol;
using KeyRotation.Core.Retention;

namespace KeyRotation.IntegrationTests.Retention;

/// <summary>Retention through the real handler, the real SDK client and LocalKms, as the days pass on a fake clock.</summary>
public sealed class RetentionLifecycleTests
{
    private const string Enabled = "Enabled";
    private const string Disabled = "Disabled";
    private const string PendingDeletion = "PendingDeletion";

    [Fact]
    public async Task Run_SixGenerations_RetireDisableThenScheduleDeletionAsDaysPass()
    {
        using var h = await new RetentionHarness().WithGenerationsAsync(6);

        // Generation 5 was retired 30 days ago, 4 sixty, 3 ninety, 2 a hundred and twenty; 1 is the alias's own first key.
        var first = await h.InvokeAsync();

        Assert.Equal([Enabled, Disabled, Disabled, Disabled, Enabled, Enabled], h.States());
        Assert.Equal(
            [h.Generations[3], h.Generations[2], h.Generations[1]],
            first.GetProperty("actions").EnumerateArray().Where(a => a.GetProperty("action").GetString() == "Disable").Select(a => a.GetProperty("keyId").GetString()));
        var disabledTags = h.World.Key(h.Generations[1]).Tags;
        Assert.Equal(RecordedTime.Format(h.World.Time.GetUtcNow()), disabledTags[RetentionTags.DisabledAt]);
        Assert.Equal(first.GetProperty("runId").GetString(), disabledTags[RetentionTags.DisabledBy]);

        h.World.Time.Advance(TimeSpan.FromDays(89));
        await h.InvokeAsync();
        Assert.Equal([Enabled, Disabled, Disabled, Disabled, Enabled, Enabled], h.States());

        h.World.Time.Advance(TimeSpan.FromDays(1));
        await h.InvokeAsync();
        Assert.Equal([Enabled, PendingDeletion, PendingDeletion, PendingDeletion, Enabled, Enabled], h.States());
        Assert.All(h.Generations[1..4], id => Assert.Equal(h.World.Time.GetUtcNow().AddDays(7), h.World.Key(id).DeletionDate));

        h.World.Time.Advance(TimeSpan.FromDays(7));
        var last = await h.InvokeAsync();
        Assert.Equal([Enabled, "Deleted", "Deleted", "Deleted", Enabled, Enabled], h.States());
        Assert.Empty(last.GetProperty("actions").EnumerateArray());
        Assert.Empty(last.GetProperty("skipped").EnumerateArray());
    }

    [Fact]
    public async Task Run_KeysChanged_NotificationNamesEveryKey()
    {
        using var h = await new RetentionHarness().WithGenerationsAsync(5);
        var before = h.World.Sns.Snapshot().Count;

        await h.InvokeAsync();

        var message = Assert.Single(h.World.Sns.Snapshot().Skip(before))["Message"];
        Assert.Contains($"Disabled: {h.Generations[1]}", message, StringComparison.Ordinal);
        Assert.Contains($"Disabled: {h.Generations[2]}", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_Off_ChangesNothing()
    {
        using var h = await new RetentionHarness().WithGenerationsAsync(6);
        h.Environment.Remove(SettingNames.RetentionMode);
        h.World.Time.Advance(TimeSpan.FromDays(1000));
        h.World.Kms.ClearRecordedRequests();

        var response = await h.InvokeAsync();

        Assert.Equal("off", response.GetProperty("mode").GetString());
        Assert.All(h.States(), s => Assert.Equal(Enabled, s));
        Assert.All(h.World.Kms.RecordedRequests, r => Assert.Contains(r.Operation, new[] { "ListAliases", "DescribeKey", "ListResourceTags" }));
    }

    [Fact]
    public async Task Run_DisableMode_NeverSchedulesDeletion()
    {
        using var h = await new RetentionHarness().WithGenerationsAsync(4);
        h.Environment[SettingNames.RetentionMode] = "disable";

        await h.InvokeAsync();
        h.World.Time.Advance(TimeSpan.FromDays(1000));
        await h.InvokeAsync();

        Assert.Equal([Enabled, Disabled, Enabled, Enabled], h.States());
    }

    [Fact]
    public async Task Run_AfterRollback_RestoredKeyAndItsPredecessorStayEnabled()
    {
        using var h = await new RetentionHarness().WithGenerationsAsync(5);
        var rollback = await new AliasRollback(h.World.Client, h.World.Notifier, h.World.Time)
            .RollBackAsync(new RollbackRequest { Alias = RetentionHarness.Alias, RollbackId = "rb-1" }, CancellationToken.None);
        Assert.Equal(RollbackOutcome.RolledBack, rollback.Outcome);
        h.Environment[SettingNames.DisableAfterDays] = "0";
        h.World.Time.Advance(TimeSpan.FromDays(400));

        await h.InvokeAsync();

        // Generation 4 is the alias's key again, 3 is its rollback target, 5 was rolled back from: none is disabled.
        Assert.Equal([Enabled, Disabled, Enabled, Enabled, Enabled], h.States());
    }

    [Fact]
    public async Task Run_AliasNotInTheList_IsUntouched()
    {
        using var h = await new RetentionHarness().WithGenerationsAsync(4);
        await h.WithGenerationsAsync(1, "alias/reports");
        for (var i = 0; i < 4; i++)
        {
            await h.RotateAsync("alias/reports");
            h.World.Time.Advance(TimeSpan.FromDays(30));
        }

        await h.InvokeAsync();

        var reportsKeys = h.World.CreatedFor("alias/reports");
        Assert.Equal(4, reportsKeys.Count);
        Assert.All(reportsKeys, k => Assert.Equal(Enabled, h.World.Key(k.KeyId).KeyState));
        Assert.Equal([Enabled, Disabled, Enabled, Enabled], h.States());
    }

    [Fact]
    public async Task Run_KeyStillBehindAnotherAlias_IsUntouched()
    {
        using var h = await new RetentionHarness().WithGenerationsAsync(5);
        await h.World.Client.CreateAliasAsync(new CreateAliasRequest { AliasName = "alias/legacy-orders", TargetKeyId = h.Generations[2] });

        var response = await h.InvokeAsync();

        Assert.Equal([Enabled, Disabled, Enabled, Enabled, Enabled], h.States());
        Assert.DoesNotContain(response.GetProperty("actions").EnumerateArray(), a => a.GetProperty("keyId").GetString() == h.Generations[2]);
    }

    [Fact]
    public async Task Run_MidRotation_LeavesTheAliasAlone()
    {
        using var h = await new RetentionHarness().WithGenerationsAsync(5);
        h.World.Kms.Faults.ThrowNth("UpdateAlias", h.World.Kms.Faults.CallCount("UpdateAlias") + 1, new Rotation.SimulatedCrashException("killed before moving the alias"));
        await Assert.ThrowsAsync<Rotation.SimulatedCrashException>(() => h.World.InvokeAsync("{}", RetentionHarness.Alias));

        var response = await h.InvokeAsync();

        Assert.All(h.States(), s => Assert.Equal(Enabled, s));
        Assert.Contains("mid-rotation", Assert.Single(response.GetProperty("skipped").EnumerateArray()).GetProperty("reason").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_TagsPlantedOnAForeignKey_LeaveTheAliasAlone()
    {
        using var h = await new RetentionHarness().WithGenerationsAsync(4);

        // A key that claims to be generation 2's predecessor by tags alone, with no marker alias of a move.
        var foreign = (await h.World.Client.CreateKeyAsync(new CreateKeyRequest())).KeyMetadata.KeyId;
        await h.World.Client.TagResourceAsync(new TagResourceRequest
        {
            KeyId = foreign,
            Tags = [new() { TagKey = RotationTags.Alias, TagValue = RetentionHarness.Alias }, new() { TagKey = RotationTags.State, TagValue = "retired" }, new() { TagKey = RotationTags.RetiredAt, TagValue = "2020-01-01T00:00:00Z" }, new() { TagKey = RotationTags.SuccessorKey, TagValue = h.Generations[0] }, new() { TagKey = RotationTags.PreviousKey, TagValue = "none" }],
        });
        await h.World.Client.TagResourceAsync(new TagResourceRequest { KeyId = h.Generations[0], Tags = [new() { TagKey = RotationTags.PreviousKey, TagValue = foreign }, new() { TagKey = RotationTags.Alias, TagValue = RetentionHarness.Alias }] });

        var response = await h.InvokeAsync();

        Assert.Equal(Enabled, h.World.Key(foreign).KeyState);
        Assert.All(h.States(), s => Assert.Equal(Enabled, s));
        Assert.Contains("marker alias", Assert.Single(response.GetProperty("skipped").EnumerateArray()).GetProperty("reason").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_TakeoverAliasOfAFinishedMove_IsDeletedOnceOldEnough_MarkersStay()
    {
        using var h = await new RetentionHarness().WithGenerationsAsync(3);
        const string Takeover = "alias/keyrotation/orders/1-takeover-1";
        await h.World.Client.CreateAliasAsync(new CreateAliasRequest { AliasName = Takeover, TargetKeyId = h.Generations[0] });
        h.World.Time.Advance(TimeSpan.FromDays(29));
        await h.InvokeAsync();
        Assert.NotNull(h.World.Kms.GetKeySnapshot(Takeover));

        h.World.Time.Advance(TimeSpan.FromDays(1));
        var response = await h.InvokeAsync();

        Assert.Null(h.World.Kms.GetKeySnapshot(Takeover));
        Assert.Contains(response.GetProperty("actions").EnumerateArray(), a => a.GetProperty("markerAlias").GetString() == Takeover && a.GetProperty("outcome").GetString() == "Done");
        Assert.NotNull(h.World.Kms.GetKeySnapshot("alias/keyrotation/orders/1"));
        Assert.NotNull(h.World.Kms.GetKeySnapshot("alias/keyrotation/orders/2"));
    }
}
