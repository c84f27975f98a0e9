using Amazon.S3;
using Amazon.S3.Model;
using KeyRotation.Core.Consumers;

namespace KeyRotation.Integrations.Consumers.S3;

/// <summary>
/// Aborts the incomplete multipart uploads an earlier, stopped run of the migration left on an object, so that a killed
/// run does not leave its parts behind (and billed) forever. Run right after this run's own upload was created: its
/// listing entry names the identity that runs the migration (Initiator), and an upload on exactly this key that the
/// same identity initiated before it is taken to be an earlier run's. Uploads by anyone else (an application writing
/// the object by multipart upload right now) are left alone; a bucket lifecycle rule (AbortIncompleteMultipartUpload)
/// is the backstop for what this cannot know.
/// </summary>
internal sealed class S3LeftoverUploads
{
    private readonly IAmazonS3 _s3;
    private readonly ConsumerRequestPacer _pacer;

    public S3LeftoverUploads(IAmazonS3 s3, ConsumerRequestPacer pacer)
    {
        _s3 = s3;
        _pacer = pacer;
    }

    /// <summary>"" when nothing was left; else a note for the outcome's detail: what was aborted, or why not.</summary>
    public async Task<string> AbortEarlierAsync(string bucket, string key, string ownUploadId, CancellationToken ct)
    {
        var uploads = new List<MultipartUpload>();
        try
        {
            var request = new ListMultipartUploadsRequest { BucketName = bucket, Prefix = key };
            ListMultipartUploadsResponse page;
            do
            {
                await _pacer.WaitAsync(S3ConsumerNames.Service, "ListMultipartUploads", ct);
                page = await _s3.ListMultipartUploadsAsync(request, ct);
                uploads.AddRange((page.MultipartUploads ?? []).Where(u => u.Key == key));
                request.KeyMarker = page.NextKeyMarker;
                request.UploadIdMarker = page.NextUploadIdMarker;
            }
            while (page.IsTruncated == true);
        }
        catch (AmazonS3Exception ex)
        {
            return $"; incomplete uploads of earlier runs not looked for ({S3Errors.Reason(ex, "ListMultipartUploads", "s3:ListBucketMultipartUploads")})";
        }

        if (uploads.FirstOrDefault(u => u.UploadId == ownUploadId) is not { Initiator.Id: { } runner } own)
        {
            return "; incomplete uploads of earlier runs not looked for (ListMultipartUploads did not show this run's own upload)";
        }

        var leftovers = uploads.Where(u => u.UploadId != ownUploadId && u.Initiator?.Id == runner && (u.Initiated ?? DateTime.MinValue) <= (own.Initiated ?? DateTime.MaxValue)).ToList();
        var failures = new List<string>();
        foreach (var leftover in leftovers)
        {
            try
            {
                await _pacer.WaitAsync(S3ConsumerNames.Service, "AbortMultipartUpload", ct);
                await _s3.AbortMultipartUploadAsync(new AbortMultipartUploadRequest { BucketName = bucket, Key = key, UploadId = leftover.UploadId }, ct);
            }
            catch (AmazonS3Exception ex) when (ex.ErrorCode != "NoSuchUpload")
            {
                failures.Add($"{leftover.UploadId}: {S3Errors.Reason(ex, "AbortMultipartUpload", "s3:AbortMultipartUpload")}");
            }
        }

        return leftovers.Count == 0 ? string.Empty
            : failures.Count == 0 ? $"; aborted {leftovers.Count} incomplete upload(s) an earlier run left ({string.Join(", ", leftovers.Select(u => u.UploadId))})"
            : $"; could not abort {failures.Count} incomplete upload(s) an earlier run left ({string.Join("; ", failures)})";
    }
}
