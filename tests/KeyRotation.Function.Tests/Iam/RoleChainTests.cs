namespace KeyRotation.Function.Tests.Iam;

/// <summary>
/// Multi-step attacks by a misused rotation role on a simulated account, evaluated on the role's policy as deployed
/// (SAM translation of template.yaml) and the key policy of docs/permissions.md: every chain is stopped before it reaches a key
/// outside the configured aliases, rewrites the policy of a key that existed before, or plants another application's
/// tags. Named chains say at which step they are stopped; the explorer tries every chain up to three moves.
/// </summary>
public sealed class RoleChainTests
{
    private static readonly StackInstance Stack = RotationRole.Stack;
    private static readonly IReadOnlyList<AttackerMove> Moves = AttackerMoves.All(Stack.RoleArn);

    private static AttackerMove Move(string name) => Moves.Single(m => m.Name == name);

    private static int StoppedAt(params string[] chain) =>
        ChainExplorer.StoppedAt(AttackerMoves.StartingAccount(Stack), [.. chain.Select(Move)]);

    [Fact]
    public void EveryChainOfUpToThreeMoves_NeverReachesAForeignKeyOrRewritesAnExistingKeysPolicy()
    {
        var explorer = new ChainExplorer(Moves);

        explorer.Explore(AttackerMoves.StartingAccount(Stack), maxLength: 3);

        Assert.Empty(explorer.Breaches);
        Assert.Equal(3, explorer.LongestAllowedChain);
        Assert.True(explorer.RequestsEvaluated > 10_000, $"only {explorer.RequestsEvaluated} requests were evaluated");
    }

    [Fact]
    public void EveryChainOfUpToThreeMoves_WithImportedMaterialAndANamedRole_IsStoppedToo()
    {
        var stack = RotationRole.ExternalStack;
        var explorer = new ChainExplorer(AttackerMoves.All(stack.RoleArn));

        explorer.Explore(AttackerMoves.StartingAccount(stack), maxLength: 3);

        Assert.Empty(explorer.Breaches);
    }

    [Fact]
    public void PlantTheToolsTagOnAForeignKey_ThenRewriteItsPolicy_IsStoppedAtTheRewrite()
    {
        Assert.Equal(2, StoppedAt("TagResource(foreign, keyrotation:alias)", "PutKeyPolicy(foreign, hostile)"));
    }

    [Fact]
    public void PlantTheToolsTagOnAKeyWithoutAlias_ThenPointTheAliasAtIt_IsStoppedAtTheMove()
    {
        Assert.Equal(2, StoppedAt("TagResource(foreign-no-alias, keyrotation:alias)", "UpdateAlias(alias/app-data -> foreign-no-alias)"));
    }

    [Fact]
    public void PlantAnotherApplicationsTag_IsStoppedAtOnce()
    {
        Assert.Equal(1, StoppedAt("TagResource(foreign, team)"));
        Assert.Equal(1, StoppedAt("TagResource(retired-app-data, team)"));
        Assert.Equal(1, StoppedAt("CreateKey(hostile policy, keyrotation:alias and team)"));
    }

    [Fact]
    public void CreateAMarkerAliasOnAForeignKey_ThenActThroughIt_IsStoppedAtTheMarker()
    {
        Assert.Equal(1, StoppedAt("CreateAlias(alias/keyrotation/app-data/9 -> foreign)", "DescribeKey(foreign)"));
        Assert.Equal(1, StoppedAt("CreateAlias(alias/keyrotation/app-data/9 -> foreign-no-alias)", "PutKeyPolicy(foreign-no-alias, hostile)"));
    }

    [Fact]
    public void PointTheConfiguredAliasOrItsMarkerAtAForeignKey_IsStoppedAtOnce()
    {
        Assert.Equal(1, StoppedAt("UpdateAlias(alias/app-data -> foreign)"));
        Assert.Equal(1, StoppedAt("UpdateAlias(alias/keyrotation/app-data/1 -> foreign-no-alias)"));
    }

    [Fact]
    public void RewriteThePolicyOfARetiredKey_IsStoppedAtOnceByTheSeal()
    {
        // The retired key has no alias, so its key policy's new-key-setup statement would apply; the seal denies it.
        Assert.Equal(1, StoppedAt("PutKeyPolicy(retired-app-data, hostile)"));
    }

    [Fact]
    public void MoveTheAliasAndMarkerAwayFromTheCurrentKey_ThenRewriteItsPolicy_IsStoppedAtTheRewrite()
    {
        var stoppedAt = StoppedAt(
            "CreateKey(hostile policy, keyrotation:alias)",
            "UpdateAlias(alias/app-data -> NEW)",
            $"UpdateAlias({AttackerMoves.AppDataMarker} -> NEW)",
            "PutKeyPolicy(current-app-data, hostile)");

        Assert.Equal(4, stoppedAt);
    }

    [Fact]
    public void MoveTheAliasAwayFromAnUnsealedKey_ThenRewriteItsPolicy_IsWhatTheDocumentedSealCloses()
    {
        // The residual docs/permissions.md names: a key behind a configured alias that was never sealed can be taken over in
        // three moves. With the seal (StartingAccount's default), the same chain stops at the rewrite.
        var moves = new[] { "CreateKey(hostile policy, keyrotation:alias)", "UpdateAlias(alias/billing -> NEW)", "PutKeyPolicy(billing, hostile)" }.Select(Move).ToArray();

        Assert.Equal(0, ChainExplorer.StoppedAt(AttackerMoves.StartingAccount(Stack, sealBillingKey: false), moves));
        Assert.Equal(3, ChainExplorer.StoppedAt(AttackerMoves.StartingAccount(Stack), moves));
    }

    [Fact]
    public void TheSameChains_AgainstAKeyInAnotherAccount_AreStoppedAtOnce()
    {
        Assert.Equal(1, StoppedAt("TagResource(other-account, keyrotation:alias)", "PutKeyPolicy(other-account, hostile)"));
        Assert.Equal(1, StoppedAt("UpdateAlias(alias/app-data -> other-account)"));
        Assert.Equal(1, StoppedAt("CreateAlias(alias/keyrotation/app-data/9 -> other-account)"));
        Assert.Equal(1, StoppedAt("DescribeKey(other-account)"));
    }

    [Fact]
    public void TheSameChains_AgainstAKeyInAnotherRegion_AreStoppedAtOnce()
    {
        Assert.Equal(1, StoppedAt("TagResource(other-region, keyrotation:alias)", "PutKeyPolicy(other-region, hostile)"));
        Assert.Equal(1, StoppedAt("UpdateAlias(alias/app-data -> other-region)"));
        Assert.Equal(1, StoppedAt("CreateAlias(alias/keyrotation/app-data/9 -> other-region)"));
    }

    [Fact]
    public void ChainsOnKeysTheRoleJustCreated_AreAllowed()
    {
        // The explorer must be able to find allowed chains: the residual docs/permissions.md names (a key the role created, an
        // alias pointed at it) is reachable, so a breach would be found if the policy let one through.
        Assert.Equal(0, StoppedAt("CreateKey(hostile policy, keyrotation:alias)", "UpdateAlias(alias/app-data -> NEW)", "PutKeyPolicy(NEW, hostile)"));
    }
}
