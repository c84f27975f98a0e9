using KeyRotation.Core.Configuration;
using KeyRotation.Function;

namespace KeyRotation.IntegrationTests.Retention;

/// <summary>The retention handler's refusals and dry run: bad configuration or events change nothing and say why.</summary>
public sealed class RetentionHandlerTests
{
    [Fact]
    public async Task Handle_BadConfiguration_ThrowsNamingEachValue_AndCallsNothing()
    {
        using var h = await new RetentionHarness().WithGenerationsAsync(2);
        h.Environment[SettingNames.RetentionMode] = "purge";
        h.Environment[SettingNames.PendingWindowDays] = "3";
        h.World.Kms.ClearRecordedRequests();

        var error = await Assert.ThrowsAsync<ConfigurationException>(() => h.InvokeAsync());

        Assert.Contains("RETENTION_MODE: 'purge'", error.Message, StringComparison.Ordinal);
        Assert.Contains("PENDING_WINDOW_DAYS: '3'", error.Message, StringComparison.Ordinal);
        Assert.Empty(h.World.Kms.RecordedRequests);
    }

    [Fact]
    public async Task Handle_ManualEventNamingAnUnconfiguredAlias_IsRefused()
    {
        using var h = await new RetentionHarness().WithGenerationsAsync(2);
        h.World.Kms.ClearRecordedRequests();

        var error = await Assert.ThrowsAsync<InvalidEventException>(() => h.InvokeAsync("""{"aliases":["alias/reports"]}"""));

        Assert.Contains("alias/reports", error.Message, StringComparison.Ordinal);
        Assert.Empty(h.World.Kms.RecordedRequests);
    }

    [Fact]
    public async Task Handle_DryRun_ReportsPlannedActionsAndChangesNothing()
    {
        using var h = await new RetentionHarness().WithGenerationsAsync(4);

        var response = await h.InvokeAsync("""{"dryRun":true}""");

        Assert.All(h.States(), s => Assert.Equal("Enabled", s));
        var action = Assert.Single(response.GetProperty("actions").EnumerateArray());
        Assert.Equal(("Disable", "Planned", h.Generations[1]), (action.GetProperty("action").GetString(), action.GetProperty("outcome").GetString(), action.GetProperty("keyId").GetString()));
    }

    [Fact]
    public async Task Handle_SchedulerPayload_RunsRetention()
    {
        using var h = await new RetentionHarness().WithGenerationsAsync(4);

        await h.InvokeAsync("""{"trigger":"schedule","scheduledTime":"2027-06-07T04:00:00Z"}""");

        Assert.Equal(["Enabled", "Disabled", "Enabled", "Enabled"], h.States());
    }

    [Fact]
    public async Task Handle_StepFails_InvocationFailsNamingTheKey_AndTheNextRunFinishes()
    {
        using var h = await new RetentionHarness().WithGenerationsAsync(5);
        h.World.Kms.Faults.FailNth("DisableKey", h.World.Kms.Faults.CallCount("DisableKey") + 1, "KMSInvalidStateException", "Injected");

        var error = await Assert.ThrowsAsync<RotationFailedException>(() => h.InvokeAsync());

        Assert.Contains("DisableKey", error.Message, StringComparison.Ordinal);
        Assert.Contains(h.Generations[2], error.Message, StringComparison.Ordinal);

        // Only the failed alias's later steps wait for the next run; the next run finishes them.
        Assert.Equal(["Enabled", "Enabled", "Enabled", "Enabled", "Enabled"], h.States());
        await h.InvokeAsync();
        Assert.Equal(["Enabled", "Disabled", "Disabled", "Enabled", "Enabled"], h.States());
    }

    [Fact]
    public async Task Handle_OneAliasCannotBeRead_OthersAreHandled_AndTheInvocationFailsNamingIt()
    {
        using var h = await new RetentionHarness().WithGenerationsAsync(4);
        await h.WithGenerationsAsync(4, "alias/reports");
        h.Environment[SettingNames.RotationAliases] = RetentionHarness.Alias + ",alias/reports";
        h.World.Kms.Faults.FailNth("ListResourceTags", h.World.Kms.Faults.CallCount("ListResourceTags") + 1, "AccessDeniedException", "not allowed");

        var error = await Assert.ThrowsAsync<RotationFailedException>(() => h.InvokeAsync());

        Assert.Contains($"{RetentionHarness.Alias}: {RetentionHarness.Alias} could not be read", error.Message, StringComparison.Ordinal);
        Assert.Contains(h.World.CreatedFor("alias/reports"), k => h.World.Key(k.KeyId).KeyState == "Disabled");
    }

    [Fact]
    public async Task Handle_PrefixPatternInRotationAliases_HandlesEverySelectedAlias()
    {
        using var h = await new RetentionHarness().WithGenerationsAsync(4, "alias/team/a");
        await h.WithGenerationsAsync(4, "alias/team/b");
        h.Environment[SettingNames.RotationAliases] = "alias/team/*";

        await h.InvokeAsync();

        Assert.Contains(h.World.CreatedFor("alias/team/a"), k => h.World.Key(k.KeyId).KeyState == "Disabled");
        Assert.Contains(h.World.CreatedFor("alias/team/b"), k => h.World.Key(k.KeyId).KeyState == "Disabled");
    }
}
