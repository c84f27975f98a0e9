using System.Net;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using KeyRotation.Core.KeyMaterial;
using KeyRotation.Integrations.Escrow;
using Moq;

namespace KeyRotation.Testing;

/// <summary>
/// An in-memory S3 behind <see cref="IAmazonS3"/> with the semantics the escrow relies on: PutObject with
/// If-None-Match "*" answers 412 PreconditionFailed when the object exists, GetObject of a missing key answers
/// 404 NoSuchKey, and a bucket can be made unwritable (403 AccessDenied). Every request is recorded; any other
/// S3 call fails the test (strict mock).
/// </summary>
internal sealed class InMemoryS3
{
    private readonly Lock _gate = new();

    public InMemoryS3(params string[] buckets)
    {
        foreach (var bucket in buckets)
        {
            Buckets.Add(bucket);
        }

        Mock.Setup(s => s.PutObjectAsync(It.IsAny<PutObjectRequest>(), It.IsAny<CancellationToken>()))
            .Returns((PutObjectRequest r, CancellationToken _) => Answer("PutObject", r, () => Put(r)));
        Mock.Setup(s => s.GetObjectAsync(It.IsAny<GetObjectRequest>(), It.IsAny<CancellationToken>()))
            .Returns((GetObjectRequest r, CancellationToken _) => Answer("GetObject", r, () => Get(r)));
    }

    public Mock<IAmazonS3> Mock { get; } = new(MockBehavior.Strict);

    public IAmazonS3 Object => Mock.Object;

    /// <summary>The real S3 escrow store over this double, as a deployment builds it, so the S3 requests are the real ones.</summary>
    public IEscrowStore Store => new S3EscrowStore(Object);

    public HashSet<string> Buckets { get; } = new(StringComparer.Ordinal);

    /// <summary>Stored objects by "bucket/key": body and the server-side encryption they were written with.</summary>
    public Dictionary<string, (byte[] Body, ServerSideEncryptionMethod? Sse)> Objects { get; } = new(StringComparer.Ordinal);

    /// <summary>Buckets whose writes answer 403 AccessDenied.</summary>
    public HashSet<string> Unwritable { get; } = new(StringComparer.Ordinal);

    /// <summary>The n-th call (1-based, per operation) throws this instead of answering, as a crash at that call.</summary>
    public Dictionary<(string Operation, int Nth), Exception> ThrowAt { get; } = [];

    public List<(string Operation, AmazonWebServiceRequest Request)> Calls { get; } = [];

    public IEnumerable<T> Requests<T>() => Calls.Select(c => c.Request).OfType<T>();

    public byte[] Body(string bucket, string key) => Objects[bucket + "/" + key].Body;

    private static AmazonS3Exception Error(string code, HttpStatusCode status, string message) =>
        new(message, null, ErrorType.Sender, code, "request-id", status);

    private Task<T> Answer<T>(string operation, AmazonWebServiceRequest request, Func<T> answer)
    {
        lock (_gate)
        {
            Calls.Add((operation, request));
            var nth = Calls.Count(c => c.Operation == operation);
            if (ThrowAt.TryGetValue((operation, nth), out var crash))
            {
                return Task.FromException<T>(crash);
            }

            try
            {
                return Task.FromResult(answer());
            }
            catch (AmazonS3Exception ex)
            {
                return Task.FromException<T>(ex);
            }
        }
    }

    private PutObjectResponse Put(PutObjectRequest request)
    {
        if (!Buckets.Contains(request.BucketName))
        {
            throw Error("NoSuchBucket", HttpStatusCode.NotFound, "The specified bucket does not exist");
        }

        if (Unwritable.Contains(request.BucketName))
        {
            throw Error("AccessDenied", HttpStatusCode.Forbidden, "Access Denied");
        }

        var name = request.BucketName + "/" + request.Key;
        if (request.IfNoneMatch == "*" && Objects.ContainsKey(name))
        {
            throw Error("PreconditionFailed", HttpStatusCode.PreconditionFailed, "At least one of the pre-conditions you specified did not hold");
        }

        using var copy = new MemoryStream();
        request.InputStream.CopyTo(copy);
        Objects[name] = (copy.ToArray(), request.ServerSideEncryptionMethod);
        return new PutObjectResponse { HttpStatusCode = HttpStatusCode.OK, ServerSideEncryptionMethod = request.ServerSideEncryptionMethod };
    }

    private GetObjectResponse Get(GetObjectRequest request)
    {
        if (!Buckets.Contains(request.BucketName))
        {
            throw Error("NoSuchBucket", HttpStatusCode.NotFound, "The specified bucket does not exist");
        }

        if (!Objects.TryGetValue(request.BucketName + "/" + request.Key, out var stored))
        {
            throw Error("NoSuchKey", HttpStatusCode.NotFound, "The specified key does not exist.");
        }

        return new GetObjectResponse
        {
            BucketName = request.BucketName,
            Key = request.Key,
            ResponseStream = new MemoryStream(stored.Body, writable: false),
            ServerSideEncryptionMethod = stored.Sse,
            HttpStatusCode = HttpStatusCode.OK,
        };
    }
}
