using KeyRotation.Core;

namespace KeyRotation.Function.Tests.Template;

public sealed class TemplateIamTests
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

    private static IEnumerable<Dictionary<string, object?>> Denies =>
        RotationStack.FunctionStatements.Where(s => (string?)s["Effect"] == "Deny");

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

    [Fact]
    public void CreateKey_InFunctionPolicies_RequiresTheAliasTagAndKeepsTheLockoutCheck()
    {
        var statement = Assert.Single(Allows, s => (string?)s["Sid"] == "CreateKeysForConfiguredAliases");
        var condition = CloudFormationTemplate.Map(statement["Condition"]);

        // StringLike, so that a prefix pattern in AliasNames (alias/prod/*) admits the aliases it selects.
        var like = CloudFormationTemplate.Map(condition["StringLike"]);
        Assert.Equal<object?>(new Dictionary<string, object?> { ["Ref"] = "AliasNames" }, like["aws:RequestTag/keyrotation:alias"], new IntrinsicComparer());
        Assert.Equal("false", CloudFormationTemplate.Map(condition["Bool"])["kms:BypassPolicyLockoutSafetyCheck"]);
        Assert.Equal<object?>(
            new Dictionary<string, object?> { ["Fn::If"] = new List<object?> { "HasReplicaRegions", new Dictionary<string, object?> { ["Ref"] = "AWS::NoValue" }, "false" } },
            CloudFormationTemplate.Map(condition["Bool"])["kms:MultiRegion"],
            new IntrinsicComparer());
    }

    [Fact]
    public void CreateKey_ForReplicas_OnlyMultiRegionReplicasWithTheAliasTagInReplicaRegions()
    {
        var statement = Assert.Single(Allows, s => RotationStack.Actions(s).Contains("kms:CreateKey") && (string?)s["Sid"] != "CreateKeysForConfiguredAliases");
        var condition = CloudFormationTemplate.Map(statement["Condition"]);

        // StringLike for the alias tag, so prefix patterns (alias/prod/*) admit the aliases they select, as for CreateKey.
        var like = CloudFormationTemplate.Map(condition["StringLike"]);
        Assert.Equal<object?>(new Dictionary<string, object?> { ["Ref"] = "AliasNames" }, like["aws:RequestTag/keyrotation:alias"], new IntrinsicComparer());
        var equals = CloudFormationTemplate.Map(condition["StringEquals"]);
        Assert.False(equals.ContainsKey("aws:RequestTag/keyrotation:alias"));
        Assert.Equal<object?>(new Dictionary<string, object?> { ["Ref"] = "ReplicaRegions" }, equals["aws:RequestedRegion"], new IntrinsicComparer());
        Assert.Equal("REPLICA", equals["kms:MultiRegionKeyType"]);
        Assert.Equal("true", CloudFormationTemplate.Map(condition["Bool"])["kms:MultiRegion"]);
    }

    [Fact]
    public void KeyStatements_InFunctionPolicies_AreAllLimitedByACondition()
    {
        // Every statement on key resources (key/*) must narrow the keys by alias or request.
        var unconditioned = Allows
            .Where(s => CloudFormationTemplate.Descendants(s["Resource"]).OfType<string>().Any(r => r.EndsWith(":key/*", StringComparison.Ordinal)))
            .Where(s => !s.ContainsKey("Condition"))
            .Select(s => s.GetValueOrDefault("Sid"));

        Assert.Empty(unconditioned);
    }

    [Fact]
    public void AllowStatements_InFunctionPolicies_AreNeverConditionedOnATag()
    {
        // The role can write keyrotation:* tags on any key (KMS cannot restrict tagging during CreateKey), so a tag must
        // never be what grants it something. Tags may only appear in Deny statements (the seal).
        var tagConditioned = Allows
            .Where(s => s.ContainsKey("Condition"))
            .Where(s => CloudFormationTemplate.Map(s["Condition"]).Values.SelectMany(block => CloudFormationTemplate.Map(block).Keys)
                .Any(key => key.StartsWith("aws:ResourceTag/", StringComparison.OrdinalIgnoreCase)))
            .Select(s => s.GetValueOrDefault("Sid"));

        Assert.Empty(tagConditioned);
    }

    [Fact]
    public void SetOperators_InFunctionPolicies_AreUsedOnlyWithMultivaluedKeys()
    {
        // kms:ResourceAliases and aws:TagKeys are multivalued and need ForAnyValue/ForAllValues;
        // single-valued keys must not use them.
        HashSet<string> multivalued = ["kms:ResourceAliases", "aws:TagKeys"];
        var misuse = new List<string>();
        foreach (var statement in Allows.Where(s => s.ContainsKey("Condition")))
        {
            foreach (var (op, block) in CloudFormationTemplate.Map(statement["Condition"]))
            {
                var isSetOperator = op.StartsWith("ForAnyValue:", StringComparison.Ordinal) || op.StartsWith("ForAllValues:", StringComparison.Ordinal);
                misuse.AddRange(CloudFormationTemplate.Map(block).Keys
                    .Where(key => isSetOperator != multivalued.Contains(key))
                    .Select(key => $"{statement.GetValueOrDefault("Sid")}: {op} {key}"));
            }
        }

        Assert.Empty(misuse);
    }

    [Theory]
    [InlineData("")]
    [InlineData("arn:aws:sns:eu-west-1:999988887777:key-rotation-hub")]
    public void SnsPublish_InFunctionPolicies_IsOnlyOnTheTopicTheFunctionPublishesTo(string centralTopic)
    {
        var statement = Assert.Single(Allows, s => RotationStack.Actions(s).Any(a => a.StartsWith("sns:", StringComparison.Ordinal)));
        var parameters = new Dictionary<string, string> { ["CentralNotificationTopicArn"] = centralTopic };

        Assert.Equal(["sns:Publish"], RotationStack.Actions(statement));
        Assert.Equal<object?>(
            TemplateConditions.Resolve(RotationStack.Template, RotationStack.Environment["NOTIFICATION_TOPIC_ARN"], parameters),
            TemplateConditions.Resolve(RotationStack.Template, statement["Resource"], parameters),
            new IntrinsicComparer());
    }

    [Fact]
    public void S3Actions_InFunctionPolicies_AreOnlyPutAndGetBelowTheEscrowPrefix()
    {
        var statements = Allows.Where(s => RotationStack.Actions(s).Any(a => a.StartsWith("s3:", StringComparison.Ordinal))).ToList();

        Assert.Equal(KmsPermissions.EscrowObjects.Order(StringComparer.Ordinal), statements.SelectMany(RotationStack.Actions).Order(StringComparer.Ordinal));
        foreach (var statement in statements)
        {
            var resource = CloudFormationTemplate.Intrinsic(statement["Resource"]);
            Assert.Equal("Fn::Sub", resource?.Name);
            var pattern = (string)CloudFormationTemplate.List(resource!.Value.Argument)[0]!;
            Assert.EndsWith("/${Prefix}*", pattern, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData("org-escrow-bucket")]
    public void S3Actions_InFunctionPolicies_AreOnTheBucketAndPrefixTheFunctionUses(string centralBucket)
    {
        var parameters = new Dictionary<string, string>
        {
            ["KeyMaterialOrigin"] = "EXTERNAL",
            ["EscrowPublicKey"] = "MIIB",
            ["EscrowBucketName"] = centralBucket.Length == 0 ? "account-escrow-bucket" : string.Empty,
            ["CentralEscrowBucketName"] = centralBucket,
        };
        var bucket = TemplateConditions.Resolve(RotationStack.Template, RotationStack.Environment["ESCROW_BUCKET"], parameters);
        var prefix = TemplateConditions.Resolve(RotationStack.Template, RotationStack.Environment["ESCROW_PREFIX"], parameters);

        foreach (var statement in Allows.Where(s => RotationStack.Actions(s).Any(a => a.StartsWith("s3:", StringComparison.Ordinal))))
        {
            var variables = CloudFormationTemplate.Map(CloudFormationTemplate.List(CloudFormationTemplate.Intrinsic(statement["Resource"])!.Value.Argument)[1]);
            Assert.Equal(bucket, TemplateConditions.Resolve(RotationStack.Template, variables["Bucket"], parameters));
            Assert.Equal<object?>(prefix, TemplateConditions.Resolve(RotationStack.Template, variables["Prefix"], parameters), new IntrinsicComparer());
        }

        Assert.Equal(centralBucket.Length == 0 ? "account-escrow-bucket" : centralBucket, bucket);
        Assert.Equal<object?>(
            centralBucket.Length == 0 ? "key-escrow/" : new Dictionary<string, object?> { ["Fn::Sub"] = "${EscrowPrefix}${AWS::AccountId}/" },
            prefix,
            new IntrinsicComparer());
    }

    [Fact]
    public void S3PutObject_InFunctionPolicies_RequiresIfNoneMatchSoEscrowCopiesAreNeverOverwritten()
    {
        var put = Assert.Single(Allows, s => RotationStack.Actions(s).Contains("s3:PutObject"));

        Assert.Equal(["s3:PutObject"], RotationStack.Actions(put));
        Assert.Equal("false", CloudFormationTemplate.Map(CloudFormationTemplate.Map(put["Condition"])["Null"])["s3:if-none-match"]);
    }

    [Fact]
    public void EscrowPrefix_Parameter_EndsWithASlashAndHasNoWildcards()
    {
        var parameter = CloudFormationTemplate.Map(RotationStack.Template.Parameters["EscrowPrefix"]);
        var pattern = new System.Text.RegularExpressions.Regex((string)parameter["AllowedPattern"]!);

        Assert.Equal("key-escrow/", parameter["Default"]);
        Assert.Matches(pattern, "key-escrow/");
        Assert.DoesNotMatch(pattern, "key-escrow");
        Assert.DoesNotMatch(pattern, "*/");
    }
}
