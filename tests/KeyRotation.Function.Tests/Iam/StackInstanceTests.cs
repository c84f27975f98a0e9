namespace KeyRotation.Function.Tests.Iam;

/// <summary>The lists template.yaml builds from AliasNames with Fn::Split and Fn::Join, as CloudFormation resolves them.</summary>
public sealed class StackInstanceTests
{
    private static IamPolicy RolePolicy(string aliasNames) =>
        new StackInstance(SamTranslation.Template, new Dictionary<string, string>(StringComparer.Ordinal) { ["AliasNames"] = aliasNames }).RolePolicy();

    private static IamStatement Statement(IamPolicy policy, string sid) => policy.Statements.Single(s => s.Sid == sid);

    [Fact]
    public void ResourceAliases_OfTheKeyStatements_AreTheConfiguredAliasesAndTheirOwnMarkers()
    {
        var policy = RolePolicy("alias/app-data,alias/myalias/alias/x");

        var aliases = Statement(policy, "ManageKeysBehindConfiguredAliases").Conditions.Single(c => c.Key == "kms:ResourceAliases").PolicyValues;

        Assert.Equal(["alias/app-data", "alias/myalias/alias/x", "alias/keyrotation/app-data/*", "alias/keyrotation/myalias/alias/x/*"], aliases);
        Assert.Equal(aliases, Statement(policy, "TagKeysBehindConfiguredAliases").Conditions.Single(c => c.Key == "kms:ResourceAliases").PolicyValues);
    }

    [Fact]
    public void AliasResources_OfTheAliasStatements_AreTheConfiguredAliasesAndTheirOwnMarkersOnly()
    {
        var policy = RolePolicy("alias/app-data,alias/billing");

        Assert.Equal(
            ["arn:aws:kms:eu-west-1:111122223333:alias/keyrotation", "arn:*:kms:*:*:alias/keyrotation/app-data/*", "arn:*:kms:*:*:alias/keyrotation/billing/*"],
            Statement(policy, "CreateMarkerAliases").Resources);
        Assert.Equal(
            ["arn:*:kms:*:*:alias/app-data", "arn:*:kms:*:*:alias/billing", "arn:*:kms:*:*:alias/keyrotation/app-data/*", "arn:*:kms:*:*:alias/keyrotation/billing/*"],
            Statement(policy, "UpdateConfiguredAndMarkerAliases").Resources);
        Assert.Equal(
            ["arn:aws:kms:*:111122223333:alias/*", "arn:aws:kms:*:111122223333:key/*"],
            Statement(policy, "DenyAliasesAndKeysOutsideThisAccount").NotResources);
    }

    [Fact]
    public void StackInstance_UnknownParameter_IsRefused()
    {
        var parameters = new Dictionary<string, string>(StringComparer.Ordinal) { ["AliasNames"] = "alias/x", ["RoleNames"] = "x" };

        var ex = Assert.Throws<ArgumentException>(() => new StackInstance(SamTranslation.Template, parameters));

        Assert.Equal("template.yaml has no parameter RoleNames", ex.Message);
    }
}
