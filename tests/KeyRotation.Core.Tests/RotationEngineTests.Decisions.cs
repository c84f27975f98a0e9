using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;

namespace KeyRotation.Core.Tests;

/// <summary>Decisions: what is refused, skipped or only planned, and never written.</summary>
public sealed partial class RotationEngineTests
{
    [Theory]
    [InlineData("Disabled")]
    [InlineData("PendingDeletion")]
    [InlineData("PendingImport")]
    public async Task RunAsync_KeyNotEnabled_FailsWithoutWriting(string state)
    {
        _kms.AddKey(AliasName, state: KeyState.FindValue(state));

        var result = Assert.Single((await RunAsync(Request())).Results);

        Assert.Equal(RotationOutcome.Failed, result.Outcome);
        Assert.Contains($"{state}, not Enabled", result.Reason, StringComparison.Ordinal);
        AssertNoWrites();
    }

    [Fact]
    public async Task RunAsync_AliasMissing_FailsNamingTheAlias()
    {
        var result = Assert.Single((await RunAsync(Request())).Results);

        Assert.Equal(RotationOutcome.Failed, result.Outcome);
        Assert.Equal("Alias alias/orders does not exist in this account and Region.", result.Reason);
        AssertNoWrites();
    }

    [Fact]
    public async Task RunAsync_AwsManagedKey_FailsWithoutWriting()
    {
        _kms.AddKey(AliasName).KeyManager = KeyManagerType.AWS;

        var result = Assert.Single((await RunAsync(Request())).Results);

        Assert.Contains("AWS managed key", result.Reason, StringComparison.Ordinal);
        AssertNoWrites();
    }

    [Fact]
    public async Task RunAsync_MultiRegionKey_FailsSayingNotSupportedYet()
    {
        _kms.AddKey(AliasName).MultiRegion = true;

        var result = Assert.Single((await RunAsync(Request())).Results);

        Assert.Contains("multi-Region keys are not supported yet", result.Reason, StringComparison.Ordinal);
        AssertNoWrites();
    }

    [Fact]
    public async Task RunAsync_CustomKeyStore_FailsWithoutWriting()
    {
        _kms.AddKey(AliasName).CustomKeyStoreId = "cks-1234567890abcdef0";

        var result = Assert.Single((await RunAsync(Request())).Results);

        Assert.Contains("custom key store cks-1234567890abcdef0", result.Reason, StringComparison.Ordinal);
        AssertNoWrites();
    }

    [Fact]
    public async Task RunAsync_KeyCreatedForAnotherAlias_FailsWithoutWriting()
    {
        _kms.AddKey(AliasName, tags: new Dictionary<string, string> { [RotationTags.Alias] = "alias/billing" });

        var result = Assert.Single((await RunAsync(Request())).Results);

        Assert.Contains("created by this tool for alias/billing", result.Reason, StringComparison.Ordinal);
        AssertNoWrites();
    }

    [Fact]
    public async Task RunAsync_KeyYoungerThanMinimumAge_SkipsWithoutWriting()
    {
        _kms.AddKey(AliasName, age: TimeSpan.FromHours(5));

        var result = Assert.Single((await RunAsync(Request())).Results);

        Assert.Equal(RotationOutcome.Skipped, result.Outcome);
        Assert.Contains("5 hours old, younger than the minimum age of 24 hours", result.Reason, StringComparison.Ordinal);
        AssertNoWrites();
        Assert.Empty(_notifier.Notices);
    }

    [Fact]
    public async Task RunAsync_YoungKeyForced_Rotates()
    {
        _kms.AddKey(AliasName, age: TimeSpan.FromHours(5));

        var result = Assert.Single((await RunAsync(Request() with { Force = true })).Results);

        Assert.Equal(RotationOutcome.Rotated, result.Outcome);
    }

    [Fact]
    public async Task RunAsync_SameScheduleSlotDeliveredTwice_SecondSkips()
    {
        _kms.AddKey(AliasName);
        var scheduled = Request() with { ScheduleSlot = Now };
        await RunAsync(scheduled);

        var second = Assert.Single((await RunAsync(scheduled with { RotationId = "rot-again" }, minKeyAge: TimeSpan.Zero)).Results);

        Assert.Equal(RotationOutcome.Skipped, second.Outcome);
        Assert.Contains("Already rotated for the schedule slot 2026-12-01T03:00Z", second.Reason, StringComparison.Ordinal);
        Assert.Single(_kms.Requests<CreateKeyRequest>());
    }

    [Fact]
    public async Task RunAsync_DryRun_PlansWithoutWritingOrNotifying()
    {
        _kms.AddKey(AliasName, tags: new Dictionary<string, string> { ["team"] = "payments" });

        var result = Assert.Single((await RunAsync(Request() with { DryRun = true })).Results);

        Assert.Equal(RotationOutcome.Planned, result.Outcome);
        Assert.Contains("Would create a SYMMETRIC_DEFAULT ENCRYPT_DECRYPT key copying the description, the default key policy and 1 tag(s)", result.Reason, StringComparison.Ordinal);
        AssertNoWrites();
        Assert.Empty(_notifier.Notices);
    }
}
