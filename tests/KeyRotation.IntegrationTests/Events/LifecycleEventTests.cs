using System.Text.Json;
using KeyRotation.Core;
using KeyRotation.Core.Events;
using KeyRotation.Core.History;
using KeyRotation.Core.Protocol;
using KeyRotation.Function;
using KeyRotation.IntegrationTests.Retention;
using KeyRotation.IntegrationTests.Rotation;

namespace KeyRotation.IntegrationTests.Events;

/// <summary>
/// Each detail-type driven through the real handlers (or the rollback), the SDK and LocalKms, its events recorded by a
/// sink that checks each one against its schema in docs/events/.
/// </summary>
public sealed class LifecycleEventTests : IDisposable
{
    private const string Alias = "alias/orders";
    private readonly RotationWorld _world = new();
    private readonly RecordingEventSink _events = new();

    public LifecycleEventTests() => _world.EventSink = _events;

    public void Dispose() => _world.Dispose();

    [Fact]
    public async Task Rotate_NewKey_PutsStartedThenRotatedWithBothKeys()
    {
        var key = await _world.CreateAliasedKeyAsync(Alias);

        var response = await _world.InvokeAsync("{}", Alias);

        var result = response.GetProperty("results")[0];
        var newKey = _world.Key(result.GetProperty("newKeyId").GetString()!);
        Assert.Equal([LifecycleDetailTypes.RotationStarted, LifecycleDetailTypes.Rotated], _events.Events.Select(e => e.DetailType));
        var (started, rotated) = (_events.Events[0], _events.Events[1]);
        Assert.Equal((key.Arn, null, key.KeyId, 2L, "new-key", "Started"), (started.Detail.PreviousKeyArn, started.Detail.NewKeyArn, started.Detail.KeyId, started.Detail.Generation, started.Detail.Strategy, started.Detail.Outcome));
        Assert.Equal((key.Arn, newKey.Arn, newKey.KeyId, 2L, "new-key", "Rotated"), (rotated.Detail.PreviousKeyArn, rotated.Detail.NewKeyArn, rotated.Detail.KeyId, rotated.Detail.Generation, rotated.Detail.Strategy, rotated.Detail.Outcome));
        Assert.Equal([key.Arn, newKey.Arn], rotated.Resources);
        Assert.Equal(("111122223333", "us-east-1", Alias), (rotated.Detail.Account, rotated.Detail.Region, rotated.Detail.Alias));
        Assert.All(_events.Events, e => Assert.Equal(response.GetProperty("rotationId").GetString(), e.Detail.RunId));
        Assert.Equal("2", newKey.Tags[RotationTags.Generation]);
        Assert.False(result.TryGetProperty("eventError", out _));
    }

    [Fact]
    public async Task Rotate_Material_PutsRotatedOnTheSameKeyWithoutANewGeneration()
    {
        var key = await _world.CreateAliasedKeyAsync(Alias);
        _world.UseStrategy("material");

        await _world.InvokeAsync("{}", Alias);

        var rotated = Assert.Single(_events.Events, e => e.DetailType == LifecycleDetailTypes.Rotated);
        Assert.Equal((key.Arn, key.Arn, key.KeyId, null, "material"), (rotated.Detail.PreviousKeyArn, rotated.Detail.NewKeyArn, rotated.Detail.KeyId, rotated.Detail.Generation, rotated.Detail.Strategy));
        Assert.Equal([key.Arn], rotated.Resources);
        Assert.Equal("material", Assert.Single(_events.Events, e => e.DetailType == LifecycleDetailTypes.RotationStarted).Detail.Strategy);
    }

    [Fact]
    public async Task Rotate_AliasMissing_PutsFailedWithTheReason()
    {
        await Assert.ThrowsAsync<RotationFailedException>(() => _world.InvokeAsync("{}", Alias));

        var failed = Assert.Single(_events.Events);
        Assert.Equal((LifecycleDetailTypes.RotationFailed, "Failed", Alias), (failed.DetailType, failed.Detail.Outcome, failed.Detail.Alias));
        Assert.Contains("does not exist", failed.Detail.Reason, StringComparison.Ordinal);
        Assert.Empty(failed.Resources);
        Assert.Null(failed.Detail.Account);
    }

    [Fact]
    public async Task Rotate_EventsCannotBePut_RotatesNotifiesAndReportsTheFailureWithoutFailingOrRepeating()
    {
        var key = await _world.CreateAliasedKeyAsync(Alias);
        _events.Fail("AccessDeniedException: not authorized to perform events:PutEvents");

        var response = await _world.InvokeAsync("{}", Alias);

        var result = response.GetProperty("results")[0];
        Assert.Equal("Rotated", result.GetProperty("outcome").GetString());
        Assert.Equal(JsonValueKind.Null, result.GetProperty("notificationError").ValueKind);
        var error = result.GetProperty("eventError").GetString()!;
        Assert.Contains("Key Rotation Started", error, StringComparison.Ordinal);
        Assert.Contains("Key Rotated", error, StringComparison.Ordinal);
        Assert.Contains("not authorized to perform events:PutEvents", error, StringComparison.Ordinal);
        Assert.NotEqual(key.KeyId, _world.Key(Alias).KeyId);
        Assert.Single(_world.Sns.Snapshot());
        Assert.Contains("\"EventPutFailed\":1", _world.Logs, StringComparison.Ordinal);
        Assert.Contains("could not be put", _world.Logs, StringComparison.Ordinal);

        _events.Recover();
        var next = await _world.InvokeAsync("{}", Alias);

        Assert.Equal("Skipped", next.GetProperty("results")[0].GetProperty("outcome").GetString());
        Assert.Single(_world.CreatedFor(Alias));
        Assert.Empty(_events.Events);
    }

    [Fact]
    public async Task Rollback_RolledBack_PutsTheRestoredGeneration()
    {
        var first = await _world.CreateAliasedKeyAsync(Alias);
        await _world.InvokeAsync("{}", Alias);
        var second = _world.Key(Alias);
        var publisher = new LifecycleEventPublisher(_events, NullRotationLog.Instance);

        var result = await new AliasRollback(_world.Client, _world.Notifier, _world.Time, events: publisher)
            .RollBackAsync(new RollbackRequest { Alias = Alias, RollbackId = "rb-1" }, CancellationToken.None);

        Assert.Equal(RollbackOutcome.RolledBack, result.Outcome);
        var rolledBack = Assert.Single(_events.Events, e => e.DetailType == LifecycleDetailTypes.RolledBack);
        Assert.Equal((second.Arn, first.Arn, first.KeyId, 1L, null, "rb-1"), (rolledBack.Detail.PreviousKeyArn, rolledBack.Detail.NewKeyArn, rolledBack.Detail.KeyId, rolledBack.Detail.Generation, rolledBack.Detail.Strategy, rolledBack.Detail.RunId));
        Assert.Null(result.EventError);
    }

    [Fact]
    public async Task Overdue_PutOverdue_CarriesTheDueDateAndAge()
    {
        var key = await _world.CreateAliasedKeyAsync(Alias);
        var publisher = new LifecycleEventPublisher(_events, NullRotationLog.Instance);
        var due = _world.Time.GetUtcNow().AddDays(-5);

        var error = await publisher.PutOverdueAsync(Alias, key.Arn, due, TimeSpan.FromDays(35.5), "rot-overdue", _world.Time.GetUtcNow(), CancellationToken.None);

        Assert.Null(error);
        var overdue = Assert.Single(_events.Events);
        Assert.Equal((LifecycleDetailTypes.AliasRotationOverdue, key.KeyId, RecordedTime.Format(due), 35L), (overdue.DetailType, overdue.Detail.KeyId, overdue.Detail.DueAt, overdue.Detail.AgeDays));
        Assert.Equal([key.Arn], overdue.Resources);
    }
}

/// <summary>The retention function's events: one per key it disabled, scheduled for deletion or enabled again.</summary>
public sealed class RetentionEventTests
{
    [Fact]
    public async Task Run_DisablesThenSchedulesDeletion_PutsOneEventPerKey()
    {
        using var h = await new RetentionHarness().WithGenerationsAsync(4);
        var events = new RecordingEventSink();
        h.World.EventSink = events;

        var first = await h.InvokeAsync();
        h.World.Time.Advance(TimeSpan.FromDays(90));
        await h.InvokeAsync();

        var disabled = Assert.Single(events.Events, e => e.DetailType == LifecycleDetailTypes.GenerationDisabled);
        var scheduled = Assert.Single(events.Events, e => e.DetailType == LifecycleDetailTypes.GenerationScheduledForDeletion);
        var key = h.World.Key(h.Generations[1]);
        Assert.Equal((key.KeyId, 2L, "Disabled", first.GetProperty("runId").GetString()), (disabled.Detail.KeyId, disabled.Detail.Generation, disabled.Detail.Outcome, disabled.Detail.RunId));
        Assert.Equal([key.Arn], disabled.Resources);
        Assert.Equal((key.KeyId, "ScheduledForDeletion"), (scheduled.Detail.KeyId, scheduled.Detail.Outcome));
        Assert.Equal(2, events.Events.Count);
    }

    [Fact]
    public async Task AttemptedUse_KeyPendingDeletion_PutsReenabledWithTheCancelledDeletion()
    {
        using var h = await new RetentionHarness().WithGenerationsAsync(4);
        h.Environment[Core.Configuration.SettingNames.DeleteAfterDays] = "0";
        await h.InvokeAsync();
        await h.InvokeAsync();
        var key = h.World.Key(h.Generations[1]);
        var events = new RecordingEventSink();
        h.World.EventSink = events;

        await h.InvokeAsync(RetentionHarness.AttemptedUseEvent(key.Arn, "KMSInvalidStateException"));

        var reenabled = Assert.Single(events.Events);
        Assert.Equal((LifecycleDetailTypes.GenerationReenabled, key.KeyId, true, "Reenabled"), (reenabled.DetailType, reenabled.Detail.KeyId, reenabled.Detail.DeletionCancelled, reenabled.Detail.Outcome));
    }

    [Fact]
    public async Task Run_EventsCannotBePut_StepsStandAndTheResponseSaysSo()
    {
        using var h = await new RetentionHarness().WithGenerationsAsync(4);
        var events = new RecordingEventSink();
        events.Fail("ThrottlingException: Rate exceeded");
        h.World.EventSink = events;

        var response = await h.InvokeAsync();

        Assert.Equal(["Enabled", "Disabled", "Enabled", "Enabled"], h.States());
        Assert.Contains("Rate exceeded", response.GetProperty("eventError").GetString(), StringComparison.Ordinal);
    }
}
