using KeyRotation.Core.Protocol;

namespace KeyRotation.Core.Tests.Protocol;

public sealed class MarkerNamesTests
{
    [Fact]
    public void Marker_AndTakeover_ParseBackToTheirMove()
    {
        var marker = MarkerNames.Marker("alias/orders", 12);
        var takeover = MarkerNames.Takeover(marker, 2);

        Assert.Equal(("alias/keyrotation/orders/12", "alias/keyrotation/orders/12-takeover-2"), (marker, takeover));
        Assert.True(MarkerNames.TryParse("alias/orders", marker, out var move, out var isTakeover));
        Assert.Equal((12L, false), (move, isTakeover));
        Assert.True(MarkerNames.TryParse("alias/orders", takeover, out move, out isTakeover));
        Assert.Equal((12L, true), (move, isTakeover));
    }

    [Theory]
    [InlineData("alias/keyrotation/orders/clock")]
    [InlineData("alias/keyrotation/orders/eu/1")]
    [InlineData("alias/keyrotation/ordersx/1")]
    [InlineData("alias/keyrotation/orders/0")]
    [InlineData("alias/keyrotation/orders/1-takeover-x")]
    [InlineData("alias/orders")]
    public void TryParse_NamesThatAreNotThisAliasMarkers_AreRefused(string name) =>
        Assert.False(MarkerNames.TryParse("alias/orders", name, out _, out _));

    [Fact]
    public void Clock_IsUnderTheAliasOwnPrefix() =>
        Assert.StartsWith(MarkerNames.OwnPrefix("alias/orders"), MarkerNames.Clock("alias/orders"), StringComparison.Ordinal);
}
