using System.Net;
using Amazon.S3;
using Amazon.S3.Model;
using KeyRotation.Core.KeyMaterial;

namespace KeyRotation.Integrations.Escrow;

/// <summary>
/// The escrow store over S3: a write is a PutObject with If-None-Match "*" (S3 answers 412 PreconditionFailed rather
/// than overwrite), and a missing object is S3's 404. Other S3 errors pass through for the caller to translate.
/// </summary>
public sealed class S3EscrowStore : IEscrowStore
{
    private readonly IAmazonS3 _s3;

    public S3EscrowStore(IAmazonS3 s3)
    {
        ArgumentNullException.ThrowIfNull(s3);
        _s3 = s3;
    }

    /// <inheritdoc/>
    public async Task<bool> PutIfAbsentAsync(string bucket, string objectKey, byte[] body, CancellationToken cancellationToken)
    {
        try
        {
            await _s3.PutObjectAsync(
                new PutObjectRequest
                {
                    BucketName = bucket,
                    Key = objectKey,
                    InputStream = new MemoryStream(body, writable: false),
                    ContentType = "application/json",
                    ServerSideEncryptionMethod = ServerSideEncryptionMethod.AES256,
                    IfNoneMatch = "*",
                },
                cancellationToken);
            return true;
        }
        catch (AmazonS3Exception ex) when (ex.StatusCode == HttpStatusCode.PreconditionFailed)
        {
            return false;
        }
    }

    /// <inheritdoc/>
    public async Task<byte[]?> GetAsync(string bucket, string objectKey, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await _s3.GetObjectAsync(new GetObjectRequest { BucketName = bucket, Key = objectKey }, cancellationToken);
            using var copy = new MemoryStream();
            await response.ResponseStream.CopyToAsync(copy, cancellationToken);
            return copy.ToArray();
        }
        catch (AmazonS3Exception ex) when (ex.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    /// <inheritdoc/>
    public async Task<bool> ExistsAsync(string bucket, string objectKey, CancellationToken cancellationToken)
    {
        try
        {
            // GetObject rather than HeadObject: the role's escrow read permission (s3:GetObject) covers both, and the
            // escrow copy is a small JSON document.
            using (await _s3.GetObjectAsync(new GetObjectRequest { BucketName = bucket, Key = objectKey }, cancellationToken))
            {
                return true;
            }
        }
        catch (AmazonS3Exception ex) when (ex.StatusCode == HttpStatusCode.NotFound)
        {
            return false;
        }
    }
}
