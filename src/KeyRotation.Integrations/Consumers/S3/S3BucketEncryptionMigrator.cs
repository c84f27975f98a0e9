using Amazon.S3;
using Amazon.S3.Model;
using KeyRotation.Core.Consumers;

namespace KeyRotation.Integrations.Consumers.S3;

/// <summary>
/// Moves a bucket's default encryption to the alias itself, by its alias ARN: S3 stores KMSMasterKeyID as given and KMS
/// resolves an alias on each request (the API reference warns that an alias is resolved in the requester's account,
/// which is why the ARN, naming the alias's account, is used rather than the bare name), so objects written after each
/// later rotation go to the new key with nothing to migrate again. PutBucketEncryption sends back the configuration as
/// read with only the key changed: SSEAlgorithm (aws:kms or aws:kms:dsse), BucketKeyEnabled and anything else the rule
/// holds stay as they were. A bucket already on the alias (name or ARN) is already current. The change is read back
/// before it is reported moved. It changes no object: existing objects keep the key they were written with.
/// </summary>
internal sealed class S3BucketEncryptionMigrator : IConsumerMigrator
{
    private readonly IAmazonS3 _s3;
    private readonly ConsumerRequestPacer _pacer;

    public S3BucketEncryptionMigrator(IAmazonS3 s3, ConsumerRequestPacer pacer)
    {
        ArgumentNullException.ThrowIfNull(s3);
        ArgumentNullException.ThrowIfNull(pacer);
        _s3 = s3;
        _pacer = pacer;
    }

    public bool Handles(ConsumerResource resource) => resource is { Service: S3ConsumerNames.Service, Kind: S3ConsumerNames.BucketKind };

    public async Task<MigrationOutcome> MigrateAsync(ConsumerResource resource, MigrationTarget target, bool dryRun, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(resource);
        ArgumentNullException.ThrowIfNull(target);
        var bucket = S3ConsumerNames.BucketOf(resource);
        var read = await ReadAsync(bucket, ct);
        if (read.Failure is { } failure)
        {
            return failure;
        }

        var (configuration, rule) = (read.Configuration!, read.Rule!);
        var current = rule.ServerSideEncryptionByDefault.ServerSideEncryptionKeyManagementServiceKeyId;
        if (current == target.AliasArn || current == target.AliasName)
        {
            return new MigrationOutcome(MigrationResult.AlreadyCurrent, $"default encryption already names {current}");
        }

        if (resource.KeyReference is { } scanned && current != scanned)
        {
            return new MigrationOutcome(MigrationResult.Failed, $"default encryption now names {current}, not {scanned} as scanned: run again; left as it is");
        }

        var kept = $"SSEAlgorithm {rule.ServerSideEncryptionByDefault.ServerSideEncryptionAlgorithm.Value}, BucketKeyEnabled {BucketKey(rule)} kept";
        if (dryRun)
        {
            return new MigrationOutcome(MigrationResult.WouldMove, $"would set KMSMasterKeyID {current} -> {target.AliasArn} ({kept})");
        }

        var bucketKeyBefore = rule.BucketKeyEnabled;
        rule.ServerSideEncryptionByDefault.ServerSideEncryptionKeyManagementServiceKeyId = target.AliasArn;
        try
        {
            await _pacer.WaitAsync(S3ConsumerNames.Service, "PutBucketEncryption", ct);
            await _s3.PutBucketEncryptionAsync(new PutBucketEncryptionRequest { BucketName = bucket, ServerSideEncryptionConfiguration = configuration }, ct);
        }
        catch (AmazonS3Exception ex)
        {
            return new MigrationOutcome(MigrationResult.Failed, S3Errors.Reason(ex, "PutBucketEncryption", "s3:PutEncryptionConfiguration") + "; left as it was");
        }

        var check = await ReadAsync(bucket, ct);
        var after = check.Rule;
        return after is not null
            && after.ServerSideEncryptionByDefault.ServerSideEncryptionKeyManagementServiceKeyId == target.AliasArn
            && after.BucketKeyEnabled.GetValueOrDefault() == bucketKeyBefore.GetValueOrDefault()
            ? new MigrationOutcome(MigrationResult.Moved, $"KMSMasterKeyID {current} -> {target.AliasArn} ({kept})")
            : new MigrationOutcome(MigrationResult.Failed, $"PutBucketEncryption succeeded but reading it back shows {(after is null ? "no SSE-KMS rule" : $"KMSMasterKeyID {after.ServerSideEncryptionByDefault.ServerSideEncryptionKeyManagementServiceKeyId}, BucketKeyEnabled {BucketKey(after)}")}: check the bucket");
    }

    private static string BucketKey(ServerSideEncryptionRule rule) => rule.BucketKeyEnabled == true ? "true" : "false";

    private async Task<(ServerSideEncryptionConfiguration? Configuration, ServerSideEncryptionRule? Rule, MigrationOutcome? Failure)> ReadAsync(string bucket, CancellationToken ct)
    {
        ServerSideEncryptionConfiguration configuration;
        try
        {
            await _pacer.WaitAsync(S3ConsumerNames.Service, "GetBucketEncryption", ct);
            configuration = (await _s3.GetBucketEncryptionAsync(new GetBucketEncryptionRequest { BucketName = bucket }, ct)).ServerSideEncryptionConfiguration;
        }
        catch (AmazonS3Exception ex) when (ex.ErrorCode == "ServerSideEncryptionConfigurationNotFoundError")
        {
            return (null, null, new MigrationOutcome(MigrationResult.Failed, "the bucket has no default encryption any more; left as it is"));
        }
        catch (AmazonS3Exception ex)
        {
            return (null, null, new MigrationOutcome(MigrationResult.Failed, S3Errors.Reason(ex, "GetBucketEncryption", "s3:GetEncryptionConfiguration") + "; left as it was"));
        }

        return S3BucketEncryptionSource.KmsRule(configuration) is { } rule && !string.IsNullOrEmpty(rule.ServerSideEncryptionByDefault.ServerSideEncryptionKeyManagementServiceKeyId)
            ? (configuration, rule, null)
            : (configuration, null, new MigrationOutcome(MigrationResult.Failed, "the bucket's default encryption no longer names a KMS key; left as it is"));
    }
}
