namespace KeyRotation.Core;

/// <summary>
/// The one list of KMS actions the rotation role needs. The template grants exactly these
/// (its tests compare), so adding a KMS call here is the only way to widen the role.
/// </summary>
public static class KmsPermissions
{
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
        "kms:ListKeys",
        "kms:ListGrants", // read-only: the previous key's grants, listed in the notice (KeyGrantsReader)
    ];

    /// <summary>Actions the engine calls in addition when it imports key material it generated (EXTERNAL origin).</summary>
    public static IReadOnlyList<string> ImportKeyMaterial { get; } =
    [
        "kms:GetParametersForImport",
        "kms:ImportKeyMaterial",
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
    /// Never called, but CreateKey's key policy lockout safety check refuses a copied policy unless it
    /// lets the caller make a later PutKeyPolicy request; the role must hold it for CreateKey to succeed.
    /// </summary>
    public static IReadOnlyList<string> RequiredByPolicyLockoutCheck { get; } =
    [
        "kms:PutKeyPolicy",
    ];

    /// <summary>
    /// Actions the role must never hold: it cannot use keys for cryptography (so it cannot read application data),
    /// hand that use to anyone through a grant, or destroy anything. The template never allows them and denies all but
    /// "kms:*" explicitly, so no key policy can give them to the role either.
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
    ];

    /// <summary>Everything the deployed role is granted.</summary>
    public static IReadOnlyList<string> All { get; } =
        [.. Rotation, .. ImportKeyMaterial, .. RequiredByPolicyLockoutCheck];
}
