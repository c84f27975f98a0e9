using KeyRotation.Core.Configuration;
using KeyRotation.Core.Retention;
using KeyRotation.Function;

namespace KeyRotation.IntegrationTests.Retention;

/// <summary>A CloudTrail event of a failed use of a key retention disabled (or scheduled for deletion) brings the key back.</summary>
public sealed class AttemptedUseTests
{
    [Fact]
    public async Task Handle_DisabledKeyUsed_ReenablesTagsAndNotifies()
    {
        using var h = await new RetentionHarness().WithGenerationsAsync(4);
        await h.InvokeAsync();
        var key = h.World.Key(h.Generations[1]);
        Assert.Equal("Disabled", key.KeyState);
        var before = h.World.Sns.Snapshot().Count;

        var response = await h.InvokeAsync(RetentionHarness.AttemptedUseEvent(key.Arn));

        var tags = h.World.Key(key.KeyId).Tags;
        Assert.Equal("Enabled", h.World.Key(key.KeyId).KeyState);
        Assert.Equal("arn:aws:sts::111122223333:assumed-role/reports/batch", tags[RetentionTags.UsedBy]);
        Assert.Equal("Decrypt DisabledException", tags[RetentionTags.ReenabledBecause]);
        var action = Assert.Single(response.GetProperty("actions").EnumerateArray());
        Assert.Equal(("Reenable", "Done", key.KeyId), (action.GetProperty("action").GetString(), action.GetProperty("outcome").GetString(), action.GetProperty("keyId").GetString()));
        var message = Assert.Single(h.World.Sns.Snapshot().Skip(before))["Message"];
        Assert.Contains($"Re-enabled: {key.KeyId}", message, StringComparison.Ordinal);
        Assert.Contains("assumed-role/reports/batch", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Handle_KeyPendingDeletionUsed_CancelsDeletionAndEnables()
    {
        using var h = await new RetentionHarness().WithGenerationsAsync(4);
        h.Environment[SettingNames.DeleteAfterDays] = "0";
        await h.InvokeAsync();
        await h.InvokeAsync();
        var key = h.World.Key(h.Generations[1]);
        Assert.Equal("PendingDeletion", key.KeyState);

        var response = await h.InvokeAsync(RetentionHarness.AttemptedUseEvent(key.Arn, "KMSInvalidStateException"));

        Assert.Equal("Enabled", h.World.Key(key.KeyId).KeyState);
        Assert.Null(h.World.Key(key.KeyId).DeletionDate);
        Assert.True(Assert.Single(response.GetProperty("actions").EnumerateArray()).GetProperty("deletionCancelled").GetBoolean());
    }

    [Fact]
    public async Task Handle_ReenabledKey_IsNeverDisabledAgainByLaterRuns()
    {
        using var h = await new RetentionHarness().WithGenerationsAsync(4);
        await h.InvokeAsync();
        await h.InvokeAsync(RetentionHarness.AttemptedUseEvent(h.World.Key(h.Generations[1]).Arn));
        h.World.Time.Advance(TimeSpan.FromDays(1000));

        await h.InvokeAsync();

        Assert.Equal("Enabled", h.World.Key(h.Generations[1]).KeyState);
    }

    [Fact]
    public async Task Handle_KeyRetentionNeverDisabled_IsLeftAlone()
    {
        using var h = await new RetentionHarness().WithGenerationsAsync(3);
        var key = h.World.Key(h.Generations[1]);
        await h.World.Client.DisableKeyAsync(new Amazon.KeyManagementService.Model.DisableKeyRequest { KeyId = key.KeyId });

        var response = await h.InvokeAsync(RetentionHarness.AttemptedUseEvent(key.Arn));

        Assert.Equal("Disabled", h.World.Key(key.KeyId).KeyState);
        Assert.Empty(response.GetProperty("actions").EnumerateArray());
        Assert.Contains("not disabled by retention", Assert.Single(response.GetProperty("skipped").EnumerateArray()).GetProperty("reason").GetString(), StringComparison.Ordinal);
    }

    /// <summary>Every KMS call that changes something while bringing a key pending deletion back, killed before and after it takes effect.</summary>
    [Theory]
    [InlineData("CancelKeyDeletion", false)]
    [InlineData("CancelKeyDeletion", true)]
    [InlineData("TagResource", false)]
    [InlineData("TagResource", true)]
    [InlineData("EnableKey", false)]
    [InlineData("EnableKey", true)]
    public async Task Handle_KilledAtACall_RedeliveredEventFinishes(string operation, bool afterItTookEffect)
    {
        using var h = await new RetentionHarness().WithGenerationsAsync(4);
        h.Environment[SettingNames.DeleteAfterDays] = "0";
        await h.InvokeAsync();
        await h.InvokeAsync();
        var key = h.World.Key(h.Generations[1]);
        Assert.Equal("PendingDeletion", key.KeyState);
        var crash = new Rotation.SimulatedCrashException($"killed at {operation}");
        var nth = h.World.Kms.Faults.CallCount(operation) + 1;
        if (afterItTookEffect)
        {
            h.World.Kms.Faults.ThrowAfterNth(operation, nth, crash);
        }
        else
        {
            h.World.Kms.Faults.ThrowNth(operation, nth, crash);
        }

        await Assert.ThrowsAsync<Rotation.SimulatedCrashException>(() => h.InvokeAsync(RetentionHarness.AttemptedUseEvent(key.Arn, "KMSInvalidStateException")));
        await h.InvokeAsync(RetentionHarness.AttemptedUseEvent(key.Arn, "KMSInvalidStateException"));
        await h.InvokeAsync();

        Assert.Equal("Enabled", h.World.Key(key.KeyId).KeyState);
        Assert.Null(h.World.Key(key.KeyId).DeletionDate);
        Assert.True(h.World.Key(key.KeyId).Tags.ContainsKey(RetentionTags.ReenabledAt));
    }

    [Theory]
    [InlineData("""{"detail-type":"AWS API Call via CloudTrail","source":"aws.kms","detail":{"errorCode":"AccessDeniedException","eventName":"Decrypt","resources":[{"type":"AWS::KMS::Key","ARN":"arn:aws:kms:us-east-1:111122223333:key/x"}]}}""", "errorCode")]
    [InlineData("""{"detail-type":"AWS API Call via CloudTrail","source":"aws.s3","detail":{}}""", "aws.kms")]
    [InlineData("""{"detail-type":"AWS API Call via CloudTrail","source":"aws.kms","detail":{"errorCode":"DisabledException"}}""", "names no key")]
    [InlineData("""{"force":true}""", "force")]
    public async Task Handle_BadEvent_IsRefusedBeforeAnyCall(string json, string named)
    {
        using var h = await new RetentionHarness().WithGenerationsAsync(2);
        h.World.Kms.ClearRecordedRequests();

        var error = await Assert.ThrowsAsync<InvalidEventException>(() => h.InvokeAsync(json));

        Assert.Contains(named, error.Message, StringComparison.Ordinal);
        Assert.Empty(h.World.Kms.RecordedRequests);
    }
}
