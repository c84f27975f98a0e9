using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using KeyRotation.Core.Protocol;
using Microsoft.Extensions.Time.Testing;

namespace KeyRotation.Core.Tests.Protocol;

/// <summary>The API reference's three GetKeyLastUsage cases, and a failed read that proves nothing.</summary>
public sealed class KeyLastUseReaderTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 6, 12, 0, 0, TimeSpan.Zero);
    private readonly FakeTimeProvider _time = new(Now);
    private readonly KmsMock _kms;

    public KeyLastUseReaderTests() => _kms = new KmsMock(_time);

    [Fact]
    public async Task ReadAsync_UsageRecordPresent_IsUsedAtThatTime()
    {
        var key = _kms.AddKey("alias/orders", age: TimeSpan.FromDays(90));
        _kms.Use(key.KeyId, "Decrypt", TimeSpan.FromDays(1));

        var use = await KeyLastUseReader.ReadAsync(_kms.Object, key.Arn, CancellationToken.None);

        var used = Assert.IsType<KeyLastUse.Used>(use);
        Assert.Equal(("Decrypt", Now - TimeSpan.FromDays(1), $"event-{key.KeyId}", $"request-{key.KeyId}"), (used.Operation, used.At, used.CloudTrailEventId, used.KmsRequestId));
        Assert.Equal(TimeSpan.FromDays(1), use.ProvenUnusedFor(Now));
        Assert.False(use.IsProvenUnusedFor(TimeSpan.FromDays(30), Now));
        Assert.Equal($"used by Decrypt at 2026-12-05T12:00:00Z (CloudTrail event event-{key.KeyId})", use.Describe());
    }

    [Fact]
    public async Task ReadAsync_EmptyRecordForAKeyCreatedAfterTrackingBegan_IsNeverUsedSinceCreation()
    {
        _kms.TrackingStart = Now - TimeSpan.FromDays(365);
        var key = _kms.AddKey("alias/orders", age: TimeSpan.FromDays(40));

        var use = await KeyLastUseReader.ReadAsync(_kms.Object, key.KeyId, CancellationToken.None);

        Assert.Equal(new KeyLastUse.NeverUsed(Now - TimeSpan.FromDays(40)), use);
        Assert.True(use.IsProvenUnusedFor(TimeSpan.FromDays(30), Now));
        Assert.Equal("never used since its creation at 2026-10-27T12:00:00Z", use.Describe());
    }

    [Theory]
    [InlineData(10, false)]
    [InlineData(30, true)]
    [InlineData(45, true)]
    public async Task ReadAsync_EmptyRecordForAKeyOlderThanTracking_ProvesOnlyTheWindowSinceTrackingBegan(int trackedDays, bool provenFor30Days)
    {
        _kms.TrackingStart = Now - TimeSpan.FromDays(trackedDays);
        var key = _kms.AddKey("alias/orders", age: TimeSpan.FromDays(400));

        var use = await KeyLastUseReader.ReadAsync(_kms.Object, key.KeyId, CancellationToken.None);

        Assert.Equal(new KeyLastUse.UnusedSinceTracking(Now - TimeSpan.FromDays(trackedDays)), use);
        Assert.Equal(provenFor30Days, use.IsProvenUnusedFor(TimeSpan.FromDays(30), Now));
        Assert.Contains("unknown before", use.Describe(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadAsync_CallFails_IsUnreadableAndProvesNothing()
    {
        var key = _kms.AddKey("alias/orders", age: TimeSpan.FromDays(400));
        _kms.FailNext["GetKeyLastUsage"] = new AmazonKeyManagementServiceException("User is not authorized to perform: kms:GetKeyLastUsage")
        {
            ErrorCode = "AccessDeniedException",
        };

        var use = await KeyLastUseReader.ReadAsync(_kms.Object, key.KeyId, CancellationToken.None);

        var unreadable = Assert.IsType<KeyLastUse.Unreadable>(use);
        Assert.Contains("AccessDeniedException", unreadable.Reason, StringComparison.Ordinal);
        Assert.Null(use.ProvenUnusedFor(Now));
        Assert.False(use.IsProvenUnusedFor(TimeSpan.Zero, Now));
    }

    [Fact]
    public void Classify_AnswerWithoutDates_ProvesNothing()
    {
        var use = KeyLastUseReader.Classify(new GetKeyLastUsageResponse { KeyId = "k" });

        Assert.IsType<KeyLastUse.Unreadable>(use);
    }
}
