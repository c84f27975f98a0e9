using KeyRotation.Core.Protocol;

namespace KeyRotation.Core.Tests.Protocol;

public sealed class KeyRecordTests
{
    [Fact]
    public void From_TagsARotationWrote_ParsesTheChainAndLifecycle()
    {
        var record = KeyRecord.From(new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["keyrotation:alias"] = "alias/orders",
            ["keyrotation:previous-key"] = "old",
            ["keyrotation:successor-key"] = "newer",
            ["keyrotation:generation"] = "3",
            ["keyrotation:sequence"] = "2",
            ["keyrotation:state"] = "retired",
            ["keyrotation:retired-at"] = "2026-12-01T03:00:05Z",
            ["keyrotation:escrow-object"] = "key-1.json",
            ["keyrotation:disabled-at"] = "2027-01-01T00:00:00Z",
            ["team"] = "payments",
        });

        Assert.Equal(("alias/orders", "old", "newer", 3L, 2L), (record.Alias, record.PreviousKeyId, record.SuccessorKeyId, record.Generation, record.Sequence));
        Assert.Equal(("retired", "2026-12-01T03:00:05Z", "key-1.json", "2027-01-01T00:00:00Z"), (record.State, record.RetiredAt, record.EscrowObject, record.DisabledAt));
        Assert.True(record.IsRetired);
        Assert.True(record.CreatedByTool);
    }

    [Theory]
    [InlineData("-1")]
    [InlineData("2x")]
    [InlineData("")]
    public void From_MalformedNumbers_FallBackAsUntagged(string text)
    {
        var record = KeyRecord.From(new Dictionary<string, string>(StringComparer.Ordinal) { ["keyrotation:generation"] = text, ["keyrotation:sequence"] = text });

        Assert.Equal((7L, 0L), (record.GenerationOr(7), record.Sequence));
    }

    [Fact]
    public void From_NoTags_IsTheAliasFirstKey()
    {
        var record = KeyRecord.From(new Dictionary<string, string>(StringComparer.Ordinal));

        Assert.Equal(KeyRecord.Untagged, record);
        Assert.False(record.CreatedByTool);
    }

    [Fact]
    public void RolledBack_ParsesBackAsARetiredKeyNamingTheRestoredOne()
    {
        var record = KeyRecord.From(KeyRecordTags.RolledBack("restored", "2026-12-02T00:00:00Z"));

        Assert.Equal((true, "restored", "2026-12-02T00:00:00Z"), (record.IsRetired, record.SuccessorKeyId, record.RolledBackAt));
    }

    [Fact]
    public void Reenabled_LongValues_AreCutToKmsTagLimit()
    {
        var tags = KeyRecordTags.Reenabled("2026-12-02T00:00:00Z", new string('x', 300), new string('y', 257));

        Assert.All(tags.Values, value => Assert.True(value.Length <= 256));
        Assert.Equal(new string('y', 256), KeyRecord.From(tags).UsedBy);
    }
}
