namespace KeyRotation.Core.Consumers;

/// <summary>
/// The IAM actions the operator's own identity needs per consumer type: to list it (<c>consumers</c>) and to move it
/// (<c>migrate</c>, which also lists). One place: docs/consumers.md shows them (a test checks it), and a test checks that
/// the rotation and retention roles are granted none of the services' actions.
/// </summary>
public static class ConsumerPermissions
{
    public static IReadOnlyList<ConsumerActions> All { get; } =
    [
        new(
            "DynamoDB tables",
            ["dynamodb:ListTables", "dynamodb:DescribeTable"],
            // DynamoDB creates its grant on the new key with the caller's identity, and re-wraps the table key under it.
            ["dynamodb:UpdateTable", "kms:DescribeKey", "kms:CreateGrant", "kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey*", "kms:ReEncrypt*"]),
        new(
            "S3 buckets",
            ["s3:ListAllMyBuckets", "s3:GetEncryptionConfiguration"],
            // S3 stores the alias ARN as given; the applications that write need kms:GenerateDataKey on the keys it resolves to.
            ["s3:PutEncryptionConfiguration"]),
        new(
            "S3 objects",
            ["s3:ListBucket", "s3:GetObject"],
            // CopyObject decrypts with the old key and encrypts with the new one in the caller's name; the tag-set and the
            // ACL (as x-amz-grant-* headers) travel with the copy. Objects over 5 GiB are copied in parts (s3:PutObject
            // covers the upload's calls; S3 needs kms:Decrypt on the new key too); failed uploads and the ones a stopped
            // run left are aborted, found with ListMultipartUploads.
            ["s3:GetObjectAcl", "s3:GetBucketVersioning", "s3:PutObject", "s3:GetObjectTagging", "s3:PutObjectTagging", "s3:PutObjectAcl", "s3:AbortMultipartUpload", "s3:ListBucketMultipartUploads", "kms:Decrypt", "kms:GenerateDataKey"],
            OnlyWhenAsked: true),
        new(
            "SSM SecureString parameters",
            ["ssm:DescribeParameters"],
            // The value is read decrypted (old key) and written again encrypted (current key): Encrypt for the standard
            // tier, GenerateDataKey for the advanced tier's envelope.
            ["ssm:GetParameter", "ssm:PutParameter", "kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"]),
        new(
            "EBS volumes and snapshots",
            ["ec2:DescribeVolumes", "ec2:DescribeSnapshots"],
            // Not moved by the tool: the runbook it prints needs these when the operator runs it.
            ["ec2:CreateSnapshot", "ec2:CopySnapshot", "ec2:CreateVolume", "ec2:StopInstances", "ec2:DetachVolume", "ec2:AttachVolume", "ec2:StartInstances", "kms:DescribeKey", "kms:CreateGrant", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKeyWithoutPlaintext"]),
    ];

    /// <summary>
    /// What the retention role may call when RETIRE_CHECK_CONSUMERS is on: the inventory of every consumer type that is
    /// scanned account-wide (not S3 objects, which are scanned only when an operator names a bucket). The template's
    /// optional statement grants exactly these, and a test holds it to them.
    /// </summary>
    public static IReadOnlyList<string> RetirementCheck { get; } =
        [.. All.Where(c => !c.OnlyWhenAsked).SelectMany(c => c.Inventory).Distinct(StringComparer.Ordinal)];
}

/// <summary>
/// One consumer type's actions: <paramref name="Inventory"/> to list it, <paramref name="Migration"/> in addition to move
/// it; <paramref name="OnlyWhenAsked"/> for a type scanned only when an operator names its scope (S3 objects of a bucket).
/// </summary>
public sealed record ConsumerActions(string Consumer, IReadOnlyList<string> Inventory, IReadOnlyList<string> Migration, bool OnlyWhenAsked = false);
