using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using Moq;
using KeyRotation.Integrations.Composition;

namespace KeyRotation.Core.Tests;

/// <summary>Failures: a step refused or broken fails only its alias, names why, and leaves the alias on its old key.</summary>
public sealed partial class RotationEngineTests
{
    [Fact]
    public async Task RunAsync_NewKeyNotEnabled_FailsAndLeavesAliasOnOldKey()
    {
        var old = _kms.AddKey(AliasName);
        _kms.Mock.Setup(k => k.DescribeKeyAsync(It.Is<DescribeKeyRequest>(r => r.KeyId != AliasName && r.KeyId != old.KeyId && !r.KeyId.StartsWith("alias/", StringComparison.Ordinal)), It.IsAny<CancellationToken>()))
            .ReturnsAsync((DescribeKeyRequest r, CancellationToken _) =>
            {
                var key = _kms.Resolve(r.KeyId);
                key.KeyState = KeyState.Disabled;
                return new DescribeKeyResponse { KeyMetadata = key };
            });

        var result = Assert.Single((await RunAsync(Request())).Results);

        Assert.Equal(RotationOutcome.Failed, result.Outcome);
        Assert.Contains("is Disabled, not Enabled", result.Reason, StringComparison.Ordinal);
        Assert.Equal(old.KeyId, _kms.Aliases[AliasName].KeyId);
        Assert.Single(_notifier.Notices);
    }

    [Fact]
    public async Task RunAsync_PolicyRefusedByLockoutCheck_FailsExplainingWhatTheRoleNeeds()
    {
        var old = _kms.AddKey(AliasName);
        _kms.FailNext["CreateKey"] = new MalformedPolicyDocumentException("The new key policy will not allow you to update the key policy in the future.");

        var result = Assert.Single((await RunAsync(Request())).Results);

        Assert.Equal(RotationOutcome.Failed, result.Outcome);
        Assert.Contains("kms:PutKeyPolicy", result.Reason, StringComparison.Ordinal);
        Assert.Contains(KmsPermissions.KeyPolicyStatementSid, result.Reason, StringComparison.Ordinal);
        Assert.Contains(KmsPermissions.NewKeySetupStatementSid, result.Reason, StringComparison.Ordinal);
        Assert.Equal(old.KeyId, _kms.Aliases[AliasName].KeyId);
    }

    [Fact]
    public async Task RunAsync_TooManyTagsToCopy_FailsBeforeCreatingKey()
    {
        var tags = Enumerable.Range(0, 43).ToDictionary(i => $"tag{i}", i => "v");
        _kms.AddKey(AliasName, tags: tags);

        var result = Assert.Single((await RunAsync(Request())).Results);

        Assert.Equal(RotationOutcome.Failed, result.Outcome);
        Assert.Contains("has 43 tags of its own", result.Reason, StringComparison.Ordinal);
        Assert.Empty(_kms.Requests<CreateKeyRequest>());
    }

    [Fact]
    public async Task RunAsync_OneAliasFails_OthersStillRotate()
    {
        _kms.AddKey(AliasName);
        _kms.AddKey("alias/billing", state: KeyState.Disabled);
        _kms.AddKey("alias/reports");

        var report = await RunAsync(Request() with { Aliases = [AliasName, "alias/billing", "alias/reports"] }, concurrency: 3);

        Assert.Equal(
            [RotationOutcome.Rotated, RotationOutcome.Failed, RotationOutcome.Rotated],
            report.Results.Select(r => r.Outcome));
        Assert.Equal(["alias/billing"], report.Problems.Select(p => p.Alias));
        Assert.Equal(3, _notifier.Notices.Count);
    }

    [Fact]
    public async Task RunAsync_KmsServiceErrorOnOneStep_FailsNamingTheStep()
    {
        _kms.AddKey(AliasName);
        _kms.FailNext["GetKeyPolicy"] = new AmazonKeyManagementServiceException("The request was rejected because the key is in an invalid state.") { ErrorCode = "KMSInvalidStateException" };

        var result = Assert.Single((await RunAsync(Request())).Results);

        Assert.Equal("KMS GetKeyPolicy failed: KMSInvalidStateException: The request was rejected because the key is in an invalid state.", result.Reason);
    }

    [Fact]
    public async Task RunAsync_StepDeniedOnceAfterTheClaim_RetriesAndRotates()
    {
        _kms.AddKey(AliasName);
        _kms.FailNext["GetKeyPolicy"] = new AmazonKeyManagementServiceException("User is not authorized to perform: kms:GetKeyPolicy") { ErrorCode = "AccessDeniedException" };
        var options = new RotationOptions { AuthorizationRetryDelay = TimeSpan.FromMilliseconds(1) };

        var report = await RotationComposition.Engine(_kms.Object, _notifier, options, _time, NullRotationLog.Instance).RunAsync(Request(), CancellationToken.None);

        Assert.Equal(RotationOutcome.Rotated, Assert.Single(report.Results).Outcome);
        Assert.Equal(2, _kms.Requests<GetKeyPolicyRequest>().Count());
    }

    [Fact]
    public async Task RunAsync_NotificationFails_ReportsItAndLeavesTheOldKeyUnretiredForTheNextRun()
    {
        _kms.AddKey(AliasName);
        _notifier.Failure = new HttpRequestException("connection refused");

        var result = Assert.Single((await RunAsync(Request())).Results);

        Assert.Equal(RotationOutcome.Rotated, result.Outcome);
        Assert.Equal("The notification could not be sent: connection refused", result.NotificationError);
        Assert.False(_kms.Tags[result.PreviousKeyId!].ContainsKey(RotationTags.State));
        Assert.DoesNotContain(_kms.Requests<TagResourceRequest>(), r => r.KeyId == result.PreviousKeyId && r.Tags.Any(t => t.TagKey == RotationTags.SuccessorKey));
    }

    [Fact]
    public async Task RunAsync_AfterFailedNotification_NextRunNotifiesWithoutRotatingAgain()
    {
        _kms.AddKey(AliasName);
        _notifier.Failure = new HttpRequestException("connection refused");
        var first = Assert.Single((await RunAsync(Request())).Results);
        _notifier.Failure = null;

        var second = Assert.Single((await RunAsync(Request() with { RotationId = "rot-2" })).Results);

        Assert.Equal((RotationOutcome.Rotated, true, first.NewKeyId), (second.Outcome, second.Resumed, second.NewKeyId));
        Assert.Single(_kms.Requests<CreateKeyRequest>());
        Assert.Single(_notifier.Notices);
        Assert.Equal("active", _kms.Tags[first.NewKeyId!][RotationTags.State]);
        Assert.Equal(("retired", first.NewKeyId), (_kms.Tags[first.PreviousKeyId!][RotationTags.State], _kms.Tags[first.PreviousKeyId!][RotationTags.SuccessorKey]));
    }

    [Fact]
    public async Task RunAsync_DeadlineNearlyReached_StartsNoAlias()
    {
        _kms.AddKey(AliasName);

        var result = Assert.Single((await RunAsync(Request() with { Deadline = Now + TimeSpan.FromSeconds(10) })).Results);

        Assert.Equal(RotationOutcome.Skipped, result.Outcome);
        Assert.Contains("time budget", result.Reason, StringComparison.Ordinal);
        Assert.Empty(_kms.Calls);
    }

    [Fact]
    public async Task RunAsync_UnexpectedException_PropagatesSoNoCleanupRuns()
    {
        _kms.AddKey(AliasName);
        _kms.FailNext["CreateKey"] = new CrashException();

        await Assert.ThrowsAsync<CrashException>(() => RunAsync(Request()));

        Assert.Empty(_notifier.Notices);
    }

    private sealed class CrashException : Exception
    {
        public CrashException()
            : base("simulated crash")
        {
        }
    }
}
