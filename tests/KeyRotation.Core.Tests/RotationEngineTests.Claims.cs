using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using Moq;
using KeyRotation.Integrations.Composition;

namespace KeyRotation.Core.Tests;

/// <summary>Claims: losing, waiting for and taking over another run's claim, adopting its key, CreateKey retries.</summary>
public sealed partial class RotationEngineTests
{
    [Fact]
    public async Task RunAsync_AnotherRunWinsTheClaim_SkipsWithoutCreatingKey()
    {
        _kms.AddKey(AliasName);
        _kms.FailNext["CreateAlias"] = new AlreadyExistsException("An alias with the name alias/keyrotation/orders/1 already exists");

        var result = Assert.Single((await RunAsync(Request())).Results);

        Assert.Equal(RotationOutcome.Skipped, result.Outcome);
        Assert.Contains("Another run is rotating alias/orders", result.Reason, StringComparison.Ordinal);
        Assert.Empty(_kms.Requests<CreateKeyRequest>());
    }

    [Fact]
    public async Task RunAsync_FreshClaimByAnotherRun_SkipsUntilClaimTimesOut()
    {
        var old = _kms.AddKey(AliasName);
        _kms.Aliases["alias/keyrotation/orders/1"] = (old.KeyId, Now - TimeSpan.FromMinutes(2));

        var result = Assert.Single((await RunAsync(Request())).Results);

        Assert.Equal(RotationOutcome.Skipped, result.Outcome);
        Assert.Contains("Another run is rotating alias/orders (alias/keyrotation/orders/1, claimed at 2026-12-01T02:58:00Z (KMS time; 2 minutes ago)", result.Reason, StringComparison.Ordinal);
        AssertNoWrites();
    }

    [Fact]
    public async Task RunAsync_StaleClaimWithUnrecordedKey_AdoptsThatKeyInsteadOfCreatingAnother()
    {
        var old = _kms.AddKey(AliasName);
        await RunAsync(Request() with { DryRun = true });
        _kms.Aliases["alias/keyrotation/orders/1"] = (old.KeyId, Now - TimeSpan.FromHours(1));
        var orphan = _kms.AddKey("alias/unrelated", tags: new Dictionary<string, string>
        {
            [RotationTags.Alias] = AliasName,
            [RotationTags.Sequence] = "1",
            [RotationTags.PreviousKey] = old.KeyId,
            [RotationTags.State] = "pending",
        });

        var result = Assert.Single((await RunAsync(Request())).Results);

        Assert.Equal(RotationOutcome.Rotated, result.Outcome);
        Assert.True(result.Resumed);
        Assert.Equal(orphan.KeyId, result.NewKeyId);
        Assert.Empty(_kms.Requests<CreateKeyRequest>());
        Assert.Equal(old.KeyId, _kms.Aliases["alias/keyrotation/orders/1"].KeyId);
        Assert.Equal(orphan.KeyId, _kms.Aliases[AliasName].KeyId);
        var query = Assert.Single(_kms.TagQueries);
        Assert.Equal(
            new Dictionary<string, string> { [RotationTags.Alias] = AliasName, [RotationTags.Sequence] = "1", [RotationTags.PreviousKey] = old.KeyId },
            query.ToDictionary());
    }

    [Fact]
    public async Task RunAsync_ClaimReleasedAfterTheKeyWasCreated_NextRunAdoptsTheNamedKeyWithoutTheTaggingIndex()
    {
        var old = _kms.AddKey(AliasName);
        _kms.FailNext["UpdateAlias"] = new KMSInternalException("lost before the move");
        var first = Assert.Single((await RunAsync(Request())).Results);
        var newKeyId = _kms.Tags.Single(t => t.Value.GetValueOrDefault(RotationTags.PreviousKey) == old.KeyId).Key;

        // Released at once (no waiting for the claim to expire): the old key names the new key.
        Assert.Equal(RotationOutcome.Failed, first.Outcome);
        Assert.Equal(("alias/keyrotation/orders/1", newKeyId), (_kms.Tags[old.KeyId][RotationTags.ClaimReleased], _kms.Tags[old.KeyId][RotationTags.ReleasedWithKey]));

        var second = Assert.Single((await RunAsync(Request() with { RotationId = "rot-2" })).Results);

        Assert.Equal((RotationOutcome.Rotated, true, newKeyId), (second.Outcome, second.Resumed, second.NewKeyId));
        Assert.Single(_kms.Requests<CreateKeyRequest>());
        Assert.Empty(_kms.TagQueries);
        Assert.Equal(newKeyId, _kms.Aliases[AliasName].KeyId);
    }

    [Fact]
    public async Task RunAsync_StaleClaimWithTwoKeysTaggedForTheMove_FailsNamingBothAndCreatesNothing()
    {
        var old = _kms.AddKey(AliasName);
        _kms.Aliases["alias/keyrotation/orders/1"] = (old.KeyId, Now - TimeSpan.FromHours(1));
        var moveTags = new Dictionary<string, string> { [RotationTags.Alias] = AliasName, [RotationTags.Sequence] = "1", [RotationTags.PreviousKey] = old.KeyId };
        var first = _kms.AddKey("alias/unrelated-1", tags: moveTags);
        var second = _kms.AddKey("alias/unrelated-2", tags: moveTags);

        var result = Assert.Single((await RunAsync(Request())).Results);

        Assert.Equal(RotationOutcome.Failed, result.Outcome);
        Assert.Contains(first.Arn, result.Reason, StringComparison.Ordinal);
        Assert.Contains(second.Arn, result.Reason, StringComparison.Ordinal);
        Assert.Empty(_kms.Requests<CreateKeyRequest>());
        Assert.Equal(old.KeyId, _kms.Aliases[AliasName].KeyId);
    }

    [Fact]
    public async Task RunAsync_StaleClaimAndNoTaggingClient_FailsSayingSoAndCreatesNothing()
    {
        var old = _kms.AddKey(AliasName);
        _kms.Aliases["alias/keyrotation/orders/1"] = (old.KeyId, Now - TimeSpan.FromHours(1));

        var report = await RotationComposition.Engine(_kms.Object, _notifier, new RotationOptions(), _time, NullRotationLog.Instance).RunAsync(Request(), CancellationToken.None);

        var result = Assert.Single(report.Results);
        Assert.Equal(RotationOutcome.Failed, result.Outcome);
        Assert.Contains("no Resource Groups Tagging client", result.Reason, StringComparison.Ordinal);
        Assert.Empty(_kms.Requests<CreateKeyRequest>());
    }

    [Fact]
    public async Task RunAsync_StaleClaimWithoutKey_TakesOverAndCreatesTheKey()
    {
        var old = _kms.AddKey(AliasName);
        _kms.Aliases["alias/keyrotation/orders/1"] = (old.KeyId, Now - TimeSpan.FromHours(1));

        var result = Assert.Single((await RunAsync(Request())).Results);

        Assert.Equal(RotationOutcome.Rotated, result.Outcome);
        Assert.Single(_kms.Requests<CreateKeyRequest>());
        Assert.Equal(["alias/keyrotation/orders/clock", "alias/keyrotation/orders/1-takeover-1"], _kms.Requests<CreateAliasRequest>().Select(r => r.AliasName));
    }

    [Fact]
    public async Task RunAsync_StaleClaimAnotherRunIsTakingOver_SkipsWithoutCreatingKey()
    {
        var old = _kms.AddKey(AliasName);
        _kms.Aliases["alias/keyrotation/orders/1"] = (old.KeyId, Now - TimeSpan.FromHours(1));
        _kms.Aliases["alias/keyrotation/orders/1-takeover-1"] = (old.KeyId, Now - TimeSpan.FromMinutes(1));

        var result = Assert.Single((await RunAsync(Request())).Results);

        Assert.Equal(RotationOutcome.Skipped, result.Outcome);
        Assert.Empty(_kms.Requests<CreateKeyRequest>());
        AssertNoWrites();
    }

    [Fact]
    public async Task RunAsync_ClaimReleasedAfterAFailure_NextRunTakesOverAtOnce()
    {
        var old = _kms.AddKey(AliasName);
        _kms.FailNext["CreateKey"] = new AmazonKeyManagementServiceException("We encountered an internal error.") { ErrorCode = "KMSInternalException", StatusCode = System.Net.HttpStatusCode.InternalServerError };
        var failed = Assert.Single((await RunAsync(Request())).Results);
        Assert.Equal(RotationOutcome.Failed, failed.Outcome);
        Assert.Equal("alias/keyrotation/orders/1", _kms.Tags[old.KeyId][RotationTags.ClaimReleased]);

        var result = Assert.Single((await RunAsync(Request() with { RotationId = "rot-2" })).Results);

        Assert.Equal(RotationOutcome.Rotated, result.Outcome);
        Assert.Equal(2, _kms.Requests<CreateKeyRequest>().Count());
    }

    [Fact]
    public async Task RunAsync_CreateKeyThrottled_RetriesThroughTheCreateKeyClient()
    {
        _kms.AddKey(AliasName);
        var createKeyClient = new KmsMock(_time);
        var throttled = 0;
        createKeyClient.Mock.Setup(k => k.CreateKeyAsync(It.IsAny<CreateKeyRequest>(), It.IsAny<CancellationToken>()))
            .Returns((CreateKeyRequest r, CancellationToken ct) => throttled++ < 2
                ? Task.FromException<CreateKeyResponse>(new AmazonKeyManagementServiceException("Rate exceeded") { ErrorCode = "ThrottlingException" })
                : _kms.Object.CreateKeyAsync(r, ct));
        var options = new RotationOptions();

        var report = await RotationComposition.Engine(_kms.Object, _notifier, options, _time, NullRotationLog.Instance, createKeyClient: createKeyClient.Object)
            .RunAsync(Request(), CancellationToken.None);

        Assert.Equal(RotationOutcome.Rotated, Assert.Single(report.Results).Outcome);
        Assert.Equal(3, throttled);
    }
}
