using KeyRotation.Cli.Errors;

namespace KeyRotation.IntegrationTests.Cli;

/// <summary>"Did you mean": edit distance with swaps counted once, and a threshold so unrelated names are never offered.</summary>
public sealed class ClosestNamesTests
{
    [Theory]
    [InlineData("alias/demo/app-dta", "alias/demo/app-data", 1)]
    [InlineData("alias/ordres", "alias/orders", 1)]
    [InlineData("--forse", "--force", 1)]
    [InlineData("rotat", "rotate", 1)]
    [InlineData("abc", "abc", 0)]
    [InlineData("", "abc", 3)]
    [InlineData("kitten", "sitting", 3)]
    public void Distance_Pairs_CountsEdits(string a, string b, int expected)
    {
        Assert.Equal(expected, ClosestNames.Distance(a, b));
    }

    [Fact]
    public void Of_OnlyTheNearest_WithinTheThreshold()
    {
        var known = new[] { "alias/orders", "alias/orders-archive", "alias/payments", "alias/order" };

        Assert.Equal(["alias/order", "alias/orders"], ClosestNames.Of("alias/ordes", known));
        Assert.Empty(ClosestNames.Of("alias/zzz", known));
    }
}
