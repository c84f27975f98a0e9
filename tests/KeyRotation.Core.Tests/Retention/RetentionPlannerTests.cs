using KeyRotation.Core.Configuration;
using KeyRotation.Core.Retention;

namespace KeyRotation.Core.Tests.Retention;

public sealed class RetentionPlannerTests
{
    private const string Alias = "alias/orders";
    private static readonly DateTimeOffset Now = new(2027, 6, 1, 0, 0, 0, TimeSpan.Zero);

    private static RetentionSettings Settings(RetentionMode mode = RetentionMode.DisableThenDelete, int retain = 1) => new()
    {
        Aliases = [Alias],
        NotificationTopicArn = "arn:aws:sns:eu-west-1:111122223333:key-rotation",
        Mode = mode,
        RetainGenerations = retain,
        DisableAfterDays = 30,
        DeleteAfterDays = 90,
    };

    /// <summary>Index 0 is current; every key but the last was created by the tool; each was retired <paramref name="retiredDaysAgo"/> days ago.</summary>
    private static RetentionView Chain(int length, int retiredDaysAgo = 400, Func<int, RetentionKey, RetentionKey>? change = null)
    {
        var keys = new List<RetentionKey>();
        for (var i = 0; i < length; i++)
        {
            var tags = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                [RotationTags.State] = i == 0 ? RotationTags.KeyStates.Active : RotationTags.KeyStates.Retired,
                [RotationTags.Sequence] = (length - 1 - i).ToString(System.Globalization.CultureInfo.InvariantCulture),
            };
            if (i < length - 1)
            {
                tags[RotationTags.PreviousKey] = $"key-{i + 1}";
            }

            if (i > 0)
            {
                tags[RotationTags.RetiredAt] = RecordedTime.Format(Now.AddDays(-retiredDaysAgo));
            }

            var key = new RetentionKey { KeyId = $"key-{i}", Index = i, Generation = length - i, KeyState = "Enabled", Origin = "AWS_KMS", Tags = tags };
            keys.Add(change?.Invoke(i, key) ?? key);
        }

        return new RetentionView { Alias = Alias, Keys = keys };
    }

    private static RetentionAction ActionFor(RetentionPlan plan, string keyId) => plan.Steps.Single(s => s.KeyId == keyId).Action;

    [Fact]
    public void Plan_OldRetiredKeys_DisablesAllButCurrentRetainedAndFirst()
    {
        var plan = RetentionPlanner.Plan(Chain(5), Settings(retain: 2), Now);

        Assert.Equal(
            [RetentionAction.Keep, RetentionAction.Keep, RetentionAction.Keep, RetentionAction.Disable, RetentionAction.Keep],
            plan.Steps.Select(s => s.Action));
        Assert.Contains("did not create", plan.Steps[4].Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Plan_RetiredRecently_Keeps()
    {
        var plan = RetentionPlanner.Plan(Chain(4, retiredDaysAgo: 29), Settings(), Now);

        Assert.All(plan.Steps, s => Assert.Equal(RetentionAction.Keep, s.Action));
    }

    [Fact]
    public void Plan_Off_ChangesNothing()
    {
        var plan = RetentionPlanner.Plan(Chain(6), Settings(RetentionMode.Off), Now);

        Assert.All(plan.Steps, s => Assert.Equal(RetentionAction.Keep, s.Action));
    }

    [Fact]
    public void Plan_DisabledLongEnough_SchedulesDeletionOnlyInDisableThenDelete()
    {
        var view = Chain(4, change: (i, k) => i == 2
            ? k with { KeyState = "Disabled", Tags = new Dictionary<string, string>(k.Tags) { [RetentionTags.DisabledAt] = RecordedTime.Format(Now.AddDays(-90)) } }
            : k);

        Assert.Equal(RetentionAction.ScheduleDeletion, ActionFor(RetentionPlanner.Plan(view, Settings(), Now), "key-2"));
        Assert.Equal(RetentionAction.Keep, ActionFor(RetentionPlanner.Plan(view, Settings(RetentionMode.Disable), Now), "key-2"));
        Assert.Equal(RetentionAction.Keep, ActionFor(RetentionPlanner.Plan(view, Settings(), Now.AddDays(-1)), "key-2"));
    }

    [Fact]
    public void Plan_DisabledBySomeoneElse_Keeps()
    {
        var view = Chain(4, change: (i, k) => i == 2 ? k with { KeyState = "Disabled" } : k);

        Assert.Equal(RetentionAction.Keep, ActionFor(RetentionPlanner.Plan(view, Settings(), Now), "key-2"));
    }

    [Fact]
    public void Plan_KeyBehindAnotherAlias_Keeps()
    {
        var view = Chain(4, change: (i, k) => i == 2 ? k with { OtherAliases = ["alias/reports"] } : k);

        var step = RetentionPlanner.Plan(view, Settings(), Now).Steps.Single(s => s.KeyId == "key-2");

        Assert.Equal(RetentionAction.Keep, step.Action);
        Assert.Contains("alias/reports", step.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Plan_ExternalKeyWithoutConfirmedEscrow_Keeps()
    {
        var view = Chain(4, change: (i, k) => i == 2 ? k with { Origin = "EXTERNAL", EscrowConfirmed = false } : i == 1 ? k with { Origin = "EXTERNAL", EscrowConfirmed = true } : k);

        Assert.Equal(RetentionAction.Keep, ActionFor(RetentionPlanner.Plan(view, Settings(), Now), "key-2"));
        Assert.Equal(RetentionAction.Disable, ActionFor(RetentionPlanner.Plan(view, Settings(retain: 0), Now), "key-1"));
    }

    [Fact]
    public void Plan_KeyReenabledAfterUse_IsNeverDisabledAgain()
    {
        var view = Chain(4, change: (i, k) => i == 2 ? k with { Tags = new Dictionary<string, string>(k.Tags) { [RetentionTags.DisabledAt] = "2027-01-01T00:00:00Z", [RetentionTags.ReenabledAt] = "2027-02-01T00:00:00Z" } } : k);

        Assert.Equal(RetentionAction.Keep, ActionFor(RetentionPlanner.Plan(view, Settings(), Now), "key-2"));
    }

    [Fact]
    public void Plan_TaggedDisabledButStillEnabled_FinishesDisabling()
    {
        var view = Chain(4, retiredDaysAgo: 1, change: (i, k) => i == 2 ? k with { Tags = new Dictionary<string, string>(k.Tags) { [RetentionTags.DisabledAt] = RecordedTime.Format(Now) } } : k);

        Assert.Equal(RetentionAction.Disable, ActionFor(RetentionPlanner.Plan(view, Settings(), Now), "key-2"));
    }

    [Fact]
    public void Plan_MoveInProgressOrBrokenChain_LeavesTheAliasAlone()
    {
        Assert.Empty(RetentionPlanner.Plan(Chain(6) with { InProgress = "mid-rotation." }, Settings(), Now).Steps);
        Assert.NotNull(RetentionPlanner.Plan(Chain(6) with { Problem = "broken" }, Settings(), Now).SkipReason);
    }

    [Fact]
    public void Plan_OldTakeoverAliasOfFinishedMove_IsDeleted_ButNotTheMoveMarker()
    {
        var view = Chain(4) with
        {
            Markers =
            [
                new MarkerAliasEntry("alias/keyrotation/orders/2", 2, false, "key-1", Now.AddDays(-100)),
                new MarkerAliasEntry("alias/keyrotation/orders/2-takeover-1", 2, true, "key-2", Now.AddDays(-100)),
                new MarkerAliasEntry("alias/keyrotation/orders/3-takeover-1", 3, true, "key-1", Now.AddDays(-1)),
            ],
        };

        var deleted = RetentionPlanner.Plan(view, Settings(), Now).Steps.Where(s => s.Action == RetentionAction.DeleteMarkerAlias).Select(s => s.MarkerAlias);

        Assert.Equal(["alias/keyrotation/orders/2-takeover-1"], deleted);
    }
}
