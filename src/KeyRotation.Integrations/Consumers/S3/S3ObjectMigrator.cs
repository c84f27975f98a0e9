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
/// object already under the key is skipped, so a run that was stopped is resumed by running again. Objects over
/// CopyObject's 5 GiB are copied in parts (<see cref="S3MultipartCopy"/>) and read back the same way; archived ones
/// (restore first) fail with that reason, as they were. In a versioned bucket the copy is a new version; the previous
/// one stays under the old key until it is deleted.
/// </summary>
internal sealed class S3ObjectMigrator : IConsumerMigrator
{
    private readonly IAmazonS3 _s3;
    private readonly ConsumerRequestPacer _pacer;
    private readonly S3CopyLimits _limits;
    private readonly S3MultipartCopy _multipart;
    private readonly ConcurrentDictionary<string, Task<string>> _versioning = new(StringComparer.Ordinal);

    public S3ObjectMigrator(IAmazonS3 s3, ConsumerRequestPacer pacer, S3CopyLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(s3);
        ArgumentNullException.ThrowIfNull(pacer);
        _s3 = s3;
        _pacer = pacer;
        _limits = limits ?? S3CopyLimits.Default;
        _multipart = new S3MultipartCopy(s3, pacer);
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
        var partSize = state.Size > _limits.CopyObjectMaxSize ? _limits.PartSizeFor(state.Size) : null;
        if ((Refusal(state, resource, target) ?? (state.Size > _limits.CopyObjectMaxSize && partSize is null ? TooLarge(state) : null)) is { } refusal)
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
            var how = partSize is { } size ? $" in {S3CopyLimits.Ranges(state.Size, size).Count} parts of {size} bytes (multipart copy: over CopyObject's {_limits.CopyObjectMaxSize} bytes)" : string.Empty;
            return new MigrationOutcome(MigrationResult.WouldMove, $"would copy onto itself{how} under {target.CurrentKeyArn} (from {state.KmsKeyId}){VersioningNote(versioning, state.VersionId, null)}");
        }

        string etag, checkedWhat, note = string.Empty;
        var expected = state;
        if (partSize is { } part)
        {
            var multipart = await _multipart.CopyAsync(bucket, key, state, acl, target.CurrentKeyArn, part, ct);
            if (multipart.LostRaceReason is { } lost)
            {
                return await AfterLostRaceAsync(bucket, key, target, ct, lost + multipart.Note);
            }

            if (multipart.FailureReason is { } reason)
            {
                return Failed(reason + multipart.Note);
            }

            (etag, checkedWhat, note) = (multipart.ETag!, $"copied in {multipart.Parts} parts (multipart copy: over CopyObject's {_limits.CopyObjectMaxSize} bytes); checked {CheckedMultipart(state)}", multipart.Note);
            // A multipart copy cannot reproduce a SHA or composite checksum: only a full-object CRC is compared.
            expected = S3MultipartCopyRequests.ChecksumFor(state.Checksum).Expected is null ? state with { Checksum = null } : state;
        }
        else
        {
            try
            {
                await _pacer.WaitAsync(S3ConsumerNames.Service, "CopyObject", ct);
                etag = (await _s3.CopyObjectAsync(S3ObjectCopy.Build(bucket, key, state, acl, target.CurrentKeyArn), ct)).ETag;
                checkedWhat = "checked " + Checked(state);
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
        }

        var after = await HeadAsync(bucket, key, etag, ct);
        if (after.State is not { } copied)
        {
            return new MigrationOutcome(MigrationResult.Failed, $"copied under {target.CurrentKeyArn}, but it could not be read back ({after.Failure!.Detail}): check it, then run again");
        }

        var differences = expected.DifferencesFrom(copied, target.CurrentKeyArn);
        return differences.Count > 0
            ? new MigrationOutcome(MigrationResult.Failed, $"copied, but the copy differs: {string.Join("; ", differences)}")
            : new MigrationOutcome(MigrationResult.Moved, $"under {target.CurrentKeyArn} (was {state.KmsKeyId}); {checkedWhat}{note}{VersioningNote(versioning, state.VersionId, copied.VersionId)}");
    }

    private static MigrationOutcome? Refusal(S3ObjectState state, ConsumerResource resource, MigrationTarget target) =>
        !S3ConsumerNames.IsKms(state.Sse) ? Failed($"no longer encrypted with a KMS key (now {state.Sse ?? "none"})")
        : state.KmsKeyId == target.CurrentKeyArn ? new MigrationOutcome(MigrationResult.AlreadyCurrent, $"already under {target.CurrentKeyArn}")
        : resource.KeyReference is { } scanned && state.KmsKeyId != scanned ? Failed($"now under {state.KmsKeyId}, not {scanned} as scanned: run again")
        : state.Archived || state.StorageClass is "GLACIER" or "DEEP_ARCHIVE" ? Failed($"archived in {state.StorageClass}: restore it first (RestoreObject)")
        : null;

    private MigrationOutcome TooLarge(S3ObjectState state) =>
        Failed($"{state.Size} bytes: more than {_limits.MaxParts} parts of {_limits.MaxPartSize} bytes, the most a multipart copy holds");

    /// <summary>
    /// The copy's condition failed: the object was written after it was read. Written under the target key (by an
    /// application through the alias, or by this migration's own copy whose answer was lost and retried) it is done;
    /// otherwise the newer object is kept as it is and this one is reported failed.
    /// </summary>
    private async Task<MigrationOutcome> AfterLostRaceAsync(string bucket, string key, MigrationTarget target, CancellationToken ct, string condition = "the copy's x-amz-copy-source-if-match failed")
    {
        var now = await HeadAsync(bucket, key, null, ct);
        return now.State?.KmsKeyId == target.CurrentKeyArn
            ? new MigrationOutcome(MigrationResult.AlreadyCurrent, $"written under {target.CurrentKeyArn} while being migrated; not copied again")
            : Failed($"written by someone else while being migrated ({condition}): not copied, the newer object is kept; run again");
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

    private static string CheckedMultipart(S3ObjectState state) =>
        S3MultipartCopyRequests.ChecksumFor(state.Checksum) is { Expected: not null } crc ? $"size and {crc.Algorithm.Value} full-object checksum (S3 also checked both when completing)"
        : state.Checksum is { } other ? $"size ({other.Algorithm} {(other.FullObject ? "full-object" : "composite")} checksum: a multipart copy's parts cannot reproduce it; the copy has a {S3MultipartCopyRequests.ChecksumFor(other).Algorithm.Value} {S3MultipartCopyRequests.ChecksumFor(other).Type.Value.ToLowerInvariant().Replace('_', '-')} one)"
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
