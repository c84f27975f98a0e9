using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using KeyRotation.Core;
using KeyRotation.Core.Configuration;
using KeyRotation.Function;

namespace KeyRotation.IntegrationTests.Rotation;

/// <summary>Every kind of bad input gets a clear error and changes nothing.</summary>
public sealed class BadInputTests : IDisposable
{
    private const string Alias = "alias/orders";
    private readonly RotationWorld _world = new();

    [Theory]
    [InlineData("not json", "not valid JSON")]
    [InlineData("[1,2]", "must be a JSON object")]
    [InlineData("""{"aliases":"alias/orders"}""", "must be an array")]
    [InlineData("""{"aliases":["orders"]}""", "is not an alias name")]
    [InlineData("""{"aliases":["alias/with space"]}""", "characters KMS does not allow")]
    [InlineData("""{"aliases":["alias/aws/s3"]}""", "reserved for AWS managed keys")]
    [InlineData("""{"aliases":["alias/not-configured"]}""", "Not configured for rotation")]
    [InlineData("""{"dryRun":"true"}""", "must be true or false")]
    [InlineData("""{"source":"aws.events","detail-type":"Scheduled Event","time":"yesterday"}""", "must be an ISO 8601 time")]
    [InlineData("""{"trigger":"schedule"}""", "needs \"scheduledTime\"")]
    [InlineData("""{"rotate":"everything"}""", "has no field \"rotate\"")]
    public async Task Invoke_MalformedEvent_RefusedBeforeAnyCall(string json, string expected)
    {
        await _world.CreateAliasedKeyAsync(Alias);
        _world.Kms.ClearRecordedRequests();

        var error = await Assert.ThrowsAsync<InvalidEventException>(() => _world.InvokeAsync(json, Alias));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.Empty(_world.Kms.RecordedRequests);
        Assert.Empty(_world.Sns.Snapshot());
    }

    [Theory]
    [InlineData(null, "NOTIFICATION_TOPIC_ARN is not set")]
    [InlineData("key-rotation", "NOTIFICATION_TOPIC_ARN:")]
    [InlineData("arn:aws:sns:us-east-1:1234:key-rotation", "NOTIFICATION_TOPIC_ARN:")]
    public async Task Invoke_MissingOrMalformedTopicArn_RefusedBeforeAnyCall(string? topic, string expected)
    {
        await _world.CreateAliasedKeyAsync(Alias);
        _world.Kms.ClearRecordedRequests();
        if (topic is null)
        {
            _world.Environment.Remove(SettingNames.NotificationTopicArn);
        }
        else
        {
            _world.Environment[SettingNames.NotificationTopicArn] = topic;
        }

        var error = await Assert.ThrowsAsync<ConfigurationException>(() => _world.InvokeAsync("{}", Alias));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.Empty(_world.Kms.RecordedRequests);
    }

    [Fact]
    public async Task Invoke_InvalidAliasInConfiguration_RefusedBeforeAnyCall()
    {
        var error = await Assert.ThrowsAsync<ConfigurationException>(() => _world.InvokeAsync("{}", "alias/ok", "alias/bad!name"));

        Assert.Contains("'alias/bad!name' has characters KMS does not allow", error.Message, StringComparison.Ordinal);
        Assert.Empty(_world.Kms.RecordedRequests);
    }

    [Fact]
    public async Task Invoke_AliasThatDoesNotExist_FailsNamingItAndChangesNothing()
    {
        var error = await Assert.ThrowsAsync<RotationFailedException>(() => _world.InvokeAsync("{}", Alias));

        Assert.Contains("Alias alias/orders does not exist", error.Message, StringComparison.Ordinal);
        AssertNothingWritten();
    }

    [Fact]
    public async Task Invoke_DisabledKey_FailsAndChangesNothing()
    {
        var key = await _world.CreateAliasedKeyAsync(Alias);
        await _world.Client.DisableKeyAsync(new DisableKeyRequest { KeyId = key.KeyId });
        _world.Kms.ClearRecordedRequests();

        var error = await Assert.ThrowsAsync<RotationFailedException>(() => _world.InvokeAsync("{}", Alias));

        Assert.Contains("which is Disabled, not Enabled", error.Message, StringComparison.Ordinal);
        AssertNothingWritten();
        Assert.Equal("Disabled", _world.Key(key.KeyId).KeyState);
    }

    [Fact]
    public async Task Invoke_KeyPendingDeletion_FailsAndChangesNothing()
    {
        var key = await _world.CreateAliasedKeyAsync(Alias);
        await _world.Client.ScheduleKeyDeletionAsync(new ScheduleKeyDeletionRequest { KeyId = key.KeyId, PendingWindowInDays = 30 });
        _world.Kms.ClearRecordedRequests();

        var error = await Assert.ThrowsAsync<RotationFailedException>(() => _world.InvokeAsync("{}", Alias));

        Assert.Contains("PendingDeletion, not Enabled: it is scheduled for deletion", error.Message, StringComparison.Ordinal);
        AssertNothingWritten();
    }

    [Fact]
    public async Task Invoke_KeyPendingImport_FailsAndChangesNothing()
    {
        await _world.CreateAliasedKeyAsync(Alias, origin: OriginType.EXTERNAL);
        _world.Kms.ClearRecordedRequests();

        var error = await Assert.ThrowsAsync<RotationFailedException>(() => _world.InvokeAsync("{}", Alias));

        Assert.Contains("PendingImport, not Enabled: it is waiting for imported key material", error.Message, StringComparison.Ordinal);
        AssertNothingWritten();
    }

    [Fact]
    public async Task Invoke_FailedAlias_IsNotifiedWithWhatToCheck()
    {
        await _world.CreateAliasedKeyAsync(Alias, origin: OriginType.EXTERNAL);

        await Assert.ThrowsAsync<RotationFailedException>(() => _world.InvokeAsync("{}", Alias));

        var published = Assert.Single(_world.Sns.Snapshot());
        Assert.Equal("KMS key rotation Failed: alias/orders", published["Subject"]);
        Assert.Contains("What to check", published["Message"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Invoke_SnsRefuses_RotationStaysDoneAndTheErrorIsReported()
    {
        var old = await _world.CreateAliasedKeyAsync(Alias);
        _world.Sns.RefuseWith = "AuthorizationError";

        var error = await Assert.ThrowsAsync<RotationFailedException>(() => _world.InvokeAsync("{}", Alias));

        Assert.Contains("alias/orders: The notification could not be sent", error.Message, StringComparison.Ordinal);
        Assert.Contains("AuthorizationError", error.Message, StringComparison.Ordinal);
        Assert.NotEqual(old.KeyId, _world.Key(Alias).KeyId);
        Assert.Contains("\"notificationError\":\"The notification could not be sent", _world.Logs, StringComparison.Ordinal);
        Assert.Contains("\"level\":\"ERROR\"", _world.Logs, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Invoke_RetryAfterSnsRefused_NotifiesWithoutRotatingAgain()
    {
        await _world.CreateAliasedKeyAsync(Alias);
        _world.Sns.RefuseWith = "AuthorizationError";
        await Assert.ThrowsAsync<RotationFailedException>(() => _world.InvokeAsync("{}", Alias));
        var rotatedTo = _world.Key(Alias).KeyId;
        _world.Sns.RefuseWith = null;

        var response = await _world.InvokeAsync("{}", Alias);

        Assert.Equal(rotatedTo, response.GetProperty("results")[0].GetProperty("newKeyId").GetString());
        Assert.Single(_world.CreatedFor(Alias));
        Assert.Single(_world.Sns.Snapshot());
        Assert.Equal("active", _world.Key(rotatedTo).Tags[RotationTags.State]);
    }

    private void AssertNothingWritten()
    {
        string[] writes = ["CreateKey", "CreateAlias", "UpdateAlias", "TagResource", "UntagResource", "DisableKey", "ScheduleKeyDeletion", "DeleteAlias"];
        Assert.DoesNotContain(_world.Kms.RecordedRequests, r => writes.Contains(r.Operation));
    }

    public void Dispose() => _world.Dispose();
}
