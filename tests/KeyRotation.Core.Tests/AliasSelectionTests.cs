namespace KeyRotation.Core.Tests;

public sealed class AliasSelectionTests
{
    [Theory]
    [InlineData("alias/orders")]
    [InlineData("alias/prod/*")]
    [InlineData("alias/team-a/prod/*")]
    public void Validate_NameOrPrefixPattern_IsAccepted(string entry) => Assert.Null(AliasSelection.Validate(entry));

    [Theory]
    [InlineData("alias/*", "would select every alias of the account")]
    [InlineData("alias/prod*", "has a '*' that does not end a prefix pattern")]
    [InlineData("alias/p*d/x", "has a '*' that does not end a prefix pattern")]
    [InlineData("alias/aws/*", "reserved for AWS managed keys")]
    [InlineData("alias/keyrotation/*", "one of this tool's own marker aliases")]
    [InlineData("alias/keyrotation/prod/*", "one of this tool's own marker aliases")]
    [InlineData("alias/pro d/*", "characters KMS does not allow")]
    public void Validate_BadPattern_SaysWhy(string entry, string expected)
    {
        var problem = AliasSelection.Validate(entry);

        Assert.NotNull(problem);
        Assert.Contains(expected, problem, StringComparison.Ordinal);
        Assert.Contains(entry.TrimEnd('*'), problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("alias/prod/orders", true)]
    [InlineData("alias/prod/eu/orders", true)]
    [InlineData("alias/billing", true)]
    [InlineData("alias/prod", false)]
    [InlineData("alias/production/orders", false)]
    [InlineData("alias/billing-eu", false)]
    [InlineData("alias/keyrotation/prod/orders/1", false)]
    public void Matches_NamesAndPrefixes_SelectExactlyWhatTheyName(string alias, bool expected)
    {
        var selection = new AliasSelection(["alias/billing", "alias/prod/*"]);

        Assert.Equal(expected, selection.Matches(alias));
    }

    [Fact]
    public async Task ResolveAsync_NoPattern_IsTheNamesWithoutCallingKms()
    {
        var kms = new Moq.Mock<Amazon.KeyManagementService.IAmazonKeyManagementService>(Moq.MockBehavior.Strict);
        var selection = new AliasSelection(["alias/b", "alias/a"]);

        Assert.Equal(["alias/b", "alias/a"], await selection.ResolveAsync(kms.Object, CancellationToken.None));
    }

    [Fact]
    public void Constructor_BadEntry_IsRefusedNamingIt()
    {
        var error = Assert.Throws<ArgumentException>(() => new AliasSelection(["alias/ok", "alias/*"]));

        Assert.Contains("'alias/*'", error.Message, StringComparison.Ordinal);
    }
}
