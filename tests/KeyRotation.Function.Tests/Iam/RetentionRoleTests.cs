using KeyRotation.Core;
using KeyRotation.Core.Retention;

namespace KeyRotation.Function.Tests.Iam;

/// <summary>
/// Single requests of the retention role, on its policy as SAM translates template.yaml and CloudFormation resolves it
/// (PendingWindowDays at its default, 30), and attacks where the rotation role plants tags first: the retention role
/// reaches a key only when it is both the target of a marker alias of a configured alias and tagged retired.
/// </summary>
public sealed class RetentionRoleTests
{
    private const string Generation2 = "generation-2";
    private const string Takeover = "alias/keyrotation/app-data/1-takeover-1";

    private static readonly StackInstance Stack = RotationRole.Stack;

    private static Dictionary<string, string> Tags(params (string Key, string Value)[] tags) => tags.ToDictionary(t => t.Key, t => t.Value, StringComparer.Ordinal);

    /// <summary>The starting account of the rotation role's attacks, plus a retired generation behind its marker alias and a takeover alias.</summary>
    private static SimulatedAccount RotationWorld() =>
        AttackerMoves.StartingAccount(Stack)
            .WithKey(Generation2, RotationRole.DocumentedKeyPolicy(Stack), Tags((RotationTags.Alias, RotationRole.AppData), (RotationTags.State, RotationTags.KeyStates.Retired), (RotationTags.Sealed, "true")))
            .WithAlias("alias/keyrotation/app-data/2", Generation2)
            .WithAlias(Takeover, Generation2);

    private static SimulatedAccount RetentionWorld() => RotationWorld().As(RetentionRole.Kms(Stack));

    private static (string, string[]) Window(int days) => ("kms:ScheduleKeyDeletionPendingWindowInDays", [days.ToString(System.Globalization.CultureInfo.InvariantCulture)]);

    [Theory]
    [InlineData("kms:DisableKey")]
    [InlineData("kms:EnableKey")]
    [InlineData("kms:CancelKeyDeletion")]
    [InlineData("kms:DescribeKey")]
    [InlineData("kms:ListResourceTags")]
    public void Request_OnARetiredGenerationBehindItsMarker_IsAllowed(string action)
    {
        var world = RetentionWorld();

        Assert.True(world.Allows(action, world.Key(Generation2)));
    }

    [Fact]
    public void ScheduleKeyDeletion_OnlyWithTheConfiguredWaitingPeriod_IsAllowed()
    {
        var world = RetentionWorld();
        var key = world.Key(Generation2);

        Assert.True(world.Allows("kms:ScheduleKeyDeletion", key, Window(30)));
        Assert.False(world.Allows("kms:ScheduleKeyDeletion", key, Window(7)));
        Assert.False(world.Allows("kms:ScheduleKeyDeletion", key));
    }

    [Fact]
    public void TagResource_OnlyRetentionsOwnTags_IsAllowed()
    {
        var world = RetentionWorld();

        Assert.True(world.TagResource(world.Key(Generation2), Tags((RetentionTags.DisabledAt, "2027-01-01T00:00:00Z"), (RetentionTags.DisabledBy, "ret-1"))).Allowed);
        Assert.False(world.TagResource(world.Key(Generation2), Tags((RotationTags.State, RotationTags.KeyStates.Active))).Allowed);
        Assert.False(world.TagResource(world.Key(Generation2), Tags(("team", "red"))).Allowed);
    }

    [Fact]
    public void DeleteAlias_OnlyThisToolsMarkerAliases_IsAllowed()
    {
        var world = RetentionWorld();

        Assert.True(world.DeleteAlias(Takeover).Allowed);
        Assert.False(world.DeleteAlias(RotationRole.AppData).Allowed);
        Assert.False(world.DeleteAlias("alias/other").Allowed);
    }

    [Theory]
    [InlineData(AttackerMoves.Current)]
    [InlineData(AttackerMoves.Retired)]
    [InlineData(AttackerMoves.Foreign)]
    [InlineData(AttackerMoves.ForeignWithoutAlias)]
    [InlineData(AttackerMoves.ForeignAccount)]
    [InlineData(AttackerMoves.ForeignRegion)]
    public void DisableOrSchedule_KeyNotBothRetiredAndBehindAMarker_IsDenied(string name)
    {
        // current-app-data is behind its marker but active; retired-app-data is tagged retired but has no marker alias.
        var world = RetentionWorld();
        var key = world.Key(name);

        Assert.False(world.Allows("kms:DisableKey", key));
        Assert.False(world.Allows("kms:ScheduleKeyDeletion", key, Window(30)));
        Assert.False(world.Allows("kms:EnableKey", key));
    }

    [Theory]
    [InlineData("kms:Decrypt")]
    [InlineData("kms:Encrypt")]
    [InlineData("kms:GenerateDataKey")]
    [InlineData("kms:CreateGrant")]
    [InlineData("kms:PutKeyPolicy")]
    [InlineData("kms:UntagResource")]
    [InlineData("kms:ImportKeyMaterial")]
    public void ForbiddenAction_OnItsOwnRetiredKey_IsDenied(string action)
    {
        var world = RetentionWorld();

        Assert.False(world.Allows(action, world.Key(Generation2)));
    }

    [Fact]
    public void CreateKeyOrMoveAnAlias_IsDenied()
    {
        var world = RetentionWorld();

        Assert.False(world.CreateKey(RotationRole.DocumentedKeyPolicy(Stack), Tags((RotationTags.Alias, RotationRole.AppData))).Allowed);
        Assert.False(world.UpdateAlias(RotationRole.AppData, world.Key(Generation2)).Allowed);
        Assert.False(world.CreateAlias("alias/keyrotation/app-data/9", world.Key(Generation2)).Allowed);
    }

    [Fact]
    public void RotationRolePlantsRetiredTagOnAForeignKey_RetentionRoleStillCannotDisableIt()
    {
        var planted = Tags((RotationTags.Alias, RotationRole.AppData), (RotationTags.State, RotationTags.KeyStates.Retired));
        var rotation = RotationWorld();
        var (tagged, afterPlanting) = rotation.TagResource(rotation.Key(AttackerMoves.Foreign), planted);
        Assert.True(tagged, "the rotation role can write keyrotation: tags on a foreign key (the threat this guards against)");

        var retention = afterPlanting.As(RetentionRole.Kms(Stack));

        Assert.Equal(RotationTags.KeyStates.Retired, retention.Key(AttackerMoves.Foreign).Tags[RotationTags.State]);
        Assert.False(retention.Allows("kms:DisableKey", retention.Key(AttackerMoves.Foreign)));
        Assert.False(retention.Allows("kms:ScheduleKeyDeletion", retention.Key(AttackerMoves.Foreign), Window(30)));
    }

    [Fact]
    public void EveryRotationRoleChainOfUpToTwoMoves_NeverLetsRetentionDisableAForeignKey()
    {
        var retentionKms = RetentionRole.Kms(Stack);
        var moves = new List<AttackerMove>(AttackerMoves.All(Stack.RoleArn))
        {
            new("TagResource(foreign, keyrotation:state=retired)", AttackerMoves.Foreign, (a, k) => a.TagResource(k!, Tags((RotationTags.Alias, RotationRole.AppData), (RotationTags.State, "retired"))), false),
            new("TagResource(foreign-no-alias, keyrotation:state=retired)", AttackerMoves.ForeignWithoutAlias, (a, k) => a.TagResource(k!, Tags((RotationTags.Alias, RotationRole.AppData), (RotationTags.State, "retired"))), false),
        };
        foreach (var target in AttackerMoves.OutOfReach)
        {
            moves.Add(new($"retention DisableKey({target})", target, (a, k) => (a.As(retentionKms).Allows("kms:DisableKey", k!), a), true));
            moves.Add(new($"retention ScheduleKeyDeletion({target})", target, (a, k) => (a.As(retentionKms).Allows("kms:ScheduleKeyDeletion", k!, Window(30)), a), true));
        }

        var explorer = new ChainExplorer(moves);
        explorer.Explore(AttackerMoves.StartingAccount(Stack), maxLength: 3);

        Assert.Empty(explorer.Breaches);
        Assert.True(explorer.RequestsEvaluated > 1000, $"only {explorer.RequestsEvaluated} requests were evaluated");
    }

    [Fact]
    public void SnsPublish_DataKeyOfTheStacksAwsManagedTopicKey_IsAllowedOnlyThroughSns()
    {
        // The key policy KMS gives the AWS managed key aws/sns: any principal of the account, through SNS only.
        var awsSns = """[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":["kms:Encrypt","kms:Decrypt","kms:ReEncrypt*","kms:GenerateDataKey*","kms:CreateGrant","kms:DescribeKey"],"Resource":"*","Condition":{"StringEquals":{"kms:CallerAccount":"ACCOUNT","kms:ViaService":"sns.REGION.amazonaws.com"}}}]"""
            .Replace("ACCOUNT", RotationRole.Account, StringComparison.Ordinal).Replace("REGION", RotationRole.Region, StringComparison.Ordinal);
        var world = SimulatedAccount.Empty(RetentionRole.Kms(Stack), RotationRole.Region).WithKey("aws/sns", SimulatedAccount.Policy(RetentionRole.Arn, awsSns));
        var viaSns = ("kms:ViaService", new[] { $"sns.{RotationRole.Region}.amazonaws.com" });

        Assert.True(world.Allows("kms:GenerateDataKey", world.Key("aws/sns"), viaSns));
        Assert.True(world.Allows("kms:Decrypt", world.Key("aws/sns"), viaSns));
        Assert.False(world.Allows("kms:GenerateDataKey", world.Key("aws/sns")));
        Assert.False(world.Allows("kms:Decrypt", world.Key("aws/sns")));
    }
}
