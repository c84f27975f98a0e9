using KeyRotation.Core;
using KeyRotation.Core.Configuration;
using KeyRotation.Core.Retention;
using KeyRotation.IntegrationTests.KeyMaterial;

namespace KeyRotation.IntegrationTests.Retention;

/// <summary>EXTERNAL keys are retired only when their escrow copy is found (GetObject of the key's escrow-object tag).</summary>
public sealed class ExternalKeyRetentionTests
{
    [Fact]
    public async Task Run_ExternalKeyWithoutItsEscrowCopy_IsKept_OneWithItIsDisabled()
    {
        using var h = new ByokHarness();
        await h.CreateAliasedKeyAsync();
        var generations = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            generations.Add((await h.RotateAsync()).NewKeyId!);
        }

        // generations: 2, 3, 4, 5 (current). 4 is kept behind the current key; 2 and 3 are candidates.
        h.Time.Advance(TimeSpan.FromDays(40));
        Assert.True(h.S3.Objects.Remove(h.Location.Bucket + "/" + h.EscrowObjectKey(generations[1])));
        var settings = new RetentionSettings
        {
            Aliases = [ByokHarness.Alias],
            NotificationTopicArn = "arn:aws:sns:us-east-1:111122223333:key-rotation",
            Mode = RetentionMode.Disable,
            Escrow = h.Location,
        };

        var report = await new RetentionRunner(h.Kms, h.S3.Store, settings, h.Notifier, h.Time, NullRotationLog.Instance)
            .RunAsync("ret-test", [ByokHarness.Alias], dryRun: false, CancellationToken.None);

        Assert.Equal("Disabled", h.Service.GetKeySnapshot(generations[0])!.KeyState);
        Assert.Equal("Enabled", h.Service.GetKeySnapshot(generations[1])!.KeyState);
        Assert.Contains("escrow copy", report.Results.Single(r => r.Step.KeyId == generations[1]).Step.Reason, StringComparison.Ordinal);
    }
}
