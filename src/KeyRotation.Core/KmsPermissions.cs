namespace KeyRotation.Core;

/// <summary>
/// The one list of KMS actions the rotation role needs, and where each is granted: the role's IAM policy (the template
/// grants exactly <see cref="GrantedByIamPolicy"/>, its tests compare) or the key policy statements docs/permissions.md requires
/// on every key behind a configured alias (<see cref="KeyPolicyStatement"/>, <see cref="NewKeySetupStatement"/>). Adding
/// a KMS call here is the only way to widen the role.
/// </summary>
internal static class KmsPermissions
{
    /// <summary>Sid of the key policy statement that lets the role manage a key it reaches through the key policy.</summary>
    public const string KeyPolicyStatementSid = "AllowKeyRotationFunction";

    /// <summary>Sid of the key policy statement that lets the role finish a new key's setup while it has no alias yet.</summary>
    public const string NewKeySetupStatementSid = "AllowKeyRotationFunctionNewKeySetup";

    /// <summary>Actions the engine calls when rotating with AWS-generated key material.</summary>
    public static IReadOnlyList<string> Rotation { get; } =
    [
        "kms:DescribeKey",
        "kms:ListResourceTags",
        "kms:GetKeyPolicy",
        "kms:CreateKey",
        "kms:TagResource",
        "kms:CreateAlias",
        "kms:UpdateAlias",
        "kms:ListAliases",
        "kms:ListGrants", // read-only: the previous key's grants, listed in the notice (KeyGrantsReader)
    ];

    /// <summary>Actions the engine calls in addition when it imports key material it generated (EXTERNAL origin).</summary>
    public static IReadOnlyList<string> ImportKeyMaterial { get; } =
    [
        "kms:GetParametersForImport",
        "kms:ImportKeyMaterial",
    ];

    /// <summary>
    /// Actions the engine calls in addition when the alias's key is a multi-Region primary (ReplicaSet): replicating the
    /// new primary into each replica Region. The template grants it only into the ReplicaRegions parameter's Regions
    /// (kms:ReplicaRegion); the replica steps in those Regions are the actions of <see cref="Rotation"/>.
    /// </summary>
    public static IReadOnlyList<string> ReplicateMultiRegionKeys { get; } =
    [
        "kms:ReplicateKey",
    ];

    /// <summary>
    /// Actions the engine calls for key material rotation on the keys of the configured aliases: the strategy material
    /// (RotateKeyOnDemand, and ListKeyRotations to count the 25 on-demand rotations KMS allows; GetKeyRotationStatus to
    /// see one in progress) and, for a new key, carrying automatic rotation over (GetKeyRotationStatus of the old key,
    /// EnableKeyRotation of the new one).
    /// </summary>
    public static IReadOnlyList<string> MaterialRotation { get; } =
    [
        "kms:RotateKeyOnDemand",
        "kms:ListKeyRotations",
        "kms:GetKeyRotationStatus",
        "kms:EnableKeyRotation",
    ];

    /// <summary>
    /// Outside KMS: the Resource Groups Tagging query that finds the key of a run that died before recording it
    /// (SuccessorKey.FindUnrecordedAsync). Not resource-scoped: granted on "*".
    /// </summary>
    public static IReadOnlyList<string> FindKeysByTag { get; } =
    [
        "tag:GetResources",
    ];

    /// <summary>
    /// S3 actions on escrow objects (below the escrow prefix only): write each object with If-None-Match so it is
    /// never overwritten, then read it back. No list or delete: nothing in the bucket can be removed by the role.
    /// </summary>
    public static IReadOnlyList<string> EscrowObjects { get; } =
    [
        "s3:PutObject",
        "s3:GetObject",
    ];

    /// <summary>
    /// Never called, but CreateKey's key policy lockout safety check refuses a copied policy unless it lets the caller
    /// make a later PutKeyPolicy request; the key policy must grant it (<see cref="NewKeySetupStatement"/>).
    /// </summary>
    public static IReadOnlyList<string> RequiredByPolicyLockoutCheck { get; } =
    [
        "kms:PutKeyPolicy",
    ];

    /// <summary>
    /// What the role's IAM policy allows: keys reached through a configured alias or its marker aliases, CreateKey with
    /// this tool's tags only, the lists. Nothing for imports or key policies: those only a key policy grants.
    /// </summary>
    public static IReadOnlyList<string> GrantedByIamPolicy { get; } = [.. Rotation, .. ReplicateMultiRegionKeys, .. MaterialRotation];

    /// <summary>
    /// The actions of docs/permissions.md's key policy statement <see cref="KeyPolicyStatementSid"/> (TagResource in it limited
    /// to this tool's own tag keys): everything the role does on a key it reaches through that key's policy.
    /// </summary>
    public static IReadOnlyList<string> KeyPolicyStatement { get; } =
    [
        "kms:DescribeKey",
        "kms:ListResourceTags",
        "kms:GetKeyPolicy",
        "kms:ListGrants",
        "kms:TagResource",
        "kms:CreateAlias",
        "kms:UpdateAlias",
        .. ReplicateMultiRegionKeys,
        "kms:EnableKeyRotation", // the new key, after it is created, before the alias moves to it (IAM sees no alias on it yet)
        .. ImportKeyMaterial,
    ];

    /// <summary>
    /// The actions of docs/permissions.md's key policy statement <see cref="NewKeySetupStatementSid"/>, valid only while the key
    /// has no alias: the lockout check's PutKeyPolicy and the tags copied onto a new key before its marker alias.
    /// </summary>
    public static IReadOnlyList<string> NewKeySetupStatement { get; } =
    [
        .. RequiredByPolicyLockoutCheck,
        "kms:TagResource",
    ];

    /// <summary>
    /// Actions the role must never hold: it cannot use keys for cryptography (so it cannot read application data),
    /// hand that use to anyone through a grant, remove a tag (a sealed key stays sealed) or destroy anything. The
    /// template never allows them and denies all but "kms:*" explicitly, so no key policy can give them to the role either.
    /// </summary>
    public static IReadOnlyList<string> Forbidden { get; } =
    [
        "kms:*",
        "kms:Decrypt",
        "kms:Encrypt",
        "kms:ReEncrypt*",
        "kms:ReEncryptFrom",
        "kms:ReEncryptTo",
        "kms:GenerateDataKey*",
        "kms:GenerateMac",
        "kms:Sign",
        "kms:DeriveSharedSecret",
        "kms:CreateGrant",
        "kms:DisableKey",
        "kms:ScheduleKeyDeletion",
        "kms:DeleteAlias",
        "kms:DeleteImportedKeyMaterial",
        "kms:UntagResource",
    ];

    /// <summary>
    /// The read-only status role's policy (template.yaml's StatusRole, docs/cli.md): key metadata, aliases and tags only, no
    /// cryptographic operation and no change. The CLI's <c>status</c> calls stay within it (the integration tests check).
    /// </summary>
    public static IReadOnlyList<string> StatusRead { get; } =
    [
        "kms:Describe*",
        "kms:List*",
        "kms:GetKeyRotationStatus",
        "kms:ListResourceTags",
    ];

    /// <summary>
    /// What the operator's own identity needs for <c>keyrotation reencrypt</c> (docs/consumers.md gives the policy): the
    /// alias check, the alias's generations (current key and chain), and ReEncrypt from a generation to the current key.
    /// Never the rotation or retention role's: both are denied every ReEncrypt (<see cref="Forbidden"/>).
    /// </summary>
    public static IReadOnlyList<string> OperatorReencryption { get; } =
    [
        "kms:ListAliases",
        "kms:DescribeKey",
        "kms:ListResourceTags",
        "kms:ReEncryptFrom",
        "kms:ReEncryptTo",
    ];

    /// <summary>Everything the deployed role is granted, by its IAM policy or by the required key policy statements.</summary>
    public static IReadOnlyList<string> All { get; } =
        [.. Rotation, .. ReplicateMultiRegionKeys, .. MaterialRotation, .. ImportKeyMaterial, .. RequiredByPolicyLockoutCheck];
}
