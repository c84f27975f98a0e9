using System.Net;
using Amazon.S3;
using Amazon.S3.Model;
using KeyRotation.Core.Consumers;

namespace KeyRotation.Integrations.Consumers.S3;

/// <summary>
/// Copies an object over CopyObject's 5 GiB onto itself under a new key, as S3 prescribes for large objects:
/// CreateMultipartUpload, UploadPartCopy for each byte range, CompleteMultipartUpload. Nothing is visible before the
/// upload completes, and completing it is atomic, so the object is either fully copied under the new key or left as it
/// was: on any failure the upload is aborted (AbortMultipartUpload). Every part and the completion are conditional on
/// the ETag read, so a write in between fails the copy instead of mixing two versions or clobbering the newer one. A run
/// stopped mid-upload cannot abort its upload; the next run on the object aborts it (<see cref="S3LeftoverUploads"/>).
/// </summary>
internal sealed class S3MultipartCopy
{
    private const string PutActions = "s3:PutObject, kms:GenerateDataKey and kms:Decrypt on the new key";
    private readonly IAmazonS3 _s3;
    private readonly ConsumerRequestPacer _pacer;
    private readonly S3LeftoverUploads _leftovers;

    public S3MultipartCopy(IAmazonS3 s3, ConsumerRequestPacer pacer)
    {
        _s3 = s3;
        _pacer = pacer;
        _leftovers = new S3LeftoverUploads(s3, pacer);
    }

    public async Task<S3MultipartCopyResult> CopyAsync(string bucket, string key, S3ObjectState state, GetObjectAclResponse acl, string keyArn, long partSize, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(state);
        List<Tag>? tags = null;
        if (state.TagCount > 0)
        {
            try
            {
                // CopyObject copies the tag-set itself (x-amz-tagging-directive COPY); a multipart upload is sent it.
                await _pacer.WaitAsync(S3ConsumerNames.Service, "GetObjectTagging", ct);
                tags = (await _s3.GetObjectTaggingAsync(new GetObjectTaggingRequest { BucketName = bucket, Key = key, VersionId = state.VersionId }, ct)).Tagging;
            }
            catch (AmazonS3Exception ex)
            {
                return S3MultipartCopyResult.Failed(S3Errors.Reason(ex, "GetObjectTagging", "s3:GetObjectTagging"));
            }
        }

        string uploadId;
        try
        {
            await _pacer.WaitAsync(S3ConsumerNames.Service, "CreateMultipartUpload", ct);
            uploadId = (await _s3.InitiateMultipartUploadAsync(S3MultipartCopyRequests.Create(bucket, key, state, tags, acl, keyArn), ct)).UploadId;
        }
        catch (AmazonS3Exception ex)
        {
            return S3MultipartCopyResult.Failed(S3Errors.Reason(ex, "CreateMultipartUpload", PutActions + ", s3:PutObjectTagging, s3:PutObjectAcl"));
        }

        var note = await _leftovers.AbortEarlierAsync(bucket, key, uploadId, ct);
        var ranges = S3CopyLimits.Ranges(state.Size, partSize);
        var parts = new List<CopyPartResponse>(ranges.Count);
        for (var i = 0; i < ranges.Count; i++)
        {
            var number = i + 1;
            try
            {
                await _pacer.WaitAsync(S3ConsumerNames.Service, "UploadPartCopy", ct);
                parts.Add(await _s3.CopyPartAsync(S3MultipartCopyRequests.Part(bucket, key, state, uploadId, number, ranges[i]), ct));
            }
            catch (AmazonS3Exception ex) when (ex.StatusCode == HttpStatusCode.PreconditionFailed)
            {
                return S3MultipartCopyResult.LostRace($"part {number} of {ranges.Count}'s x-amz-copy-source-if-match failed; the upload was aborted{await AbortAsync(bucket, key, uploadId, ct)}", note);
            }
            catch (AmazonS3Exception ex)
            {
                var reason = S3Errors.Reason(ex, $"UploadPartCopy (part {number} of {ranges.Count})", "s3:GetObject, kms:Decrypt on the old key and " + PutActions);
                return S3MultipartCopyResult.Failed($"{reason}; the upload was aborted{await AbortAsync(bucket, key, uploadId, ct)}", note);
            }
        }

        try
        {
            await _pacer.WaitAsync(S3ConsumerNames.Service, "CompleteMultipartUpload", ct);
            var done = await _s3.CompleteMultipartUploadAsync(S3MultipartCopyRequests.Complete(bucket, key, state, uploadId, parts), ct);
            return new S3MultipartCopyResult(done.ETag, ranges.Count, null, null, note);
        }
        catch (AmazonS3Exception ex) when (ex.StatusCode == HttpStatusCode.PreconditionFailed || ex.ErrorCode is "NoSuchUpload" or "ConditionalRequestConflict")
        {
            // 412: written after the last part (If-Match). NoSuchUpload: this run's own completion whose answer was lost
            // and retried by the SDK, or another run that aborted it; either way the object says which.
            return S3MultipartCopyResult.LostRace($"CompleteMultipartUpload answered {ex.ErrorCode ?? ((int)ex.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture)}; the upload was aborted{await AbortAsync(bucket, key, uploadId, ct)}", note);
        }
        catch (AmazonS3Exception ex)
        {
            var reason = ex.ErrorCode == "BadDigest"
                ? $"the copied bytes do not match the object's {state.Checksum?.Algorithm} checksum (S3 combined the parts' checksums and refused to complete)"
                : S3Errors.Reason(ex, "CompleteMultipartUpload", PutActions);
            return S3MultipartCopyResult.Failed($"{reason}; the upload was aborted{await AbortAsync(bucket, key, uploadId, ct)}", note);
        }
    }

    /// <summary>Aborts this copy's upload: "" when it is gone, else why it could not be (it then stays until someone aborts it).</summary>
    private async Task<string> AbortAsync(string bucket, string key, string uploadId, CancellationToken ct)
    {
        try
        {
            await _pacer.WaitAsync(S3ConsumerNames.Service, "AbortMultipartUpload", ct);
            await _s3.AbortMultipartUploadAsync(new AbortMultipartUploadRequest { BucketName = bucket, Key = key, UploadId = uploadId }, ct);
            return string.Empty;
        }
        catch (AmazonS3Exception ex) when (ex.ErrorCode == "NoSuchUpload")
        {
            return string.Empty;
        }
        catch (AmazonS3Exception ex)
        {
            return $", but could not be: {S3Errors.Reason(ex, "AbortMultipartUpload", "s3:AbortMultipartUpload")} (upload {uploadId}; the next run on the object aborts it)";
        }
    }
}

/// <summary>
/// How a multipart copy ended: completed (<paramref name="ETag"/> of the copy, in <paramref name="Parts"/> parts), lost to
/// a concurrent write (<paramref name="LostRaceReason"/>), or failed (<paramref name="FailureReason"/>); nothing is left
/// of it but what <paramref name="Note"/> says (earlier runs' uploads it aborted or could not look for).
/// </summary>
internal sealed record S3MultipartCopyResult(string? ETag, int Parts, string? LostRaceReason, string? FailureReason, string Note)
{
    public static S3MultipartCopyResult Failed(string reason, string note = "") => new(null, 0, null, reason, note);

    public static S3MultipartCopyResult LostRace(string reason, string note) => new(null, 0, reason, null, note);
}
