using System.Collections.Concurrent;
using System.Net;
using Amazon.S3;
using Amazon.S3.Model;
using KeyRotation.Core.Consumers;

namespace KeyRotation.Integrations.Consumers.S3;

/// <summary>
/// Re-encrypts an object under the alias's current key by copying it onto itself (CopyObject with SSE-KMS and the key
/// ARN: an object stores the key it was written with, so there is no alias to point it at). An object is either fully
/// copied under the new key or left as it was: CopyObject is atomic, and it starts only from the version that was read
/// (x-amz-copy-source-if-match), so a concurrent write is never clobbered. The copy is read back (HeadObject with its
/// ETag and x-amz-checksum-mode ENABLED) and compared with the original before it is reported moved. Idempotent: an
/// object already under the key is skipped, so a run that was stopped is resumed by running again. Objects over 5 GB
/// (CopyObject's limit; they would need UploadPartCopy) and archived ones (restore first) fail with that reason, as it
/// was. In a versioned bucket the copy is a new version; the previous one stays under the old key until it is deleted.
/// </summary>
internal sealed class S3ObjectMigrator : IConsumerMigrator
{
    /// <summary>The largest object CopyObject copies in one request (5 GB).</summary>
    public const long MaxCopySize = 5L * 1024 * 1024 * 1024;

    private readonly IAmazonS3 _s3;
    private readonly ConsumerRequestPacer _pacer;
    private readonly ConcurrentDictionary<string, Task<string>> _versioning = new(StringComparer.Ordinal);

    public S3ObjectMigrator(IAmazonS3 s3, ConsumerRequestPacer pacer)
    {
        ArgumentNullException.ThrowIfNull(s3);
        ArgumentNullException.ThrowIfNull(pacer);
        _s3 = s3;
        _pacer = pacer;
    }

    public bool Handles(ConsumerResource resource) => resource is { Service: S3ConsumerNames.Service, Kind: S3ConsumerNames.ObjectKind };

    public async Task<MigrationOutcome> MigrateAsync(ConsumerResource resource, MigrationTarget target, bool dryRun, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(resource);
        ArgumentNullException.ThrowIfNull(target);
        var (bucket, key) = S3ConsumerNames.ObjectOf(resource);
        var before = await HeadAsync(bucket, key, null, ct);
        if (before.Failure is { } unreadable)
        {
            return unreadable;
        }

        var state = before.State!;
        if (Refusal(state, resource, target) is { } refusal)
        {
            return refusal;
        }

        GetObjectAclResponse acl;
        try
        {
            await _pacer.WaitAsync(S3ConsumerNames.Service, "GetObjectAcl", ct);
            acl = await _s3.GetObjectAclAsync(new GetObjectAclRequest { BucketName = bucket, Key = key }, ct);
        }
        catch (AmazonS3Exception ex)
        {
            return Failed(S3Errors.Reason(ex, "GetObjectAcl", "s3:GetObjectAcl"));
        }

        var versioning = await _versioning.GetOrAdd(bucket, b => VersioningAsync(b, ct));
        if (dryRun)
        {
            return new MigrationOutcome(MigrationResult.WouldMove, $"would copy onto itself under {target.CurrentKeyArn} (from {state.KmsKeyId}){VersioningNote(versioning, state.VersionId, null)}");
        }

        CopyObjectResponse copy;
        try
        {
            await _pacer.WaitAsync(S3ConsumerNames.Service, "CopyObject", ct);
            copy = await _s3.CopyObjectAsync(S3ObjectCopy.Build(bucket, key, state, acl, target.CurrentKeyArn), ct);
        }
        catch (AmazonS3Exception ex) when (ex.StatusCode == HttpStatusCode.PreconditionFailed)
        {
            return await AfterLostRaceAsync(bucket, key, target, ct);
        }
        catch (AmazonS3Exception ex)
        {
            return Failed(ex.ErrorCode == "InvalidObjectState"
                ? $"archived in {state.StorageClass}: restore it first (RestoreObject)"
                : S3Errors.Reason(ex, "CopyObject", "s3:GetObject, s3:PutObject, s3:GetObjectTagging, s3:PutObjectTagging, s3:PutObjectAcl, kms:Decrypt on the old key and kms:GenerateDataKey on the new"));
        }

        var after = await HeadAsync(bucket, key, copy.ETag, ct);
        if (after.State is not { } copied)
        {
            return new MigrationOutcome(MigrationResult.Failed, $"copied under {target.CurrentKeyArn}, but it could not be read back ({after.Failure!.Detail}): check it, then run again");
        }

        var differences = state.DifferencesFrom(copied, target.CurrentKeyArn);
        return differences.Count > 0
            ? new MigrationOutcome(MigrationResult.Failed, $"copied, but the copy differs: {string.Join("; ", differences)}")
            : new MigrationOutcome(MigrationResult.Moved, $"under {target.CurrentKeyArn} (was {state.KmsKeyId}); checked {Checked(state)}{VersioningNote(versioning, state.VersionId, copied.VersionId)}");
    }

    private static MigrationOutcome? Refusal(S3ObjectState state, ConsumerResource resource, MigrationTarget target) =>
        !S3ConsumerNames.IsKms(state.Sse) ? Failed($"no longer encrypted with a KMS key (now {state.Sse ?? "none"})")
        : state.KmsKeyId == target.CurrentKeyArn ? new MigrationOutcome(MigrationResult.AlreadyCurrent, $"already under {target.CurrentKeyArn}")
        : resource.KeyReference is { } scanned && state.KmsKeyId != scanned ? Failed($"now under {state.KmsKeyId}, not {scanned} as scanned: run again")
        : state.Size > MaxCopySize ? Failed($"{state.Size} bytes, over CopyObject's 5 GB: it needs a multipart copy (UploadPartCopy), which this tool does not make")
        : state.Archived || state.StorageClass is "GLACIER" or "DEEP_ARCHIVE" ? Failed($"archived in {state.StorageClass}: restore it first (RestoreObject)")
        : null;

    /// <summary>
    /// The copy's condition failed: the object was written after it was read. Written under the target key (by an
    /// application through the alias, or by this migration's own copy whose answer was lost and retried) it is done;
    /// otherwise the newer object is kept as it is and this one is reported failed.
    /// </summary>
    private async Task<MigrationOutcome> AfterLostRaceAsync(string bucket, string key, MigrationTarget target, CancellationToken ct)
    {
        var now = await HeadAsync(bucket, key, null, ct);
        return now.State?.KmsKeyId == target.CurrentKeyArn
            ? new MigrationOutcome(MigrationResult.AlreadyCurrent, $"written under {target.CurrentKeyArn} while being migrated; not copied again")
            : Failed("written by someone else while being migrated (the copy's x-amz-copy-source-if-match failed): not copied, the newer object is kept; run again");
    }

    private async Task<(S3ObjectState? State, MigrationOutcome? Failure)> HeadAsync(string bucket, string key, string? etag, CancellationToken ct)
    {
        try
        {
            await _pacer.WaitAsync(S3ConsumerNames.Service, "HeadObject", ct);
            var head = await _s3.GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = bucket, Key = key, EtagToMatch = etag, ChecksumMode = ChecksumMode.ENABLED }, ct);
            return (S3ObjectState.Of(head), null);
        }
        catch (AmazonS3Exception ex) when (S3Errors.IsNotFound(ex))
        {
            return (null, new MigrationOutcome(MigrationResult.Failed, "no longer exists"));
        }
        catch (AmazonS3Exception ex) when (ex.StatusCode == HttpStatusCode.PreconditionFailed)
        {
            return (null, new MigrationOutcome(MigrationResult.Failed, "overwritten right after the copy"));
        }
        catch (AmazonS3Exception ex)
        {
            return (null, Failed(S3Errors.Reason(ex, "HeadObject", "s3:GetObject")));
        }
    }

    private async Task<string> VersioningAsync(string bucket, CancellationToken ct)
    {
        try
        {
            await _pacer.WaitAsync(S3ConsumerNames.Service, "GetBucketVersioning", ct);
            var answer = await _s3.GetBucketVersioningAsync(new GetBucketVersioningRequest { BucketName = bucket }, ct);
            return answer.VersioningConfig?.Status?.Value ?? "Off";
        }
        catch (AmazonS3Exception ex) when (S3Errors.IsAccessDenied(ex))
        {
            return "unknown (GetBucketVersioning needs s3:GetBucketVersioning)";
        }
    }

    private static string Checked(S3ObjectState state) =>
        state.Checksum is { FullObject: true } checksum ? $"size and {checksum.Algorithm} checksum"
        : state.Checksum is { } composite ? $"size ({composite.Algorithm} is a multipart upload's composite checksum, which a single-part copy cannot reproduce; the copy has a full-object one)"
        : "size (the object had no checksum to compare; the copy now has a CRC64NVME one)";

    private static string VersioningNote(string versioning, string? oldVersion, string? newVersion) => versioning switch
    {
        "Enabled" or "Suspended" when newVersion is null => $"; versioning {versioning}: a new version, the current one ({oldVersion ?? "null"}) stays under the old key until it is deleted",
        "Enabled" or "Suspended" => $"; new version {newVersion}: version {oldVersion ?? "null"} stays under the old key until it is deleted (NoncurrentVersionExpiration)",
        "Off" => string.Empty,
        _ => $"; versioning {versioning}",
    };

    private static MigrationOutcome Failed(string reason) => new(MigrationResult.Failed, reason + "; left as it was");
}
