namespace KeyRotation.Function.Tests.Template;

/// <summary>The conditions on the function's Allow statements: what narrows CreateKey and key statements, and which condition keys they may use.</summary>
public sealed partial class TemplateIamTests
{
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
}
