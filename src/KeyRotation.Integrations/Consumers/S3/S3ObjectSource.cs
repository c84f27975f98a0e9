using System.Runtime.CompilerServices;
using Amazon.S3;
using Amazon.S3.Model;
using KeyRotation.Core.Consumers;

namespace KeyRotation.Integrations.Consumers.S3;

/// <summary>
/// The SSE-KMS and DSSE-KMS objects under one prefix of one bucket, only when an operator asks for them: ListObjectsV2
/// paged by continuation token (current versions only; a noncurrent version keeps the key it was written with), then one
/// paced HeadObject per object for x-amz-server-side-encryption-aws-kms-key-id (S3 stores the key ARN). Each finding is
/// yielded as soon as it is read, so a long scan shows progress. A bucket that does not exist, or a prefix with no object
/// under it, is a <see cref="ConsumerScopeNotFoundException"/> naming it; an object that cannot be read is not checked.
/// </summary>
internal sealed class S3ObjectSource : IConsumerSource
{
    private readonly IAmazonS3 _s3;
    private readonly string _bucket;
    private readonly string _prefix;
    private readonly ConsumerRequestPacer _pacer;
    private readonly int _pageSize;

    public S3ObjectSource(IAmazonS3 s3, string bucket, string prefix, ConsumerRequestPacer pacer, int pageSize = 1000)
    {
        ArgumentNullException.ThrowIfNull(s3);
        ArgumentException.ThrowIfNullOrWhiteSpace(bucket);
        ArgumentNullException.ThrowIfNull(prefix);
        ArgumentNullException.ThrowIfNull(pacer);
        ArgumentOutOfRangeException.ThrowIfLessThan(pageSize, 1);
        _s3 = s3;
        _bucket = bucket;
        _prefix = prefix;
        _pacer = pacer;
        _pageSize = pageSize;
    }

    public string Name => $"S3 objects in s3://{_bucket}/{_prefix}";

    public async IAsyncEnumerable<ConsumerFinding> ScanAsync([EnumeratorCancellation] CancellationToken ct)
    {
        string? token = null;
        var first = true;
        do
        {
            var page = await ListAsync(token, ct);
            if (page is null)
            {
                yield return new ConsumerFinding.NotChecked(S3ConsumerNames.Object(_bucket, _prefix, null, null), "AccessDenied: ListObjectsV2 needs s3:ListBucket");
                yield break;
            }

            if (first && (page.S3Objects is null || page.S3Objects.Count == 0))
            {
                throw new ConsumerScopeNotFoundException($"--prefix: bucket '{_bucket}' has no object under prefix '{_prefix}'");
            }

            first = false;
            foreach (var item in page.S3Objects ?? [])
            {
                if (await ReadAsync(item.Key, ct) is { } finding)
                {
                    yield return finding;
                }
            }

            token = page.IsTruncated == true ? page.NextContinuationToken : null;
        }
        while (token is not null);
    }

    private async Task<ListObjectsV2Response?> ListAsync(string? token, CancellationToken ct)
    {
        try
        {
            await _pacer.WaitAsync(S3ConsumerNames.Service, "ListObjectsV2", ct);
            return await _s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = _bucket, Prefix = _prefix, MaxKeys = _pageSize, ContinuationToken = token }, ct);
        }
        catch (AmazonS3Exception ex) when (ex.ErrorCode == "NoSuchBucket")
        {
            throw new ConsumerScopeNotFoundException($"--bucket: bucket '{_bucket}' does not exist", ex);
        }
        catch (AmazonS3Exception ex) when (S3Errors.IsAccessDenied(ex))
        {
            return null;
        }
    }

    private async Task<ConsumerFinding?> ReadAsync(string key, CancellationToken ct)
    {
        await _pacer.WaitAsync(S3ConsumerNames.Service, "HeadObject", ct);
        GetObjectMetadataResponse head;
        try
        {
            head = await _s3.GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = _bucket, Key = key }, ct);
        }
        catch (AmazonS3Exception ex) when (S3Errors.IsNotFound(ex))
        {
            // Deleted since the listing.
            return null;
        }
        catch (AmazonS3Exception ex) when (ex.StatusCode == System.Net.HttpStatusCode.BadRequest)
        {
            return new ConsumerFinding.NotChecked(S3ConsumerNames.Object(_bucket, key, null, null), "HeadObject answered 400 Bad Request: an object encrypted with a customer-provided key (SSE-C) cannot be read without it");
        }
        catch (AmazonS3Exception ex)
        {
            return new ConsumerFinding.NotChecked(S3ConsumerNames.Object(_bucket, key, null, null), S3Errors.Reason(ex, "HeadObject", "s3:GetObject"));
        }

        var reference = head.ServerSideEncryptionKeyManagementServiceKeyId;
        return S3ConsumerNames.IsKms(head.ServerSideEncryptionMethod?.Value) && !string.IsNullOrEmpty(reference)
            ? new ConsumerFinding.Found(S3ConsumerNames.Object(_bucket, key, reference, head.VersionId))
            : null;
    }
}
