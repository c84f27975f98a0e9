namespace KeyRotation.Core.Retention;

/// <summary>
/// The one list of actions the retention role needs (the template's RetentionFunctionRole allows exactly these, its
/// tests compare, and the calls a retention run makes are checked against them), and what it must never hold.
/// </summary>
internal static class RetentionPermissions
{
    /// <summary>
    /// KMS actions retention calls: reads (GetKeyLastUsage for the proof of non-use, on retired keys of the configured
    /// aliases and their replicas), the four state changes, its own tags, and deleting takeover aliases.
    /// </summary>
    public static IReadOnlyList<string> Kms { get; } =
    [
        "kms:ListAliases",
        "kms:DescribeKey",
        "kms:ListResourceTags",
        "kms:GetKeyLastUsage",
        "kms:DisableKey",
        "kms:EnableKey",
        "kms:CancelKeyDeletion",
        "kms:ScheduleKeyDeletion",
        "kms:TagResource",
        "kms:DeleteAlias",
    ];

    /// <summary>The tag keys retention writes; the role may write no other.</summary>
    public static IReadOnlyList<string> TagKeys { get; } =
    [
        RetentionTags.DisabledAt,
        RetentionTags.DisabledBy,
        RetentionTags.DeletionScheduledAt,
        RetentionTags.DeletionScheduledBy,
        RetentionTags.ReenabledAt,
        RetentionTags.ReenabledBecause,
        RetentionTags.UsedBy,
        RetentionTags.DisableProof,
        RetentionTags.DeletionProof,
    ];

    /// <summary>
    /// Never allowed, and explicitly denied: using a key, creating one, moving an alias, rewriting a policy, removing a
    /// tag. (kms:Decrypt and kms:GenerateDataKey* are denied too, except through SNS, which needs them from whoever
    /// publishes to a KMS-encrypted topic: <see cref="DeniedExceptThroughSns"/>.)
    /// </summary>
    public static IReadOnlyList<string> Forbidden { get; } =
    [
        "kms:Encrypt",
        "kms:ReEncrypt*",
        "kms:GenerateMac",
        "kms:Sign",
        "kms:DeriveSharedSecret",
        "kms:CreateGrant",
        "kms:CreateKey",
        "kms:CreateAlias",
        "kms:UpdateAlias",
        "kms:PutKeyPolicy",
        "kms:GetParametersForImport",
        "kms:ImportKeyMaterial",
        "kms:DeleteImportedKeyMaterial",
        "kms:UntagResource",
        "kms:ReplicateKey",
    ];

    /// <summary>Denied unless the request comes through SNS (kms:ViaService sns.*.amazonaws.com).</summary>
    public static IReadOnlyList<string> DeniedExceptThroughSns { get; } = ["kms:Decrypt", "kms:GenerateDataKey*"];
}
