using System.Text.Json;
using Amazon.KeyManagementService.Model;
using KeyRotation.Function;
using KeyRotation.LocalKms;

namespace KeyRotation.IntegrationTests.Rotation;

/// <summary>
/// A run dies after KMS created its key but before recording it: the next run finds that key by the tags CreateKey
/// wrote, in one Resource Groups Tagging query, and never lists the account's keys.
/// </summary>
public sealed class AdoptionTests
{
    private const string Alias = "alias/orders";

    [Fact]
    public async Task Rotate_CreateKeyTookEffectThenCrash_NextRunAdoptsByOneTagQueryWithoutScanning()
    {
        using var world = new RotationWorld();
        var old = await world.CreateAliasedKeyAsync(Alias);
        var bystanders = new[] { await world.CreateAliasedKeyAsync("alias/other-1"), await world.CreateAliasedKeyAsync("alias/other-2") };
        world.Kms.Faults.ThrowAfterNth("CreateKey", world.Kms.Faults.CallCount("CreateKey") + 1, new SimulatedCrashException("lost the answer of CreateKey"));
        await Assert.ThrowsAsync<SimulatedCrashException>(() => world.InvokeAsync("{}", Alias));
        var orphan = Assert.Single(world.CreatedFor(Alias));
        world.Time.Advance(RotationWorld.ClaimExpiry);
        world.Kms.ClearRecordedRequests();

        var response = await world.InvokeAsync("{}", Alias);

        var result = response.GetProperty("results")[0];
        Assert.Equal(("Rotated", orphan.KeyId), (result.GetProperty("outcome").GetString(), result.GetProperty("newKeyId").GetString()));
        Assert.Equal(orphan.KeyId, Assert.Single(world.CreatedFor(Alias)).KeyId);
        var requests = world.Kms.RecordedRequests;
        Assert.Single(requests, r => r.Operation == LocalKmsService.TaggingGetResources);
        Assert.DoesNotContain(requests, r => r.Operation == "ListKeys");
        var tagReads = requests.Where(r => r.Operation == "ListResourceTags").Select(r => JsonDocument.Parse(r.Body).RootElement.GetProperty("KeyId").GetString()).ToHashSet();
        Assert.DoesNotContain(bystanders[0].KeyId, tagReads);
        Assert.DoesNotContain(bystanders[1].KeyId, tagReads);
    }

    [Fact]
    public async Task Rotate_TwoKeysCarryTheMovesTags_FailsNamingBothAndMovesNothing()
    {
        using var world = new RotationWorld();
        var old = await world.CreateAliasedKeyAsync(Alias);
        world.Kms.Faults.ThrowAfterNth("CreateKey", world.Kms.Faults.CallCount("CreateKey") + 1, new SimulatedCrashException("lost the answer of CreateKey"));
        await Assert.ThrowsAsync<SimulatedCrashException>(() => world.InvokeAsync("{}", Alias));
        var orphan = Assert.Single(world.CreatedFor(Alias));
        var copy = await world.Client.CreateKeyAsync(new CreateKeyRequest { Tags = [.. orphan.Tags.Select(t => new Tag { TagKey = t.Key, TagValue = t.Value })] });
        world.Time.Advance(RotationWorld.ClaimExpiry);

        var error = await Assert.ThrowsAsync<RotationFailedException>(() => world.InvokeAsync("{}", Alias));

        var reason = error.Message;
        Assert.Contains("carry the tags of move", reason, StringComparison.Ordinal);
        Assert.Contains(orphan.KeyId, reason, StringComparison.Ordinal);
        Assert.Contains(copy.KeyMetadata.KeyId, reason, StringComparison.Ordinal);
        Assert.Equal(old.KeyId, world.Key(Alias).KeyId);
    }
}
