using Amazon.KeyManagementService.Model;
using KeyRotation.Core;
using KeyRotation.IntegrationTests.Interleaving;
using KeyRotation.LocalKms;
using Microsoft.Extensions.Time.Testing;
using KeyRotation.Integrations.Composition;

namespace KeyRotation.IntegrationTests.Rotation;

/// <summary>One test per protocol defect of issue 10, each failing on the protocol before it.</summary>
public sealed class ProtocolDefectTests : IDisposable
{
    private const string Alias = "alias/orders";
    private readonly RotationWorld _world = new();

    [Fact]
    public async Task Rotate_AliasPointedBackAtItsPreviousKeyByHand_RotatesFromThatKeyAndRecordsIt()
    {
        var first = await _world.CreateAliasedKeyAsync(Alias);
        var second = (await RunAsync()).NewKeyId!;
        await _world.Client.UpdateAliasAsync(new UpdateAliasRequest { AliasName = Alias, TargetKeyId = first.KeyId });
        _world.Time.Advance(TimeSpan.FromDays(30));

        var result = await RunAsync(force: true);

        Assert.Equal(RotationOutcome.Rotated, result.Outcome);
        var third = _world.Key(Alias);
        Assert.Equal(result.NewKeyId, third.KeyId);
        Assert.Equal((first.KeyId, second, "2"), (third.Tags[RotationTags.PreviousKey], third.Tags[RotationTags.MovedByHandFrom], third.Tags[RotationTags.Sequence]));
        Assert.Equal(third.KeyId, _world.Key(first.KeyId).Tags[RotationTags.SuccessorKey]);
    }

    [Fact]
    public async Task Rotate_RepeatedFailures_EveryRunNamesTheCauseAndTheAliasRotatesOnceItIsFixed()
    {
        await _world.CreateAliasedKeyAsync(Alias);
        _world.Kms.Faults.FailEvery("CreateKey", "TagException", "The tag value is not valid.");

        for (var run = 1; run <= 6; run++)
        {
            var failed = await RunAsync();
            Assert.Equal(RotationOutcome.Failed, failed.Outcome);
            Assert.Contains("TagException: The tag value is not valid.", failed.Reason, StringComparison.Ordinal);
        }

        _world.Kms.Faults.Clear();
        var result = await RunAsync();

        Assert.Equal(RotationOutcome.Rotated, result.Outcome);
        Assert.Single(_world.CreatedFor(Alias));
    }

    [Fact]
    public async Task Rotate_SecondRunWhileTheFirstHasRecordedItsKey_SkipsWithoutWritingOrNotifying()
    {
        await _world.CreateAliasedKeyAsync(Alias);
        var scheduler = new StepScheduler();
        using var first = scheduler.ClientFor(0, _world.Kms);
        using var second = scheduler.ClientFor(1, _world.Kms);
        var results = new AliasRotationResult[2];
        var steps = 0;

        // The first run goes as far as recording its key on the marker (7 calls), then the second runs to the end.
        await scheduler.RunAsync(
            [
                async () => results[0] = await RunAsync(first),
                async () => results[1] = await RunAsync(second),
            ],
            enabled => steps++ < 7 || !enabled.Contains(1) ? enabled[0] : 1,
            () => { });

        Assert.Equal(RotationOutcome.Rotated, results[0].Outcome);
        Assert.Equal(RotationOutcome.Skipped, results[1].Outcome);
        Assert.Contains("Another run is rotating alias/orders", results[1].Reason, StringComparison.Ordinal);
        Assert.Single(_world.Sns.Snapshot());
    }

    [Fact]
    public async Task Rotate_ClaimOlderThanTheFunctionTimeoutButWithinTheMargin_Skips()
    {
        var old = await _world.CreateAliasedKeyAsync(Alias);
        await _world.Client.CreateAliasAsync(new CreateAliasRequest { AliasName = "alias/keyrotation/orders/1", TargetKeyId = old.KeyId });
        _world.Time.Advance(TimeSpan.FromMinutes(16));

        var result = await RunAsync();

        Assert.Equal(RotationOutcome.Skipped, result.Outcome);
        Assert.Empty(_world.CreatedFor(Alias));
    }

    [Fact]
    public async Task Rotate_LocalClockAheadOfKms_AgesTheClaimOnKmsClock()
    {
        var kmsTime = new FakeTimeProvider(new DateTimeOffset(2026, 12, 1, 3, 0, 0, TimeSpan.Zero));
        var kms = new LocalKmsService(new LocalKmsOptions(), kmsTime);
        using var client = kms.CreateClient();
        var key = (await client.CreateKeyAsync(new CreateKeyRequest())).KeyMetadata;
        await client.CreateAliasAsync(new CreateAliasRequest { AliasName = Alias, TargetKeyId = key.KeyId });
        await client.CreateAliasAsync(new CreateAliasRequest { AliasName = "alias/keyrotation/orders/1", TargetKeyId = key.KeyId });
        var localTime = new FakeTimeProvider(kmsTime.GetUtcNow() + TimeSpan.FromHours(2));

        var report = await RotationComposition.Engine(client, _world.Notifier, new RotationOptions { MinKeyAge = TimeSpan.Zero }, localTime, NullRotationLog.Instance, keyFinder: _world.KeyFinder)
            .RunAsync(new RotationRequest { RotationId = "skewed", Aliases = [Alias] }, CancellationToken.None);

        var result = Assert.Single(report.Results);
        Assert.Equal(RotationOutcome.Skipped, result.Outcome);
        Assert.Contains("0 minutes ago", result.Reason, StringComparison.Ordinal);
        Assert.Single(kms.ListKeySnapshots());
    }

    public void Dispose() => _world.Dispose();

    private Task<AliasRotationResult> RunAsync(bool force = false) => RunAsync(_world.Client, force);

    private async Task<AliasRotationResult> RunAsync(Amazon.KeyManagementService.IAmazonKeyManagementService client, bool force = false)
    {
        var engine = RotationComposition.Engine(client, _world.Notifier, new RotationOptions(), _world.Time, NullRotationLog.Instance, keyFinder: _world.KeyFinder);
        var report = await engine.RunAsync(new RotationRequest { RotationId = "run-" + Guid.NewGuid().ToString("N")[..8], Aliases = [Alias], Force = force }, CancellationToken.None);
        return Assert.Single(report.Results);
    }
}
