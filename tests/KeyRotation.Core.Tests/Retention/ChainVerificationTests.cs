using Amazon.KeyManagementService.Model;
using KeyRotation.Core.Retention;

namespace KeyRotation.Core.Tests.Retention;

public sealed class ChainVerificationTests
{
    private const string Alias = "alias/orders";

    /// <summary>current (move 2) -> middle (move 1) -> first (not created by the tool), tagged as the rotation tags them.</summary>
    private static List<RetentionKey> Chain() =>
    [
        Key("current", 0, (RotationTags.PreviousKey, "middle"), (RotationTags.Alias, Alias), (RotationTags.Sequence, "2")),
        Key("middle", 1, (RotationTags.PreviousKey, "first"), (RotationTags.Alias, Alias), (RotationTags.Sequence, "1"), (RotationTags.SuccessorKey, "current")),
        Key("first", 2, (RotationTags.SuccessorKey, "middle")),
    ];

    private static List<MarkerAliasEntry> Markers() =>
    [
        new("alias/keyrotation/orders/1", 1, false, "middle", null),
        new("alias/keyrotation/orders/2", 2, false, "current", null),
    ];

    private static RetentionKey Key(string id, int index, params (string Key, string Value)[] tags) => new()
    {
        KeyId = id,
        Index = index,
        Generation = 3 - index,
        KeyState = "Enabled",
        Tags = tags.ToDictionary(t => t.Key, t => t.Value, StringComparer.Ordinal),
    };

    [Fact]
    public void Verify_ChainAsTheToolWritesIt_Passes() => Assert.Null(RetentionReader.Verify(Alias, Chain(), Markers()));

    [Fact]
    public void Verify_SuccessorDisagrees_Fails()
    {
        var keys = Chain();
        keys[1] = keys[1] with { Tags = new Dictionary<string, string>(keys[1].Tags) { [RotationTags.SuccessorKey] = "elsewhere" } };

        Assert.Contains("successor", RetentionReader.Verify(Alias, keys, Markers()), StringComparison.Ordinal);
    }

    [Fact]
    public void Verify_KeyWithoutItsMarker_Fails()
    {
        // A key whose tags were planted: it names the chain, but no marker of its move points at it.
        var markers = Markers().Where(m => m.Move != 1).ToList();

        Assert.Contains("marker alias", RetentionReader.Verify(Alias, Chain(), markers), StringComparison.Ordinal);
    }

    [Fact]
    public void Verify_KeyTaggedForAnotherAlias_Fails()
    {
        var keys = Chain();
        keys[1] = keys[1] with { Tags = new Dictionary<string, string>(keys[1].Tags) { [RotationTags.Alias] = "alias/reports" } };

        Assert.NotNull(RetentionReader.Verify(Alias, keys, Markers()));
    }

    [Fact]
    public void Markers_OnlyThisAliasesMarkersAndTakeovers_AreParsed()
    {
        AliasListEntry Entry(string name) => new() { AliasName = name, TargetKeyId = "k" };

        var markers = RetentionReader.Markers(Alias, [Entry("alias/keyrotation/orders/3"), Entry("alias/keyrotation/orders/3-takeover-2"), Entry("alias/keyrotation/orders/eu/1"), Entry("alias/keyrotation/ordersx/1"), Entry(Alias)]);

        Assert.Equal([("alias/keyrotation/orders/3", 3L, false), ("alias/keyrotation/orders/3-takeover-2", 3L, true)], markers.Select(m => (m.Name, m.Move, m.IsTakeover)));
    }
}
