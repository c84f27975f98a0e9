namespace KeyRotation.Function.Tests.Iam;

/// <summary>
/// The role of the deployed stack, for the parameter sets the tests use: configured aliases alias/app-data and
/// alias/billing, AWS_KMS or EXTERNAL material. Resolved once per test run from one SAM translation.
/// </summary>
internal static class RotationRole
{
    public const string Region = StackInstance.Region;
    public const string Account = StackInstance.AccountId;
    public const string AppData = "alias/app-data";
    public const string Billing = "alias/billing";

    private static readonly Lazy<StackInstance> AwsKms = new(() => new StackInstance(SamTranslation.Template, new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["AliasNames"] = $"{AppData},{Billing}",
    }));

    private static readonly Lazy<StackInstance> External = new(() => new StackInstance(SamTranslation.Template, new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["AliasNames"] = $"{AppData},{Billing}",
        ["KeyMaterialOrigin"] = "EXTERNAL",
        ["EscrowPublicKey"] = "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA",
        ["RoleName"] = "key-rotation-function",
        ["PermissionsBoundary"] = $"arn:aws:iam::{StackInstance.AccountId}:policy/boundary",
    }));

    /// <summary>The stack with AWS_KMS material and a generated role name.</summary>
    public static StackInstance Stack => AwsKms.Value;

    /// <summary>The stack with EXTERNAL material, escrow to a created bucket, a fixed role name and a permissions boundary.</summary>
    public static StackInstance ExternalStack => External.Value;

    public static KmsAuthorization Kms(StackInstance stack) => new(stack.RolePolicy(), stack.RoleArn);

    /// <summary>The required key policy statements of docs/permissions.md plus the default key policy's account statement.</summary>
    public static string DocumentedKeyPolicy(StackInstance stack) =>
        SimulatedAccount.Policy(stack.RoleArn, DefaultKeyPolicyStatements(stack.RoleArn.Split(':')[4]), PermissionsPage.KeyPolicyStatementsJson);

    /// <summary>The default key policy: the account's IAM decides.</summary>
    public static string DefaultKeyPolicyStatements(string account) =>
        $$"""[{"Sid":"Enable IAM User Permissions","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::{{account}}:root"},"Action":"kms:*","Resource":"*"}]""";
}
