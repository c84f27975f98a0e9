using KeyRotation.Cli;
using KeyRotation.Cli.Targets;

namespace KeyRotation.IntegrationTests.Cli.Accounts;

/// <summary>The accounts file format: what it accepts, and the line and field of what it refuses.</summary>
public sealed class AccountTargetsTests
{
    private const string RoleA = "arn:aws:iam::111111111111:role/keyrotation-status-us-east-1";

    [Fact]
    public void Parse_CommentsBlankLinesTabsAndSeveralRegions_OneTargetPerAccountAndRegionInFileOrder()
    {
        var text = $"# security team's view\n\n111111111111\tus-east-1,eu-west-1\t{RoleA}\taudit-7f3a\r\n  222222222222   eu-west-1   arn:aws:iam::222222222222:role/reader  \n";

        var targets = AccountTargets.Parse(text, "accounts.txt", anyRegion: false);

        Assert.Equal(
            [
                new AccountTarget("111111111111", "us-east-1", RoleA, "audit-7f3a"),
                new AccountTarget("111111111111", "eu-west-1", RoleA, "audit-7f3a"),
                new AccountTarget("222222222222", "eu-west-1", "arn:aws:iam::222222222222:role/reader", null),
            ],
            targets);
    }

    [Fact]
    public void Parse_SameAccountAndRegionTwice_NamesBothLines()
    {
        var text = $"111111111111 us-east-1 {RoleA}\n111111111111 eu-west-1,us-east-1 {RoleA}\n";

        var error = Assert.Throws<UsageException>(() => AccountTargets.Parse(text, "accounts.txt", anyRegion: false));

        Assert.StartsWith("accounts.txt line 2, Region: account 111111111111 in us-east-1 is already listed on line 1", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_OnlyComments_SaysTheFileListsNoAccount()
    {
        var error = Assert.Throws<UsageException>(() => AccountTargets.Parse("# nothing yet\n\n", "accounts.txt", anyRegion: false));

        Assert.Equal($"accounts.txt lists no account (each line: {AccountTargets.Format}).", error.Message);
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, true)]
    public void Parse_RegionTheSdkDoesNotKnow_IsAcceptedOnlyForACustomEndpoint(bool anyRegion, bool accepted)
    {
        var text = $"111111111111 xx-nowhere-9 {RoleA}\n";

        if (accepted)
        {
            Assert.Equal("xx-nowhere-9", Assert.Single(AccountTargets.Parse(text, "accounts.txt", anyRegion)).Region);
        }
        else
        {
            var error = Assert.Throws<UsageException>(() => AccountTargets.Parse(text, "accounts.txt", anyRegion));
            Assert.StartsWith("accounts.txt line 1, Region: 'xx-nowhere-9' is not a Region this SDK knows", error.Message, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("a1b2c3d4e5f6")]
    [InlineData("１１１１１１１１１１１１")]
    public void Parse_AccountIdNotTwelveAsciiDigits_IsRefused(string account)
    {
        var error = Assert.Throws<UsageException>(() => AccountTargets.Parse($"{account} us-east-1 {RoleA}", "accounts.txt", anyRegion: false));

        Assert.StartsWith($"accounts.txt line 1, account id: '{account}' is not a 12-digit AWS account id", error.Message, StringComparison.Ordinal);
    }
}
