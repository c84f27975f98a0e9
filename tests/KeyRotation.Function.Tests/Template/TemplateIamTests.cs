using KeyRotation.Core;

namespace KeyRotation.Function.Tests.Template;

public sealed partial class TemplateIamTests
{
    /// <summary>
    /// Actions that are not authorized for a particular resource, so IAM accepts only Resource "*" for them (KMS
    /// Developer Guide: ListAliases "must be *"; CreateKey has no key yet; the Service Authorization Reference lists no
    /// resource type for tag:GetResources). Every other action must name resources.
    /// </summary>
    private static readonly HashSet<string> ActionsThatNeedResourceStar = ["kms:CreateKey", "kms:ListAliases", "tag:GetResources"];

    /// <summary>
    /// The one exception to "never a forbidden KMS action": SNS asks KMS for a data key (and decrypts it) in the
    /// publisher's name when it publishes to a topic encrypted with a key in another account (the central topic).
    /// </summary>
    private const string ThroughSnsSid = "EncryptCentralTopicMessagesThroughSns";

    private static readonly string[] SnsDataKeyActions = ["kms:Decrypt", "kms:GenerateDataKey*"];

    private static IEnumerable<Dictionary<string, object?>> Allows =>
        RotationStack.FunctionStatements.Where(s => (string?)s["Effect"] == "Allow" && (string?)s["Sid"] != ThroughSnsSid);

    private static IEnumerable<Dictionary<string, object?>> Denies =>
        RotationStack.FunctionStatements.Where(s => (string?)s["Effect"] == "Deny");

    private static string? ViaService(Dictionary<string, object?> statement, string @operator) =>
        CloudFormationTemplate.Map(statement.GetValueOrDefault("Condition") ?? new Dictionary<string, object?>()).GetValueOrDefault(@operator) is Dictionary<string, object?> keys
            ? keys.GetValueOrDefault("kms:ViaService") as string
            : null;

    [Fact]
    public void SnsDataKeys_AllowedOnlyOnTheCentralTopicsKeyAndOnlyThroughSns()
    {
        var statement = Assert.Single(RotationStack.FunctionStatements, s => (string?)s["Sid"] == ThroughSnsSid);

        Assert.Equal("Allow", statement["Effect"]);
        Assert.Equal(SnsDataKeyActions, RotationStack.Actions(statement).Order(StringComparer.Ordinal));
        Assert.Equal(("Ref", (object?)"CentralNotificationTopicKeyArn"), CloudFormationTemplate.Intrinsic(statement["Resource"]));
        Assert.Equal("sns.*.amazonaws.com", ViaService(statement, "StringLike"));
    }

    [Fact]
    public void KmsActions_GrantedToTheFunction_AreExactlyThoseTheCodeNeeds()
    {
        var granted = Allows.SelectMany(RotationStack.Actions)
            .Where(a => a.StartsWith("kms:", StringComparison.Ordinal))
            .ToHashSet(StringComparer.Ordinal);

        Assert.Equal(KmsPermissions.GrantedByIamPolicy.Order(StringComparer.Ordinal), granted.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void TaggingQuery_GrantedAloneOnStar_AndNothingElseOfTheService()
    {
        var statement = Assert.Single(Allows, s => RotationStack.Actions(s).Any(a => a.StartsWith("tag:", StringComparison.Ordinal)));

        Assert.Equal(KmsPermissions.FindKeysByTag, RotationStack.Actions(statement));
        Assert.Equal("*", statement["Resource"]);
        Assert.Null(statement.GetValueOrDefault("Condition"));
    }

    [Fact]
    public void FunctionPolicies_NeverAllowAForbiddenKmsAction()
    {
        var allowed = Allows.Select(s => s["Action"]).SelectMany(CloudFormationTemplate.Descendants).OfType<string>();

        Assert.Empty(allowed.Intersect(KmsPermissions.Forbidden, StringComparer.OrdinalIgnoreCase));
    }

    [Fact]
    public void FunctionPolicies_ExplicitlyDenyEveryForbiddenKmsActionOnEveryResource()
    {
        var onEveryResource = Denies.Where(s => CloudFormationTemplate.OneOrMany(s.GetValueOrDefault("Resource")).Contains("*")).ToList();
        var denied = onEveryResource.Where(s => !s.ContainsKey("Condition"))
            .SelectMany(RotationStack.Actions)
            .ToHashSet(StringComparer.Ordinal);
        var exceptThroughSns = Assert.Single(onEveryResource, s => ViaService(s, "StringNotLike") == "sns.*.amazonaws.com");
        Assert.Single(CloudFormationTemplate.Map(exceptThroughSns["Condition"]));
        Assert.Equal(SnsDataKeyActions, RotationStack.Actions(exceptThroughSns).Order(StringComparer.Ordinal));
        denied.UnionWith(SnsDataKeyActions);

        Assert.Equal(KmsPermissions.Forbidden.Where(a => a != "kms:*").Order(StringComparer.Ordinal), denied.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void FunctionPolicies_DenyBypassingTheLockoutCheck()
    {
        var statement = Assert.Single(Denies, s => (string?)s["Sid"] == "NeverBypassPolicyLockoutCheck");

        Assert.Equal(["kms:CreateKey", "kms:PutKeyPolicy"], RotationStack.Actions(statement).Order(StringComparer.Ordinal));
        Assert.Equal("true", CloudFormationTemplate.Map(CloudFormationTemplate.Map(statement["Condition"])["Bool"])["kms:BypassPolicyLockoutSafetyCheck"]);
    }

    [Fact]
    public void FunctionPolicies_AllowNoWildcardAction()
    {
        var wildcards = Allows.SelectMany(RotationStack.Actions).Where(a => a.Contains('*', StringComparison.Ordinal));

        Assert.Empty(wildcards);
    }

    [Fact]
    public void ForbiddenKmsActions_AllowedAnywhere_OnlyInTheAlarmTopicKeyPolicyForRootAndCloudWatch()
    {
        // CloudWatch alarms can publish to an encrypted topic only when the key lets
        // cloudwatch.amazonaws.com use it; that key policy is the one place such actions may appear.
        var offending = new List<string>();
        foreach (var (logicalId, resource) in RotationStack.Template.Resources)
        {
            foreach (var statement in CloudFormationTemplate.Descendants(resource).OfType<Dictionary<string, object?>>().Where(m => m.ContainsKey("Action") && m.GetValueOrDefault("Effect") as string != "Deny"))
            {
                var actions = CloudFormationTemplate.OneOrMany(statement["Action"]).OfType<string>();

                // The retention role's own grants (disable, schedule deletion, delete marker aliases) are checked by RetentionRoleTests.
                if (logicalId == Iam.RetentionRole.RoleId)
                {
                    actions = actions.Except(Core.Retention.RetentionPermissions.Kms, StringComparer.Ordinal);
                }

                if (!actions.Intersect(KmsPermissions.Forbidden, StringComparer.OrdinalIgnoreCase).Any())
                {
                    continue;
                }

                var principal = CloudFormationTemplate.Map(statement.GetValueOrDefault("Principal") ?? new Dictionary<string, object?>());
                var isRoot = CloudFormationTemplate.Intrinsic(principal.GetValueOrDefault("AWS")) is ("Fn::Sub", string root)
                    && root == "arn:${AWS::Partition}:iam::${AWS::AccountId}:root";
                var isCloudWatch = (principal.GetValueOrDefault("Service") as string) == "cloudwatch.amazonaws.com";
                var isThroughSns = (logicalId is RotationStack.RoleId or Iam.RetentionRole.RoleId) && (string?)statement.GetValueOrDefault("Sid") == ThroughSnsSid;
                if (!isThroughSns && (logicalId != "AlarmTopicKey" || !(isRoot || isCloudWatch)))
                {
                    offending.Add($"{logicalId}: {string.Join(", ", actions)}");
                }
            }
        }

        Assert.Empty(offending);
    }

    [Fact]
    public void ResourceStar_InFunctionPolicies_OnlyForActionsWithoutResourceLevelPermissions()
    {
        var misplaced = Allows
            .Where(s => CloudFormationTemplate.OneOrMany(s["Resource"]).Contains("*"))
            .SelectMany(RotationStack.Actions)
            .Where(a => !ActionsThatNeedResourceStar.Contains(a));

        Assert.Empty(misplaced);
    }
}
