using System.Text.Json;
using Amazon.KeyManagementService.Model;
using KeyRotation.Core.Configuration;
using KeyRotation.Core.Retention;
using KeyRotation.Function;
using KeyRotation.IntegrationTests.Rotation;

namespace KeyRotation.IntegrationTests.Retention;

/// <summary>
/// The proof of non-use through the real retention handler, the real SDK and LocalKms's GetKeyLastUsage: a key used
/// (by a real Encrypt, or a day ago) is kept and reported, a key never used is disabled with its proof tagged first,
/// a replica used in its own Region keeps its primary, a failed read touches nothing, and the original key follows
/// RETIRE_ORIGINAL_KEY.
/// </summary>
public sealed class RetirementProofTests
{
    /// <summary>Four generations 30 days apart, oldest first: 1 (the original key), 2 (retired 60 days ago: disabled next), 3 (retained), 4 (current).</summary>
    private static async Task<RetentionHarness> ReadyAsync()
    {
        var h = await new RetentionHarness().WithGenerationsAsync(4);
        h.World.Kms.ClearRecordedRequests();
        return h;
    }

    private static IEnumerable<LocalKms.LocalKmsRecordedRequest> Requests(RetentionHarness h, string operation, string keyId) =>
        h.World.Kms.RecordedRequests.Where(r => r.Operation == operation && r.Body.Contains(keyId, StringComparison.Ordinal));

    [Fact]
    public async Task Run_KeyNeverUsed_IsDisabledWithItsProofTaggedBeforeDisableKey()
    {
        using var h = await ReadyAsync();
        var second = h.Generations[1];

        var response = await h.InvokeAsync();

        Assert.Equal(["Enabled", "Disabled", "Enabled", "Enabled"], h.States());
        var action = response.GetProperty("actions").EnumerateArray().Single(a => a.GetProperty("keyId").GetString() == second);
        Assert.Equal("Proven", action.GetProperty("proof").GetProperty("verdict").GetString());
        Assert.Equal("NeverUsed", action.GetProperty("proof").GetProperty("keys")[0].GetProperty("finding").GetString());
        Assert.StartsWith("2027-03-31T03:00:00Z unused 90d of 30d: key never used", h.World.Key(second).Tags[RetentionTags.DisableProof], StringComparison.Ordinal);
        var order = h.World.Kms.RecordedRequests.Select(r => r.Operation).ToList();
        Assert.True(order.IndexOf("GetKeyLastUsage") < order.IndexOf("DisableKey"));
        Assert.Empty(response.GetProperty("refused").EnumerateArray());
    }

    [Fact]
    public async Task Run_KeyAnApplicationJustEncryptedWith_IsKeptAndTheResponseNamesTheUse()
    {
        using var h = await ReadyAsync();
        var second = h.Generations[1];
        await h.World.Client.EncryptAsync(new EncryptRequest { KeyId = second, Plaintext = new MemoryStream([1, 2, 3]) });
        var use = h.World.Kms.GetKeyLastUsageSnapshot(second)!;

        var response = await h.InvokeAsync();

        Assert.Equal(["Enabled", "Enabled", "Enabled", "Enabled"], h.States());
        var refused = Assert.Single(response.GetProperty("refused").EnumerateArray());
        Assert.Equal((second, "Disable"), (refused.GetProperty("keyId").GetString(), refused.GetProperty("refusedAction").GetString()));
        Assert.Contains($"used by Encrypt at 2027-03-31T03:00:00Z (CloudTrail event {use.CloudTrailEventId})", refused.GetProperty("reason").GetString(), StringComparison.Ordinal);
        var evidence = refused.GetProperty("proof").GetProperty("keys")[0];
        Assert.Equal(("Used", use.CloudTrailEventId), (evidence.GetProperty("finding").GetString(), evidence.GetProperty("cloudTrailEventId").GetString()));
        Assert.Empty(Requests(h, "DisableKey", second));
        Assert.Empty(Requests(h, "TagResource", second));
        Assert.Contains(h.World.Sns.Snapshot(), m => m.GetValueOrDefault("Subject")?.Contains("still in use", StringComparison.Ordinal) == true);
    }

    [Fact]
    public async Task Run_KeyUsedOneDayAgo_IsKeptAndOneUsedBeforeTheWindow_IsDisabled()
    {
        using var h = await ReadyAsync();
        await h.RotateAsync();
        var (second, third) = (h.Generations[1], h.Generations[2]);
        h.World.Kms.SetKeyLastUsage(second, "Decrypt", h.World.Time.GetUtcNow().AddDays(-1));
        h.World.Kms.SetKeyLastUsage(third, "Decrypt", h.World.Time.GetUtcNow().AddDays(-31));

        await h.InvokeAsync();

        Assert.Equal(["Enabled", "Enabled", "Disabled", "Enabled", "Enabled"], h.States());
    }

    [Fact]
    public async Task Run_GetKeyLastUsageDenied_FailsNamingItAndNeverDisablesNorTagsTheKey()
    {
        using var h = await ReadyAsync();
        var second = h.Generations[1];
        h.World.Kms.Faults.FailEvery("GetKeyLastUsage", "AccessDeniedException", "User is not authorized to perform: kms:GetKeyLastUsage");

        var error = await Assert.ThrowsAsync<RotationFailedException>(() => h.InvokeAsync());

        Assert.Contains("AccessDeniedException", error.Message, StringComparison.Ordinal);
        Assert.Contains("was not touched", error.Message, StringComparison.Ordinal);
        Assert.Equal(["Enabled", "Enabled", "Enabled", "Enabled"], h.States());
        Assert.Empty(Requests(h, "DisableKey", second));
        Assert.Empty(Requests(h, "TagResource", second));
    }

    [Theory]
    [InlineData("false", "Enabled")]
    [InlineData("true", "Disabled")]
    public async Task Run_OriginalKey_IsRetiredOnlyWithRetireOriginalKey(string setting, string expected)
    {
        using var h = await ReadyAsync();
        h.Environment[SettingNames.RetireOriginalKey] = setting;

        await h.InvokeAsync();

        Assert.Equal([expected, "Disabled", "Enabled", "Enabled"], h.States());
    }

    [Fact]
    public async Task Run_ReplicaUsedInItsOwnRegionWhileItsPrimaryWasNot_KeepsThePrimary()
    {
        using var h = new RetentionHarness();
        var keys = new List<string> { await MultiRegionSet.CreateAsync(h.World) };
        for (var i = 0; i < 3; i++)
        {
            await h.RotateAsync();
            keys.Add(h.Generations[^1]);
            h.World.Time.Advance(TimeSpan.FromDays(30));
        }

        var second = keys[1];
        await h.World.RegionClients.For("eu-west-1").EncryptAsync(new EncryptRequest { KeyId = second, Plaintext = new MemoryStream([7]) });
        h.World.Kms.ClearRecordedRequests();

        var response = await h.InvokeAsync();

        Assert.Equal("Enabled", h.World.Key(second).KeyState);
        var refused = Assert.Single(response.GetProperty("refused").EnumerateArray());
        Assert.Equal(second, refused.GetProperty("keyId").GetString());
        Assert.Contains("replica in eu-west-1: used by Encrypt", refused.GetProperty("reason").GetString(), StringComparison.Ordinal);
        var regions = refused.GetProperty("proof").GetProperty("keys").EnumerateArray().Select(k => k.GetProperty("region").ValueKind == JsonValueKind.Null ? "primary" : k.GetProperty("region").GetString()).ToList();
        Assert.Equal(["primary", "ap-southeast-2", "eu-west-1"], regions);
        Assert.Empty(Requests(h, "DisableKey", second));
    }
}
