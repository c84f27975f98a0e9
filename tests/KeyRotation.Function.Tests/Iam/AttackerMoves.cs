using KeyRotation.Core;

namespace KeyRotation.Function.Tests.Iam;

/// <summary>One request a misused rotation role could make, and whether allowing it would break the role's promise.</summary>
internal sealed record AttackerMove(string Name, string? TargetKey, Func<SimulatedAccount, SimulatedKey?, (bool Allowed, SimulatedAccount After)> Apply, bool MustNeverBeAllowed)
{
    public override string ToString() => Name;
}

/// <summary>
/// The simulated account the chains start from, and the moves they are made of. Keys of this tool (the documented key
/// policy, sealed): the retired and current keys of alias/app-data and the only key of alias/billing. Keys that must
/// stay out of reach: one behind alias/other (default key policy, tagged team=red), one without an alias, one in
/// another account whose policy lets this account's IAM decide (with an alias/app-data of its own) and one in another
/// Region (also behind an alias/app-data).
/// </summary>
internal static class AttackerMoves
{
    public const string OtherAccount = "444455556666";
    public const string OtherRegion = "us-east-1";
    public const string Retired = "retired-app-data";
    public const string Current = "current-app-data";
    public const string BillingKey = "billing";
    public const string Foreign = "foreign";
    public const string ForeignWithoutAlias = "foreign-no-alias";
    public const string ForeignAccount = "other-account";
    public const string ForeignRegion = "other-region";
    public const string Newest = "NEW";
    public const string AppDataMarker = "alias/keyrotation/app-data/1";

    public static readonly IReadOnlySet<string> OutOfReach = new HashSet<string>(StringComparer.Ordinal) { Foreign, ForeignWithoutAlias, ForeignAccount, ForeignRegion };

    public static readonly IReadOnlySet<string> PreExistingOwn = new HashSet<string>(StringComparer.Ordinal) { Retired, Current, BillingKey };

    public static SimulatedAccount StartingAccount(StackInstance stack, bool sealBillingKey = true)
    {
        var documented = RotationRole.DocumentedKeyPolicy(stack);
        var defaultPolicy = SimulatedAccount.Policy(stack.RoleArn, RotationRole.DefaultKeyPolicyStatements(RotationRole.Account));
        var sharedWithThisAccount = SimulatedAccount.Policy(stack.RoleArn, RotationRole.DefaultKeyPolicyStatements(OtherAccount), RotationRole.DefaultKeyPolicyStatements(RotationRole.Account));
        Dictionary<string, string> Tags(params (string Key, string Value)[] tags) => tags.ToDictionary(t => t.Key, t => t.Value, StringComparer.Ordinal);

        return SimulatedAccount.Empty(RotationRole.Kms(stack), RotationRole.Region)
            .WithKey(Retired, documented, Tags((RotationTags.State, "retired"), (RotationTags.Sealed, "true"), (RotationTags.SuccessorKey, Current)))
            .WithKey(Current, documented, Tags((RotationTags.Alias, RotationRole.AppData), (RotationTags.State, "active"), (RotationTags.Sealed, "true")))
            .WithAlias(RotationRole.AppData, Current)
            .WithAlias(AppDataMarker, Current)
            .WithKey(BillingKey, documented, sealBillingKey ? Tags((RotationTags.Sealed, "true")) : Tags())
            .WithAlias(RotationRole.Billing, BillingKey)
            .WithKey(Foreign, defaultPolicy, Tags(("team", "red")))
            .WithAlias("alias/other", Foreign)
            .WithKey(ForeignWithoutAlias, defaultPolicy)
            .WithKey(ForeignAccount, sharedWithThisAccount, account: OtherAccount)
            .WithAlias(RotationRole.AppData, ForeignAccount)
            .WithKey(ForeignRegion, defaultPolicy, region: OtherRegion)
            .WithAlias(RotationRole.AppData, ForeignRegion);
    }

    /// <summary>A key policy a misused role would give a key: itself everything, and decryption to an outside account.</summary>
    public static string HostilePolicy(string roleArn) => SimulatedAccount.Policy(
        roleArn,
        RotationRole.DefaultKeyPolicyStatements(RotationRole.Account),
        $$"""[{"Effect":"Allow","Principal":{"AWS":"{{roleArn}}"},"Action":"kms:*","Resource":"*"},{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::999988887777:root"},"Action":"kms:Decrypt","Resource":"*"}]""");

    public static IReadOnlyList<AttackerMove> All(string roleArn)
    {
        var hostile = HostilePolicy(roleArn);
        var ownTag = new Dictionary<string, string>(StringComparer.Ordinal) { [RotationTags.Alias] = RotationRole.AppData };
        var foreignTag = new Dictionary<string, string>(StringComparer.Ordinal) { ["team"] = "blue" };
        var moves = new List<AttackerMove>
        {
            new("CreateKey(hostile policy, keyrotation:alias)", null, (a, _) => a.CreateKey(hostile, ownTag), false),
            new("CreateKey(hostile policy, keyrotation:alias and team)", null, (a, _) => a.CreateKey(hostile, new Dictionary<string, string>(ownTag) { ["team"] = "blue" }), true),
        };
        foreach (var target in (string[])[Retired, Current, BillingKey, Foreign, ForeignWithoutAlias, ForeignAccount, ForeignRegion, Newest])
        {
            var outOfReach = OutOfReach.Contains(target);
            var preExisting = PreExistingOwn.Contains(target);
            moves.Add(new($"TagResource({target}, keyrotation:alias)", target, (a, k) => a.TagResource(k!, ownTag), false));
            moves.Add(new($"TagResource({target}, team)", target, (a, k) => a.TagResource(k!, foreignTag), outOfReach || preExisting));
            moves.Add(new($"DescribeKey({target})", target, (a, k) => (a.Allows("kms:DescribeKey", k!), a), outOfReach));
            moves.Add(new($"PutKeyPolicy({target}, hostile)", target, (a, k) => a.PutKeyPolicy(k!, hostile), outOfReach || preExisting));
            moves.Add(new($"CreateAlias(alias/keyrotation/app-data/9 -> {target})", target, (a, k) => a.CreateAlias("alias/keyrotation/app-data/9", k!), outOfReach));
            moves.Add(new($"UpdateAlias(alias/app-data -> {target})", target, (a, k) => a.UpdateAlias(RotationRole.AppData, k!), outOfReach));
            moves.Add(new($"UpdateAlias({AppDataMarker} -> {target})", target, (a, k) => a.UpdateAlias(AppDataMarker, k!), outOfReach));
            moves.Add(new($"UpdateAlias(alias/billing -> {target})", target, (a, k) => a.UpdateAlias(RotationRole.Billing, k!), outOfReach));
            moves.Add(new($"CreateAlias(alias/keyrotation -> {target})", target, (a, k) => a.CreateAlias("alias/keyrotation", k!), outOfReach));
        }

        return moves;
    }

    /// <summary>The move's key in this account (the newest key the role created for NEW), or null when there is none yet.</summary>
    public static SimulatedKey? Target(SimulatedAccount account, AttackerMove move) =>
        move.TargetKey switch
        {
            null => null,
            Newest => account.NewestCreated,
            var name => account.Key(name),
        };
}
