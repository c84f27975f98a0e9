using KeyRotation.Core;
using KeyRotation.Core.History;
using KeyRotation.Core.Protocol;

namespace KeyRotation.IntegrationTests.Rotation;

/// <summary>Status and rollback of aliases whose keys got new material in place, through the real SDK and LocalKms.</summary>
public sealed class MaterialHistoryTests : IDisposable
{
    private const string Alias = "alias/orders";
    private readonly RotationWorld _world = new();

    [Fact]
    public async Task Status_MaterialThenNewKey_ShowsTheMaterialRotationOnItsKeyInTheSameHistory()
    {
        var first = await _world.CreateAliasedKeyAsync(Alias);
        _world.UseStrategy("material");
        await _world.InvokeAsync("{}", Alias);
        var material = await _world.CurrentMaterialAsync(first.KeyId);
        _world.Time.Advance(TimeSpan.FromDays(31));
        _world.UseStrategy("new-key");
        await _world.InvokeAsync("{}", Alias);

        var status = await new AliasHistory(_world.Client).GetAsync(Alias, CancellationToken.None);

        Assert.Empty(status.Current.MaterialRotations);
        var earlier = Assert.Single(status.Earlier);
        Assert.Equal(first.KeyId, earlier.KeyId);
        var rotation = Assert.Single(earlier.MaterialRotations);
        Assert.Equal((material, "ON_DEMAND"), (rotation.KeyMaterialId, rotation.RotationType));
        Assert.Equal(_world.Key(first.KeyId).Tags[RotationTags.MaterialRotatedAt], RecordedTime.Format(rotation.RotatedAt));
    }

    [Fact]
    public async Task Status_TwoMaterialRotations_NewestFirst()
    {
        var key = await _world.CreateAliasedKeyAsync(Alias);
        _world.UseStrategy("material");
        await _world.InvokeAsync("{}", Alias);
        _world.Time.Advance(TimeSpan.FromDays(31));
        await _world.InvokeAsync("{}", Alias);

        var status = await new AliasHistory(_world.Client).GetAsync(Alias, CancellationToken.None);

        Assert.Equal(2, status.Current.MaterialRotations.Count);
        Assert.True(status.Current.MaterialRotations[0].RotatedAt > status.Current.MaterialRotations[1].RotatedAt);
        Assert.Equal(await _world.CurrentMaterialAsync(key.KeyId), status.Current.MaterialRotations[0].KeyMaterialId);
        Assert.Null(status.InProgress);
    }

    [Fact]
    public async Task Rollback_OfAMaterialRotation_IsRefusedWithTheReasonAndChangesNothing()
    {
        var key = await _world.CreateAliasedKeyAsync(Alias);
        _world.UseStrategy("material");
        await _world.InvokeAsync("{}", Alias);
        var tagsBefore = _world.Key(key.KeyId).Tags;
        _world.Kms.ClearRecordedRequests();

        var result = await new AliasRollback(_world.Client, _world.Notifier, _world.Time).RollBackAsync(new RollbackRequest { Alias = Alias, RollbackId = "rb-1" }, CancellationToken.None);

        Assert.Equal(RollbackOutcome.Refused, result.Outcome);
        Assert.Contains("KMS cannot make an older key material current again", result.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain(_world.Kms.RecordedRequests, r => r.Operation is "CreateAlias" or "UpdateAlias" or "TagResource");
        Assert.Equal(tagsBefore, _world.Key(key.KeyId).Tags);
    }

    [Fact]
    public async Task Rollback_OfAMaterialRotationOfARotatedKey_NamesThePreviousKeyAsTheAlternative()
    {
        var first = await _world.CreateAliasedKeyAsync(Alias);
        await _world.InvokeAsync("{}", Alias);
        _world.Time.Advance(TimeSpan.FromDays(31));
        _world.UseStrategy("material");
        await _world.InvokeAsync("{}", Alias);

        var result = await new AliasRollback(_world.Client, _world.Notifier, _world.Time).RollBackAsync(new RollbackRequest { Alias = Alias, RollbackId = "rb-1" }, CancellationToken.None);

        Assert.Equal(RollbackOutcome.Refused, result.Outcome);
        Assert.Contains($"keyrotation rollback {Alias} --to {first.KeyId}", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rollback_ToThePreviousKeyAfterAMaterialRotation_MovesTheAlias()
    {
        var first = await _world.CreateAliasedKeyAsync(Alias);
        await _world.InvokeAsync("{}", Alias);
        _world.Time.Advance(TimeSpan.FromDays(31));
        _world.UseStrategy("material");
        await _world.InvokeAsync("{}", Alias);

        var result = await new AliasRollback(_world.Client, _world.Notifier, _world.Time).RollBackAsync(new RollbackRequest { Alias = Alias, RollbackId = "rb-1", TargetKeyId = first.KeyId }, CancellationToken.None);

        Assert.Equal(RollbackOutcome.RolledBack, result.Outcome);
        Assert.Equal(first.KeyId, _world.Key(Alias).KeyId);
    }

    public void Dispose() => _world.Dispose();
}
