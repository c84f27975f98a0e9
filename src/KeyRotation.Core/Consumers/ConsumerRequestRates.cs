namespace KeyRotation.Core.Consumers;

/// <summary>
/// Requests per second the inventory, the migration and the re-encryption of stored ciphertexts allow themselves per
/// service and operation, well below what each service throttles at, so that a scan never starves the applications of
/// the account (docs/consumers.md lists them with each service's limits). One line per operation a source, migrator
/// or the re-encryptor calls.
/// </summary>
public static class ConsumerRequestRates
{
    public static IReadOnlyDictionary<string, double> Defaults { get; } = new Dictionary<string, double>(StringComparer.Ordinal)
    {
        // DynamoDB control plane: ListTables and DescribeTable are cheap reads; an SSE change is a table update that
        // runs in the background, and UpdateTable fails with LimitExceededException when too many run at once.
        ["dynamodb:ListTables"] = 10,
        ["dynamodb:DescribeTable"] = 10,
        ["dynamodb:UpdateTable"] = 1,

        // S3: bucket configuration calls are control-plane reads and writes; the object calls stay far below the 5,500
        // GET/HEAD and 3,500 PUT/COPY requests a second S3 takes per prefix, leaving them to the bucket's applications.
        ["s3:ListBuckets"] = 10,
        ["s3:GetBucketEncryption"] = 20,
        ["s3:PutBucketEncryption"] = 5,
        ["s3:GetBucketVersioning"] = 10,
        ["s3:ListObjectsV2"] = 10,
        ["s3:HeadObject"] = 100,
        ["s3:GetObjectAcl"] = 100,
        ["s3:CopyObject"] = 50,

        // S3's multipart copy of objects over CopyObject's 5 GiB: each UploadPartCopy copies up to a part (512 MiB by
        // default) inside S3, a PUT like CopyObject; the upload's own calls come once per object, the tag read too.
        ["s3:GetObjectTagging"] = 100,
        ["s3:CreateMultipartUpload"] = 10,
        ["s3:UploadPartCopy"] = 50,
        ["s3:CompleteMultipartUpload"] = 10,
        ["s3:AbortMultipartUpload"] = 10,
        ["s3:ListMultipartUploads"] = 10,

        // Parameter Store: DescribeParameters and PutParameter have low default throughput (a few per second, shared
        // with every writer of the account); GetParameter's is higher.
        ["ssm:DescribeParameters"] = 2,
        ["ssm:GetParameter"] = 10,
        ["ssm:PutParameter"] = 2,

        // EC2 throttles describe calls per account with a token bucket shared by every non-mutating action.
        ["ec2:DescribeVolumes"] = 5,
        ["ec2:DescribeSnapshots"] = 5,

        // KMS ReEncrypt counts against the account's shared cryptographic-operations quota, with the applications' own
        // Encrypt, Decrypt and GenerateDataKey calls: 10,000 to 100,000 a second for symmetric keys depending on the
        // Region, 500 for RSA keys. 50 is under 1% of the first and a tenth of the second.
        ["kms:ReEncrypt"] = 50,
    };
}
