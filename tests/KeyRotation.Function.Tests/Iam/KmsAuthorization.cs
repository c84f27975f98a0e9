namespace KeyRotation.Function.Tests.Iam;

/// <summary>
/// How KMS decides a request of the rotation role, as the KMS Developer Guide describes it: the key policy is the
/// primary control. A key policy statement naming the role grants it directly; a statement naming the account (its
/// root ARN or id, like the default key policy) lets the account's IAM policies decide, so the role's IAM policy must
/// then allow too. A key in another account needs both the key policy and the role's IAM policy. An explicit deny
/// in either policy wins. Alias resources and requests on "*" (CreateKey, ListKeys) are decided by IAM alone.
/// </summary>
internal sealed class KmsAuthorization
{
    public KmsAuthorization(IamPolicy identityPolicy, string roleArn)
    {
        IdentityPolicy = identityPolicy;
        RoleArn = roleArn;
        Account = roleArn.Split(':')[4];
    }

    public IamPolicy IdentityPolicy { get; }

    public string RoleArn { get; }

    public string Account { get; }

    public string RootArn => $"arn:aws:iam::{Account}:root";

    /// <summary>A request on a resource without a policy of its own (an alias, or "*").</summary>
    public bool AllowsByIam(IamRequest request) => IdentityPolicy.Evaluate(request with { Principal = RoleArn }) == PolicyDecision.Allow;

    /// <summary>A request on a KMS key with the given key policy, in <paramref name="keyAccount"/>.</summary>
    public bool AllowsOnKey(IamRequest request, IamPolicy keyPolicy, string keyAccount)
    {
        var iam = IdentityPolicy.Evaluate(request with { Principal = RoleArn });
        var direct = keyPolicy.Evaluate(request with { Principal = RoleArn }, resourceBased: true);
        var byRootArn = keyPolicy.Evaluate(request with { Principal = RootArn }, resourceBased: true);
        var byAccountId = keyPolicy.Evaluate(request with { Principal = Account }, resourceBased: true);
        PolicyDecision[] all = [iam, direct, byRootArn, byAccountId];
        if (all.Contains(PolicyDecision.ExplicitDeny))
        {
            return false;
        }

        var accountDelegates = byRootArn == PolicyDecision.Allow || byAccountId == PolicyDecision.Allow;
        var iamAllows = iam == PolicyDecision.Allow;
        return keyAccount == Account
            ? direct == PolicyDecision.Allow || (accountDelegates && iamAllows)
            : (direct == PolicyDecision.Allow || accountDelegates) && iamAllows;
    }
}
