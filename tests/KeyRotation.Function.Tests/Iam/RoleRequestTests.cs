using KeyRotation.Core;

namespace KeyRotation.Function.Tests.Iam;

/// <summary>
/// Single requests of the rotation role, evaluated on the role's policy as the SAM translator produces it from
/// template.yaml and as CloudFormation resolves it, with the context keys KMS sends, on keys whose policy is the
/// documented ones in docs/permissions.md (plus the default account statement) or the default key policy alone.
/// </summary>
public sealed partial class RoleRequestTests
{
    private static readonly Dictionary<string, string> NoTags = new(StringComparer.Ordinal);

    private static SimulatedAccount World(StackInstance stack) =>
        SimulatedAccount.Empty(RotationRole.Kms(stack), RotationRole.Region)
            .WithKey("current", RotationRole.DocumentedKeyPolicy(stack), new Dictionary<string, string>(StringComparer.Ordinal) { ["team"] = "payments", [RotationTags.Sealed] = "true" })
            .WithAlias(RotationRole.AppData, "current")
            .WithKey("foreign", SimulatedAccount.Policy(stack.RoleArn, RotationRole.DefaultKeyPolicyStatements(RotationRole.Account)))
            .WithAlias("alias/other", "foreign");

    /// <summary>The tags CreateKey carries: this tool's own only.</summary>
    private static Dictionary<string, string> OwnTags(string previousKey) => new(StringComparer.Ordinal)
    {
        [RotationTags.Alias] = RotationRole.AppData,
        [RotationTags.RotationId] = "rot-1",
        [RotationTags.PreviousKey] = previousKey,
        [RotationTags.CreatedAt] = "2026-12-01T03:00:00Z",
        [RotationTags.Generation] = "2",
        [RotationTags.Sequence] = "1",
        [RotationTags.State] = RotationTags.KeyStates.Pending,
        [RotationTags.ScheduleSlot] = "2026-12-01T03:00Z",
    };

    /// <summary>
    /// One rotation, request by request, in the order the code makes them (AliasRotation, the importer for EXTERNAL);
    /// each must be allowed. Returns the account at the end and the steps' names with their decisions.
    /// </summary>
    private static List<(string Step, bool Allowed)> RotateOnce(StackInstance stack, bool external)
    {
        var steps = new List<(string, bool)>();
        var world = World(stack);
        const string Marker = "alias/keyrotation/app-data/1";
        void Step(string name, bool allowed) => steps.Add((name, allowed));
        SimulatedAccount Apply(string name, (bool Allowed, SimulatedAccount After) result)
        {
            Step(name, result.Allowed);
            return result.After;
        }

        var current = world.Key("current");
        Step("DescribeKey current", world.Allows("kms:DescribeKey", current));
        Step("ListResourceTags current", world.Allows("kms:ListResourceTags", current));
        Step("ListAliases", world.Kms.AllowsByIam(new IamRequest(stack.RoleArn, "kms:ListAliases", "*", new Dictionary<string, IReadOnlyList<string>> { ["aws:RequestedRegion"] = [world.Region] })));
        world = Apply("CreateAlias marker -> current (claim)", world.CreateAlias(Marker, current));
        Step("TagResource current claim-released", world.Allows("kms:TagResource", world.Key("current"), SimulatedAccount.TagRequestKeys(new Dictionary<string, string> { [RotationTags.ClaimReleased] = Marker })));
        Step("GetKeyPolicy current", world.Allows("kms:GetKeyPolicy", world.Key("current")));
        world = Apply("CreateKey (copied policy, own tags)", world.CreateKey(current.PolicyJson, OwnTags("current"), external ? "EXTERNAL" : "AWS_KMS"));
        var created = world.NewestCreated!;
        Step("ListResourceTags new key (no alias yet)", world.Allows("kms:ListResourceTags", created));
        world = Apply("TagResource new key: copied tags, seal and final state", world.TagResource(created, new Dictionary<string, string> { ["team"] = "payments", [RotationTags.Sealed] = "true", [RotationTags.State] = RotationTags.KeyStates.Active }));
        if (external)
        {
            Step("GetParametersForImport new key", world.Allows("kms:GetParametersForImport", world.Key(created.Name), ("kms:WrappingAlgorithm", ["RSAES_OAEP_SHA_256"]), ("kms:WrappingKeySpec", ["RSA_4096"])));
            world = Apply("TagResource new key: escrow object", world.TagResource(world.Key(created.Name), new Dictionary<string, string> { [RotationTags.EscrowObject] = "key-escrow/app-data/new-1.json" }));
            Step("ImportKeyMaterial new key", world.Allows("kms:ImportKeyMaterial", world.Key(created.Name)));
        }

        Step("GetKeyRotationStatus current (automatic rotation to carry over)", world.Allows("kms:GetKeyRotationStatus", world.Key("current")));
        Step("EnableKeyRotation new key (carried over)", world.Allows("kms:EnableKeyRotation", world.Key(created.Name), ("kms:RotationPeriodInDays", ["180"])));
        Step("DescribeKey new key", world.Allows("kms:DescribeKey", world.Key(created.Name)));
        Step("TagResource current: claim released with the new key", world.Allows("kms:TagResource", world.Key("current"), SimulatedAccount.TagRequestKeys(new Dictionary<string, string> { [RotationTags.ClaimReleased] = Marker, [RotationTags.ReleasedWithKey] = created.Name })));
        world = Apply("UpdateAlias alias -> new key (move)", world.UpdateAlias(RotationRole.AppData, world.Key(created.Name)));

        // After the move the role reaches the old key through the marker, which stays on it (and through its key policy).
        Step("ListGrants current (the notice's grant listing)", world.Allows("kms:ListGrants", world.Key("current")));
        Step("ListResourceTags current after the move (reading a moved alias)", world.Allows("kms:ListResourceTags", world.Key("current")));
        world = Apply("TagResource current: retire (last step)", world.TagResource(world.Key("current"), new Dictionary<string, string>
        {
            [RotationTags.Alias] = RotationRole.AppData,
            [RotationTags.State] = RotationTags.KeyStates.Retired,
            [RotationTags.RetiredAt] = "2026-12-01T03:00:05Z",
            [RotationTags.SuccessorKey] = created.Name,
            [RotationTags.Sealed] = "true",
        }));
        Step("DescribeKey current through the marker", world.Allows("kms:DescribeKey", world.Key("current")));
        return steps;
    }

    /// <summary>One rotation of the strategy material (MaterialRotation), request by request, on the alias's current key.</summary>
    private static List<(string Step, bool Allowed)> RotateMaterialOnce(StackInstance stack)
    {
        var steps = new List<(string, bool)>();
        var world = World(stack);
        const string Marker = "alias/keyrotation/app-data/1";
        var current = world.Key("current");
        steps.Add(("ListKeyRotations current (the 25 on-demand rotations)", world.Allows("kms:ListKeyRotations", current)));
        var (claimed, afterClaim) = world.CreateAlias(Marker, current);
        steps.Add(("CreateAlias marker -> current (claim)", claimed));
        world = afterClaim;
        var (tagged, afterTag) = world.TagResource(world.Key("current"), new Dictionary<string, string> { [RotationTags.MaterialMove] = "1", [RotationTags.MaterialFrom] = "a1" });
        steps.Add(("TagResource current: material move", tagged));
        world = afterTag;
        steps.Add(("GetKeyRotationStatus current (a rotation in progress?)", world.Allows("kms:GetKeyRotationStatus", world.Key("current"))));
        steps.Add(("RotateKeyOnDemand current", world.Allows("kms:RotateKeyOnDemand", world.Key("current"))));
        steps.Add(("DescribeKey current (CurrentKeyMaterialId)", world.Allows("kms:DescribeKey", world.Key("current"))));
        steps.Add(("TagResource current: material move done", world.TagResource(world.Key("current"), new Dictionary<string, string> { [RotationTags.Sequence] = "1", [RotationTags.KeyMaterialId] = "b2", [RotationTags.State] = "pending" }).Allowed));
        return steps;
    }

    [Fact]
    public void MaterialRotation_EveryRequestOfTheProtocol_IsAllowed()
    {
        var denied = RotateMaterialOnce(RotationRole.Stack).Where(s => !s.Allowed).Select(s => s.Step);

        Assert.Empty(denied);
    }

    [Theory]
    [InlineData("kms:RotateKeyOnDemand")]
    [InlineData("kms:ListKeyRotations")]
    [InlineData("kms:GetKeyRotationStatus")]
    [InlineData("kms:EnableKeyRotation")]
    [InlineData("kms:DisableKeyRotation")]
    public void MaterialRotationActions_KeyWithoutAConfiguredOrMarkerAlias_AreDenied(string action)
    {
        var world = World(RotationRole.Stack);

        Assert.False(world.Allows(action, world.Key("foreign")));
    }

    [Fact]
    public void DisableKeyRotation_KeyBehindTheAlias_IsDenied()
    {
        var world = World(RotationRole.Stack);

        Assert.False(world.Allows("kms:DisableKeyRotation", world.Key("current")));
    }

    [Fact]
    public void EnableKeyRotation_NewKeyBeforeIAMSeesItsMarkerAlias_IsAllowedOnlyByTheDocumentedKeyPolicy()
    {
        var stack = RotationRole.Stack;
        var world = World(stack)
            .WithKey("new-documented-policy", RotationRole.DocumentedKeyPolicy(stack))
            .WithKey("new-default-policy", SimulatedAccount.Policy(stack.RoleArn, RotationRole.DefaultKeyPolicyStatements(RotationRole.Account)));

        Assert.True(world.Allows("kms:EnableKeyRotation", world.Key("new-documented-policy")));
        Assert.False(world.Allows("kms:EnableKeyRotation", world.Key("new-default-policy")));
    }

    [Fact]
    public void Rotation_EveryRequestOfTheProtocol_IsAllowed()
    {
        var denied = RotateOnce(RotationRole.Stack, external: false).Where(s => !s.Allowed).Select(s => s.Step);

        Assert.Empty(denied);
    }

    [Fact]
    public void Rotation_EveryRequestOfAnImportedMaterialRotation_IsAllowed()
    {
        var denied = RotateOnce(RotationRole.ExternalStack, external: true).Where(s => !s.Allowed).Select(s => s.Step);

        Assert.Empty(denied);
    }

    [Fact]
    public void Rotation_RequestsEvaluated_CoverEveryKmsActionTheCodeCalls()
    {
        var evaluated = RotateOnce(RotationRole.ExternalStack, external: true).Concat(RotateMaterialOnce(RotationRole.Stack))
            .Select(s => "kms:" + s.Step.Split(' ')[0]).ToHashSet(StringComparer.Ordinal);

        Assert.Equal(
            KmsPermissions.Rotation.Concat(KmsPermissions.MaterialRotation).Concat(KmsPermissions.ImportKeyMaterial).Order(StringComparer.Ordinal),
            evaluated.Order(StringComparer.Ordinal));
    }
}
