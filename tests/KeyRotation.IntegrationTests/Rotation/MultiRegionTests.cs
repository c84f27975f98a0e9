using System.Text;
using Amazon.KeyManagementService.Model;
using KeyRotation.Core;
using static KeyRotation.IntegrationTests.Rotation.MultiRegionSet;

namespace KeyRotation.IntegrationTests.Rotation;

/// <summary>A multi-Region primary behind the alias, rotated as a set through the real handler and SDK against a three-Region LocalKms.</summary>
public sealed class MultiRegionTests : IDisposable
{
    private readonly RotationWorld _world = new();

    [Fact]
    public async Task Rotate_MultiRegionPrimary_RotatesThePrimaryEveryReplicaAndEveryRegionsAlias()
    {
        var old = await CreateAsync(_world);

        var result = (await _world.InvokeAsync("{}", Alias)).GetProperty("results")[0];

        Assert.Equal("Rotated", result.GetProperty("outcome").GetString());
        var newKeyId = result.GetProperty("newKeyId").GetString()!;
        AssertConverged(_world, old, newKeyId);
        Assert.Equal(Replicas, _world.Kms.RecordedRequests.Where(r => r.Operation == "ReplicateKey").Select(r => ReplicaRegionOf(r.Body)).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Rotate_ReplicateKeyRequests_CarryTheOldReplicasPolicyAndDescriptionAndOnlyThisToolsTags()
    {
        await CreateAsync(_world);

        await _world.InvokeAsync("{}", Alias);

        foreach (var request in _world.Kms.RecordedRequests.Where(r => r.Operation == "ReplicateKey"))
        {
            Assert.Equal(Primary, request.Region);
            var body = System.Text.Json.JsonDocument.Parse(request.Body).RootElement;
            var region = body.GetProperty("ReplicaRegion").GetString()!;
            Assert.Equal((ReplicaPolicy(region), $"Replica of orders in {region}", false), (body.GetProperty("Policy").GetString(), body.GetProperty("Description").GetString(), body.GetProperty("BypassPolicyLockoutSafetyCheck").GetBoolean()));
            Assert.All(body.GetProperty("Tags").EnumerateArray(), tag => Assert.StartsWith(RotationTags.Prefix, tag.GetProperty("TagKey").GetString(), StringComparison.Ordinal));
            Assert.DoesNotContain(body.GetProperty("Tags").EnumerateArray(), tag => tag.GetProperty("TagKey").GetString() == RotationTags.State);
        }
    }

    [Fact]
    public async Task Rotate_MultiRegionPrimary_MovesTheReplicaRegionsAliasesBeforeThePrimaryRegions()
    {
        await CreateAsync(_world);

        await _world.InvokeAsync("{}", Alias);

        var moves = _world.Kms.RecordedRequests.Where(r => r.Operation == "UpdateAlias" && r.Body.Contains($"\"{Alias}\"", StringComparison.Ordinal)).Select(r => r.Region).ToList();
        Assert.Equal([.. Replicas, Primary], moves);
    }

    [Fact]
    public async Task Rotate_CiphertextFromBefore_DecryptsInEveryRegion()
    {
        await CreateAsync(_world);
        var before = await _world.Client.EncryptAsync(new EncryptRequest { KeyId = Alias, Plaintext = new MemoryStream(Encoding.UTF8.GetBytes("order 1")) });

        await _world.InvokeAsync("{}", Alias);
        var after = await _world.Client.EncryptAsync(new EncryptRequest { KeyId = Alias, Plaintext = new MemoryStream(Encoding.UTF8.GetBytes("order 2")) });

        foreach (var region in Replicas.Append(Primary))
        {
            var kms = _world.RegionClients.For(region);
            var oldData = await kms.DecryptAsync(new DecryptRequest { CiphertextBlob = new MemoryStream(before.CiphertextBlob.ToArray()) });
            var newData = await kms.DecryptAsync(new DecryptRequest { CiphertextBlob = new MemoryStream(after.CiphertextBlob.ToArray()) });
            Assert.Equal(("order 1", "order 2"), (Encoding.UTF8.GetString(oldData.Plaintext.ToArray()), Encoding.UTF8.GetString(newData.Plaintext.ToArray())));
        }
    }

    [Fact]
    public async Task Rotate_ReplicaRegionWithoutTheAlias_GetsItsReplicaAndRetiresTheOldOneButNoAlias()
    {
        string[] aliasIn = ["eu-west-1"];
        var old = await CreateAsync(_world, aliasIn);

        var result = (await _world.InvokeAsync("{}", Alias)).GetProperty("results")[0];

        Assert.Equal("Rotated", result.GetProperty("outcome").GetString());
        AssertConverged(_world, old, result.GetProperty("newKeyId").GetString()!, aliasIn);
    }

    [Fact]
    public async Task Rotate_AliasOnAReplicaInItsRegion_IsRefusedNamingThePrimaryRegionAndChangesNothing()
    {
        var old = await CreateAsync(_world);
        _world.Environment[Core.Configuration.SettingNames.RotationAliases] = Alias;

        var error = await Assert.ThrowsAsync<Function.RotationFailedException>(() => _world.InvokeAsync(_world.RegionClients.For("eu-west-1"), "{}"));

        var reason = error.Message;
        Assert.Contains("a replica of a multi-Region key whose primary is in us-east-1", reason, StringComparison.Ordinal);
        Assert.Contains("Nothing was changed", reason, StringComparison.Ordinal);
        Assert.DoesNotContain(_world.Kms.RecordedRequests, r => r.Operation is "CreateKey" or "CreateAlias" or "UpdateAlias" or "TagResource" or "ReplicateKey");
        Assert.All(Replicas.Append(Primary), region => Assert.Equal(old, Key(_world, Alias, region).KeyId));
    }

    [Fact]
    public async Task Rotate_ReplicaRegionDownMidRotation_FailsNamingTheRegionAndTheNextRunFinishes()
    {
        using var world = new RotationWorld(config => config.MaxErrorRetry = 0);
        var old = await CreateAsync(world);
        world.Kms.StartRegionOutage("eu-west-1");

        var failed = await Assert.ThrowsAsync<Function.RotationFailedException>(() => world.InvokeAsync("{}", Alias));

        Assert.Contains($"{Alias}: Replica Region eu-west-1: ", failed.Message, StringComparison.Ordinal);
        Assert.Contains("eu-west-1 is unavailable", failed.Message, StringComparison.Ordinal);
        Assert.Equal(old, world.Key(Alias).KeyId);
        world.Kms.EndRegionOutage("eu-west-1");

        var finished = (await world.InvokeAsync("{}", Alias)).GetProperty("results")[0];

        Assert.Equal("Rotated", finished.GetProperty("outcome").GetString());
        Assert.StartsWith("Finished an interrupted rotation", finished.GetProperty("reason").GetString(), StringComparison.Ordinal);
        AssertConverged(world, old, finished.GetProperty("newKeyId").GetString()!);
    }

    [Fact]
    public async Task Rotate_ReplicaRegionFailsWhileTheAliasesMove_LeavesAMixedStateTheNextRunFinishes()
    {
        // Which UpdateAlias of a clean rotation moves eu-west-1's alias: the same one fails here, as a Region going down
        // after another replica Region's alias already moved.
        int euWestMove;
        using (var clean = new RotationWorld())
        {
            await CreateAsync(clean);
            await clean.InvokeAsync("{}", Alias);
            euWestMove = clean.Kms.RecordedRequests.Where(r => r.Operation == "UpdateAlias").ToList().FindIndex(r => r.Region == "eu-west-1") + 1;
        }

        using var world = new RotationWorld(config => config.MaxErrorRetry = 0);
        var old = await CreateAsync(world);
        world.Kms.Faults.FailNth("UpdateAlias", world.Kms.Faults.CallCount("UpdateAlias") + euWestMove, "KMSInternalException", "Region eu-west-1 is unavailable.", 500);

        var failed = await Assert.ThrowsAsync<Function.RotationFailedException>(() => world.InvokeAsync("{}", Alias));

        Assert.Contains($"{Alias}: Replica Region eu-west-1: KMS UpdateAlias failed", failed.Message, StringComparison.Ordinal);
        var newKeyId = Assert.Single(world.CreatedFor(Alias)).KeyId;
        Assert.Equal((newKeyId, old, old), (Key(world, Alias, "ap-southeast-2").KeyId, Key(world, Alias, "eu-west-1").KeyId, world.Key(Alias).KeyId));

        var finished = (await world.InvokeAsync("{}", Alias)).GetProperty("results")[0];

        Assert.Equal(("Rotated", newKeyId), (finished.GetProperty("outcome").GetString(), finished.GetProperty("newKeyId").GetString()));
        AssertConverged(world, old, newKeyId);
    }

    [Fact]
    public async Task Rotate_ReplicateKeyAnswerLostAndRetriedBySdk_TakesAlreadyExistsAsDone()
    {
        var old = await CreateAsync(_world);
        _world.Kms.Faults.ThrowAfterNth("ReplicateKey", _world.Kms.Faults.CallCount("ReplicateKey") + 1, new HttpRequestException("connection reset after ReplicateKey"));

        var result = (await _world.InvokeAsync("{}", Alias)).GetProperty("results")[0];

        Assert.Equal("Rotated", result.GetProperty("outcome").GetString());
        Assert.Equal(3, _world.Kms.RecordedRequests.Count(r => r.Operation == "ReplicateKey"));
        AssertConverged(_world, old, result.GetProperty("newKeyId").GetString()!);
    }

    [Fact]
    public async Task Rotate_DuplicateDeliveryOfTheScheduledEvent_RotatesTheSetOnce()
    {
        var old = await CreateAsync(_world);
        const string Scheduled = """{"trigger":"schedule","scheduledTime":"2026-12-31T03:00:00Z"}""";

        var first = (await _world.InvokeAsync(Scheduled, Alias)).GetProperty("results")[0];
        var second = (await _world.InvokeAsync(Scheduled, Alias)).GetProperty("results")[0];

        Assert.Equal(("Rotated", "Skipped"), (first.GetProperty("outcome").GetString(), second.GetProperty("outcome").GetString()));
        AssertConverged(_world, old, first.GetProperty("newKeyId").GetString()!);
        Assert.Equal(2, _world.Kms.RecordedRequests.Count(r => r.Operation == "ReplicateKey"));
    }

    [Fact]
    public async Task Rotate_DuplicateDeliveriesAtOnce_RotateTheSetOnceAndNotifyOnce()
    {
        var old = await CreateAsync(_world);
        _world.Environment[Core.Configuration.SettingNames.RotationAliases] = Alias;
        const string Scheduled = """{"trigger":"schedule","scheduledTime":"2026-12-31T03:00:00Z"}""";

        var results = await Task.WhenAll(_world.InvokeAsync(Scheduled), _world.InvokeAsync(Scheduled));

        var outcomes = results.Select(r => r.GetProperty("results")[0]).ToList();
        var rotated = Assert.Single(outcomes, r => r.GetProperty("outcome").GetString() == "Rotated");
        Assert.Equal("Skipped", Assert.Single(outcomes, r => r.GetProperty("outcome").GetString() != "Rotated").GetProperty("outcome").GetString());
        AssertConverged(_world, old, rotated.GetProperty("newKeyId").GetString()!);
        Assert.Equal(2, _world.Kms.RecordedRequests.Count(r => r.Operation == "ReplicateKey"));
        Assert.Single(_world.Sns.Snapshot());
    }

    [Fact]
    public async Task Plan_MultiRegionPrimary_NamesTheReplicaRegions()
    {
        await CreateAsync(_world);

        var result = (await _world.InvokeAsync("""{"dryRun":true}""", Alias)).GetProperty("results")[0];

        Assert.Equal("Planned", result.GetProperty("outcome").GetString());
        Assert.Contains("replicated into ap-southeast-2, eu-west-1", result.GetProperty("reason").GetString(), StringComparison.Ordinal);
    }

    private static string ReplicaRegionOf(string body) =>
        System.Text.Json.JsonDocument.Parse(body).RootElement.GetProperty("ReplicaRegion").GetString()!;

    public void Dispose() => _world.Dispose();
}
