using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace KeyRotation.LocalKms;

/// <content>
/// Key policies: GetKeyPolicy, PutKeyPolicy and ListKeyPolicies, and the default key policy. A key has one policy,
/// named "default" (PolicyName may be left out, as in the current API); the policy checks, the size quota and the
/// lockout safety check are <see cref="KeyPolicyDocument"/>'s. As the key state table says, all three work in every
/// key state, pending deletion included. A multi-Region key's policy is its own in each Region (KMS does not
/// synchronize it).
/// </content>
public sealed partial class LocalKmsService
{
    private const string DefaultPolicyName = "default";

    private string DefaultPolicy() =>
        new JsonObject
        {
            ["Version"] = "2012-10-17",
            ["Id"] = "key-default-1",
            ["Statement"] = new JsonArray(new JsonObject
            {
                ["Sid"] = "Enable IAM User Permissions",
                ["Effect"] = "Allow",
                ["Principal"] = new JsonObject { ["AWS"] = $"arn:aws:iam::{AccountId}:root" },
                ["Action"] = "kms:*",
                ["Resource"] = "*",
            }),
        }.ToJsonString();

    private JsonObject GetKeyPolicy(KmsRequest request)
    {
        var key = Resolve(request.RequiredString("KeyId"), allowAlias: false);
        PolicyNameOf(request);
        return new JsonObject { ["Policy"] = key.Policy, ["PolicyName"] = DefaultPolicyName };
    }

    /// <summary>
    /// Replaces the key's policy. Only a customer managed key's policy can be changed (the developer guide's "Change a
    /// key policy"); for an AWS managed key LocalKms answers UnsupportedOperationException, which PutKeyPolicy documents
    /// for a resource that is not valid for the operation.
    /// </summary>
    private JsonObject PutKeyPolicy(KmsRequest request, string? caller)
    {
        var key = Resolve(request.RequiredString("KeyId"), allowAlias: false);
        PolicyNameOf(request);
        var policy = request.RequiredString("Policy");
        RequireCustomerManaged(key);
        KeyPolicyDocument.Validate(policy, request.Bool("BypassPolicyLockoutSafetyCheck"), AccountId, caller);
        key.Policy = policy;
        return [];
    }

    /// <summary>PolicyNames is always ["default"]; Limit 1 to 1000 (default 100) and Marker as every List operation.</summary>
    private JsonObject ListKeyPolicies(KmsRequest request)
    {
        Resolve(request.RequiredString("KeyId"), allowAlias: false);
        return KmsPage.Of(request, [DefaultPolicyName], "PolicyNames", maxLimit: 1000, defaultLimit: 100);
    }

    /// <summary>PolicyName (optional) must fit the API model ([\w]+, at most 128 characters) and be "default".</summary>
    private static void PolicyNameOf(KmsRequest request)
    {
        var name = request.String("PolicyName");
        if (name is null || name == DefaultPolicyName)
        {
            return;
        }

        if (name.Length > 128 || !PolicyNamePattern().IsMatch(name))
        {
            throw KmsErrorException.Validation($"1 validation error detected: Value '{name}' at 'policyName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w]+");
        }

        throw KmsErrorException.NotFound($"Policy {name} does not exist. The only valid policy name is \"default\".");
    }

    [GeneratedRegex(@"^\w+$", RegexOptions.CultureInvariant)]
    private static partial Regex PolicyNamePattern();
}
