namespace KeyRotation.Function.Tests.Iam;

/// <summary>
/// The evaluator against the rules and examples of the IAM User Guide ("Policy evaluation logic", "Condition
/// operators", "Single-valued vs. multivalued context keys") and the KMS Developer Guide ("Key policies").
/// </summary>
public sealed class IamPolicyTests
{
    private const string Role = "arn:aws:iam::111122223333:role/app";
    private const string Key = "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";

    private static IamRequest Request(string action = "kms:TagResource", string resource = Key, params (string Key, string[] Values)[] context) =>
        new(Role, action, resource, context.ToDictionary(c => c.Key, c => (IReadOnlyList<string>)c.Values, StringComparer.Ordinal));

    private static PolicyDecision Evaluate(string statements, IamRequest request) =>
        IamPolicy.Parse($$"""{"Version":"2012-10-17","Statement":[{{statements}}]}""").Evaluate(request);

    [Fact]
    public void Evaluate_NoStatementMatches_IsNotApplicableSoTheRequestIsImplicitlyDenied()
    {
        Assert.Equal(PolicyDecision.NotApplicable, Evaluate("""{"Effect":"Allow","Action":"kms:DescribeKey","Resource":"*"}""", Request()));
    }

    [Fact]
    public void Evaluate_AllowAndExplicitDenyBothMatch_DenyWins()
    {
        var decision = Evaluate(
            """{"Effect":"Allow","Action":"kms:*","Resource":"*"},{"Effect":"Deny","Action":"kms:TagResource","Resource":"*"}""",
            Request());

        Assert.Equal(PolicyDecision.ExplicitDeny, decision);
    }

    [Theory]
    [InlineData("kms:tagresource", true)]
    [InlineData("KMS:Tag*", true)]
    [InlineData("kms:?agResource", true)]
    [InlineData("kms:Untag*", false)]
    public void Evaluate_ActionPatterns_MatchCaseInsensitivelyWithWildcards(string pattern, bool matches)
    {
        var decision = Evaluate($$"""{"Effect":"Allow","Action":"{{pattern}}","Resource":"*"}""", Request());

        Assert.Equal(matches ? PolicyDecision.Allow : PolicyDecision.NotApplicable, decision);
    }

    [Fact]
    public void Evaluate_NotAction_MatchesEveryOtherAction()
    {
        const string Statement = """{"Effect":"Deny","NotAction":"kms:Describe*","Resource":"*"}""";

        Assert.Equal(PolicyDecision.ExplicitDeny, Evaluate(Statement, Request("kms:TagResource")));
        Assert.Equal(PolicyDecision.NotApplicable, Evaluate(Statement, Request("kms:DescribeKey")));
    }

    [Theory]
    [InlineData("arn:aws:kms:eu-west-1:111122223333:key/*", true)]
    [InlineData("arn:aws:kms:*:111122223333:key/*", true)]
    [InlineData("arn:aws:kms:us-east-1:111122223333:key/*", false)]
    [InlineData("arn:aws:kms:eu-west-1:444455556666:key/*", false)]
    [InlineData("arn:aws:kms:eu-west-1:111122223333:alias/*", false)]
    [InlineData("arn:aws:kms:*", false)]
    public void Evaluate_ResourceArns_MatchPartByPart(string pattern, bool matches)
    {
        var decision = Evaluate($$"""{"Effect":"Allow","Action":"kms:TagResource","Resource":"{{pattern}}"}""", Request());

        Assert.Equal(matches ? PolicyDecision.Allow : PolicyDecision.NotApplicable, decision);
    }

    [Fact]
    public void Evaluate_NotResource_DeniesEverythingOutsideTheList()
    {
        const string Statement = """{"Effect":"Deny","Action":"kms:*","NotResource":"arn:aws:kms:eu-west-1:111122223333:*"}""";

        Assert.Equal(PolicyDecision.NotApplicable, Evaluate(Statement, Request()));
        Assert.Equal(PolicyDecision.ExplicitDeny, Evaluate(Statement, Request(resource: "arn:aws:kms:us-east-1:111122223333:key/x")));
    }

    [Fact]
    public void Evaluate_SeveralKeysAndOperators_AreAndedAndTheValuesOfOneKeyOred()
    {
        const string Statement = """
            {"Effect":"Allow","Action":"kms:TagResource","Resource":"*","Condition":{
              "StringEquals":{"aws:RequestTag/team":["red","blue"],"kms:CallerAccount":"111122223333"},
              "Bool":{"aws:SecureTransport":"true"}}}
            """;

        var all = Request(context: [("aws:RequestTag/team", ["blue"]), ("kms:CallerAccount", ["111122223333"]), ("aws:SecureTransport", ["true"])]);
        var oneMissing = Request(context: [("aws:RequestTag/team", ["blue"]), ("aws:SecureTransport", ["true"])]);
        var wrongValue = Request(context: [("aws:RequestTag/team", ["green"]), ("kms:CallerAccount", ["111122223333"]), ("aws:SecureTransport", ["true"])]);

        Assert.Equal(PolicyDecision.Allow, Evaluate(Statement, all));
        Assert.Equal(PolicyDecision.NotApplicable, Evaluate(Statement, oneMissing));
        Assert.Equal(PolicyDecision.NotApplicable, Evaluate(Statement, wrongValue));
    }

    [Fact]
    public void Evaluate_KeyMissingFromTheRequest_FailsAPositiveOperatorAndSatisfiesANegatedOne()
    {
        // IAM User Guide, condition operators: a missing key does not match; if the condition requires that the key is
        // not matched (StringNotLike, ArnNotLike, ...), it is true.
        Assert.Equal(PolicyDecision.NotApplicable, Evaluate("""{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringLike":{"aws:ResourceTag/team":"*"}}}""", Request()));
        Assert.Equal(PolicyDecision.Allow, Evaluate("""{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringNotLike":{"aws:ResourceTag/team":"red"}}}""", Request()));
    }

    [Fact]
    public void Evaluate_IfExists_IsTrueWhenTheKeyIsMissingAndOtherwiseTheOperator()
    {
        const string Statement = """{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringEqualsIfExists":{"kms:KeyOrigin":"AWS_KMS"}}}""";

        Assert.Equal(PolicyDecision.Allow, Evaluate(Statement, Request()));
        Assert.Equal(PolicyDecision.Allow, Evaluate(Statement, Request(context: ("kms:KeyOrigin", ["AWS_KMS"]))));
        Assert.Equal(PolicyDecision.NotApplicable, Evaluate(Statement, Request(context: ("kms:KeyOrigin", ["EXTERNAL"]))));
    }

    [Fact]
    public void Evaluate_Null_TrueMeansTheKeyIsAbsentFalseThatItIsPresent()
    {
        const string Absent = """{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"Null":{"kms:ResourceAliases":"true"}}}""";
        const string Present = """{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"Null":{"kms:ResourceAliases":"false"}}}""";
        var withAlias = Request(context: ("kms:ResourceAliases", ["alias/app"]));

        Assert.Equal((PolicyDecision.Allow, PolicyDecision.NotApplicable), (Evaluate(Absent, Request()), Evaluate(Absent, withAlias)));
        Assert.Equal((PolicyDecision.NotApplicable, PolicyDecision.Allow), (Evaluate(Present, Request()), Evaluate(Present, withAlias)));
    }

    [Theory]
    // IAM User Guide, multivalued context keys: ForAllValues is true when every request value matches a policy value,
    // and also when the key is not in the request at all (which is why it is dangerous with Allow on its own).
    [InlineData(new[] { "environment", "cost-center" }, true)]
    [InlineData(new[] { "environment" }, true)]
    [InlineData(new[] { "environment", "dept" }, false)]
    [InlineData(new string[0], true)]
    public void Evaluate_ForAllValues_EveryRequestValueMustMatchAndAMissingKeyPasses(string[] tagKeys, bool allowed)
    {
        const string Statement = """{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"ForAllValues:StringEquals":{"aws:TagKeys":["environment","cost-center"]}}}""";

        var request = tagKeys.Length == 0 ? Request() : Request(context: ("aws:TagKeys", tagKeys));

        Assert.Equal(allowed ? PolicyDecision.Allow : PolicyDecision.NotApplicable, Evaluate(Statement, request));
    }

    [Theory]
    // ForAnyValue is true when at least one request value matches, and false when the key is missing or empty.
    [InlineData(new[] { "alias/other", "alias/app" }, true)]
    [InlineData(new[] { "alias/other" }, false)]
    [InlineData(new string[0], false)]
    public void Evaluate_ForAnyValue_OneRequestValueMustMatchAndAMissingKeyFails(string[] aliases, bool allowed)
    {
        const string Statement = """{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"ForAnyValue:StringLike":{"kms:ResourceAliases":["alias/app","alias/keyrotation/app/*"]}}}""";

        var request = aliases.Length == 0 ? Request() : Request(context: ("kms:ResourceAliases", aliases));

        Assert.Equal(allowed ? PolicyDecision.Allow : PolicyDecision.NotApplicable, Evaluate(Statement, request));
    }

    [Fact]
    public void Evaluate_ForAnyValueWithANegatedOperator_MatchesWhenSomeRequestValueMatchesNoPolicyValue()
    {
        const string Statement = """{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"ForAnyValue:StringNotLike":{"aws:TagKeys":"keyrotation:*"}}}""";

        Assert.Equal(PolicyDecision.ExplicitDeny, Evaluate(Statement, Request(context: ("aws:TagKeys", ["keyrotation:state", "team"]))));
        Assert.Equal(PolicyDecision.NotApplicable, Evaluate(Statement, Request(context: ("aws:TagKeys", ["keyrotation:state"]))));
        Assert.Equal(PolicyDecision.NotApplicable, Evaluate(Statement, Request()));
    }

    [Theory]
    [InlineData("NumericLessThan", "5", true)]
    [InlineData("NumericLessThanEquals", "3", true)]
    [InlineData("NumericGreaterThan", "3", false)]
    [InlineData("NumericEquals", "3", true)]
    [InlineData("NumericNotEquals", "3", false)]
    public void Evaluate_NumericOperators_CompareTheRequestValueWithThePolicyValue(string op, string policyValue, bool allowed)
    {
        var statement = """{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"OP":{"s3:max-keys":"VALUE"}}}"""
            .Replace("OP", op, StringComparison.Ordinal).Replace("VALUE", policyValue, StringComparison.Ordinal);

        Assert.Equal(allowed ? PolicyDecision.Allow : PolicyDecision.NotApplicable, Evaluate(statement, Request(context: ("s3:max-keys", ["3"]))));
    }

    [Fact]
    public void Evaluate_UnknownConditionOperator_Throws()
    {
        Assert.Throws<NotSupportedException>(() => Evaluate("""{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"DateGreaterThan":{"aws:CurrentTime":"2020-01-01T00:00:00Z"}}}""", Request(context: ("aws:CurrentTime", ["x"]))));
    }

    [Fact]
    public void AllowsOnKey_KeyPolicyWithoutTheAccountStatement_IgnoresTheRolesIamPolicy()
    {
        // KMS: IAM policies count only when the key policy lets the account's IAM decide (the default key policy's root statement).
        var iamAllowsAll = IamPolicy.Parse("""{"Statement":{"Effect":"Allow","Action":"kms:*","Resource":"*"}}""");
        var noRoot = IamPolicy.Parse("""{"Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/admin"},"Action":"kms:*","Resource":"*"}}""");
        var withRoot = IamPolicy.Parse("""{"Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:*","Resource":"*"}}""");
        var kms = new KmsAuthorization(iamAllowsAll, Role);

        Assert.False(kms.AllowsOnKey(Request(), noRoot, "111122223333"));
        Assert.True(kms.AllowsOnKey(Request(), withRoot, "111122223333"));
    }

    [Fact]
    public void AllowsOnKey_KeyPolicyNamingTheRole_GrantsWithoutIamButAnIamDenyStillWins()
    {
        var noIam = IamPolicy.Parse("""{"Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}}""");
        var iamDeny = IamPolicy.Parse("""{"Statement":{"Effect":"Deny","Action":"kms:TagResource","Resource":"*"}}""");
        var keyPolicy = IamPolicy.Parse($$$"""{"Statement":{"Effect":"Allow","Principal":{"AWS":"{{{Role}}}"},"Action":"kms:TagResource","Resource":"*"}}""");

        Assert.True(new KmsAuthorization(noIam, Role).AllowsOnKey(Request(), keyPolicy, "111122223333"));
        Assert.False(new KmsAuthorization(iamDeny, Role).AllowsOnKey(Request(), keyPolicy, "111122223333"));
    }

    [Fact]
    public void AllowsOnKey_KeyInAnotherAccount_NeedsTheKeyPolicyAndTheRolesIamPolicy()
    {
        var foreignKey = "arn:aws:kms:eu-west-1:444455556666:key/k";
        var keyPolicy = IamPolicy.Parse("""{"Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"kms:DescribeKey","Resource":"*"}}""");
        var iamOwnAccountOnly = IamPolicy.Parse("""{"Statement":{"Effect":"Allow","Action":"kms:DescribeKey","Resource":"arn:aws:kms:*:111122223333:key/*"}}""");
        var iamAnyAccount = IamPolicy.Parse("""{"Statement":{"Effect":"Allow","Action":"kms:DescribeKey","Resource":"*"}}""");

        Assert.False(new KmsAuthorization(iamOwnAccountOnly, Role).AllowsOnKey(Request("kms:DescribeKey", foreignKey), keyPolicy, "444455556666"));
        Assert.True(new KmsAuthorization(iamAnyAccount, Role).AllowsOnKey(Request("kms:DescribeKey", foreignKey), keyPolicy, "444455556666"));
    }
}
