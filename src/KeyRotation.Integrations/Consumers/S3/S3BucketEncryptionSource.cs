using System.Runtime.CompilerServices;
using Amazon.S3;
using Amazon.S3.Model;
using KeyRotation.Core.Consumers;

namespace KeyRotation.Integrations.Consumers.S3;

/// <summary>
/// Every bucket of the account in one Region whose default encryption names a KMS key (SSE-KMS or DSSE-KMS with a
/// KMSMasterKeyID: key id, key ARN, alias name or alias ARN, as stored). ListBuckets is paged (max-buckets, continuation
/// token) and asks S3 for this Region's buckets only (bucket-region, which the API reference offers for exactly this and
/// which must be sent to that Region's endpoint, as this client is): a bucket of another Region is out of scope, found by
/// scanning that Region. A bucket that still turns out to be elsewhere (an endpoint that ignores the filter lists it, or
/// S3 redirects) is listed as not checked with its Region. No configuration, SSE-S3, or aws:kms without a key (the AWS
/// managed key aws/s3, which no rotation of this tool moves) is no consumer. AccessDenied: not checked, the scan goes on.
/// </summary>
internal sealed class S3BucketEncryptionSource : IConsumerSource
{
    private readonly IAmazonS3 _s3;
    private readonly string _region;
    private readonly ConsumerRequestPacer _pacer;
    private readonly int _pageSize;

    public S3BucketEncryptionSource(IAmazonS3 s3, string region, ConsumerRequestPacer pacer, int pageSize = 1000)
    {
        ArgumentNullException.ThrowIfNull(s3);
        ArgumentNullException.ThrowIfNull(pacer);
        _pacer = pacer;
        ArgumentException.ThrowIfNullOrWhiteSpace(region);
        ArgumentOutOfRangeException.ThrowIfLessThan(pageSize, 1);
        _s3 = s3;
        _region = region;
        _pageSize = pageSize;
    }

    public string Name => "S3 buckets";

    public async IAsyncEnumerable<ConsumerFinding> ScanAsync([EnumeratorCancellation] CancellationToken ct)
    {
        string? token = null;
        do
        {
            await _pacer.WaitAsync(S3ConsumerNames.Service, "ListBuckets", ct);
            var page = await _s3.ListBucketsAsync(new ListBucketsRequest { BucketRegion = _region, MaxBuckets = _pageSize, ContinuationToken = token }, ct);
            foreach (var bucket in page.Buckets ?? [])
            {
                if (bucket.BucketRegion is { Length: > 0 } region && region != _region)
                {
                    yield return new ConsumerFinding.NotChecked(S3ConsumerNames.Bucket(bucket.BucketName, null), $"in Region {region}, not {_region}: scan that Region");
                    continue;
                }

                if (await ReadAsync(bucket.BucketName, ct) is { } finding)
                {
                    yield return finding;
                }
            }

            token = string.IsNullOrEmpty(page.ContinuationToken) ? null : page.ContinuationToken;
        }
        while (token is not null);
    }

    private async Task<ConsumerFinding?> ReadAsync(string bucket, CancellationToken ct)
    {
        ServerSideEncryptionConfiguration? configuration;
        try
        {
            await _pacer.WaitAsync(S3ConsumerNames.Service, "GetBucketEncryption", ct);
            configuration = (await _s3.GetBucketEncryptionAsync(new GetBucketEncryptionRequest { BucketName = bucket }, ct)).ServerSideEncryptionConfiguration;
        }
        catch (AmazonS3Exception ex) when (ex.ErrorCode is "ServerSideEncryptionConfigurationNotFoundError" or "NoSuchBucket")
        {
            // No default encryption (S3 then encrypts with SSE-S3), or the bucket was deleted since the listing.
            return null;
        }
        catch (AmazonS3Exception ex)
        {
            return new ConsumerFinding.NotChecked(S3ConsumerNames.Bucket(bucket, null), S3Errors.Reason(ex, "GetBucketEncryption", "s3:GetEncryptionConfiguration"));
        }

        var key = KmsRule(configuration)?.ServerSideEncryptionByDefault.ServerSideEncryptionKeyManagementServiceKeyId;
        return string.IsNullOrEmpty(key) ? null : new ConsumerFinding.Found(S3ConsumerNames.Bucket(bucket, key));
    }

    /// <summary>The configuration's SSE-KMS or DSSE-KMS rule (S3 keeps one rule); null when it has none.</summary>
    internal static ServerSideEncryptionRule? KmsRule(ServerSideEncryptionConfiguration? configuration) =>
        configuration?.ServerSideEncryptionRules?.FirstOrDefault(r => S3ConsumerNames.IsKms(r.ServerSideEncryptionByDefault?.ServerSideEncryptionAlgorithm?.Value));
}
