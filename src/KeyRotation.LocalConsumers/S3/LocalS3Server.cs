using System.Net;
using System.Text;
using System.Xml.Linq;

namespace KeyRotation.LocalConsumers.S3;

/// <summary>
/// An S3 endpoint on 127.0.0.1 for the consumer inventory and migration tests, addressed path-style
/// (http://127.0.0.1:port/bucket/key, ForcePathStyle on the client), started and stopped by the test. It answers the REST
/// XML shapes, headers and errors of the S3 API reference for ListBuckets, GetBucketEncryption, PutBucketEncryption,
/// GetBucketVersioning, ListObjectsV2, HeadObject, GetObjectAcl, PutObjectAcl, GetObjectTagging, CopyObject and the
/// multipart copy (CreateMultipartUpload, UploadPartCopy, CompleteMultipartUpload, AbortMultipartUpload,
/// ListMultipartUploads), and
/// records every request so tests assert the exact requests. Signatures are not checked. Requests are served one at a
/// time, in order. (InMemoryS3 is the escrow's Moq double; this is the wire-level one.)
/// </summary>
internal sealed partial class LocalS3Server : IAsyncDisposable
{
    /// <summary>The canonical user id of the account that owns every bucket.</summary>
    public const string OwnerId = "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be";

    private static readonly XNamespace S3 = "http://s3.amazonaws.com/doc/2006-03-01/";
    private readonly HttpListener _listener = new();
    private readonly Task _loop;
    private readonly Lock _gate = new();
    private readonly List<LocalS3Call> _calls = [];
    private readonly Dictionary<string, LocalS3Bucket> _buckets = new(StringComparer.Ordinal);
    private int _writes;

    public LocalS3Server()
    {
        Url = LoopbackListener.Start(_listener);
        _loop = Task.Run(ServeAsync);
    }

    /// <summary>The endpoint (AWS_ENDPOINT_URL_S3, or the client's ServiceURL).</summary>
    public Uri Url { get; }

    /// <summary>
    /// Runs before a request is handled: a test changes the store there (a concurrent write) or stops its run; a
    /// <see cref="LocalS3Error"/> it throws is the answer, and the request takes no effect.
    /// </summary>
    public Action<LocalS3Call>? OnCall { get; set; }

    /// <summary>
    /// Runs after a request took effect; true loses its answer: the client gets 500 InternalError instead, as when the
    /// answer does not reach it, and the SDK retries a request that already took effect.
    /// </summary>
    public Func<LocalS3Call, bool>? LoseAnswer { get; set; }

    /// <summary>Answers ListBuckets as if bucket-region were not sent, as some S3-compatible endpoints do.</summary>
    public bool IgnoreBucketRegion { get; set; }

    /// <summary>Every request, in order.</summary>
    public IReadOnlyList<LocalS3Call> Calls
    {
        get
        {
            lock (_gate)
            {
                return [.. _calls];
            }
        }
    }

    /// <summary>The requests of one operation ("CopyObject"), in order.</summary>
    public IReadOnlyList<LocalS3Call> CallsOf(string operation) => [.. Calls.Where(c => c.Operation == operation)];

    public LocalS3Bucket AddBucket(string name, string region = "us-east-1", LocalS3EncryptionRule? encryption = null, string versioning = "")
    {
        var bucket = new LocalS3Bucket(name, region) { Encryption = encryption is null ? null : [encryption], Versioning = versioning };
        lock (_gate)
        {
            _buckets.Add(name, bucket);
        }

        return bucket;
    }

    /// <summary>Writes an object as an application would (PutObject): a new version in a versioned bucket, else a replacement.</summary>
    public LocalS3Object Put(string bucket, LocalS3Object item)
    {
        lock (_gate)
        {
            return Write(BucketOrThrow(bucket), item);
        }
    }

    /// <summary>The current version of an object; null when there is none.</summary>
    public LocalS3Object? Current(string bucket, string key)
    {
        lock (_gate)
        {
            return _buckets[bucket].Objects.TryGetValue(key, out var versions) ? versions[^1] : null;
        }
    }

    /// <summary>Every version of an object, oldest first.</summary>
    public IReadOnlyList<LocalS3Object> Versions(string bucket, string key)
    {
        lock (_gate)
        {
            return _buckets[bucket].Objects.TryGetValue(key, out var versions) ? [.. versions] : [];
        }
    }

    public IReadOnlyList<LocalS3EncryptionRule>? EncryptionOf(string bucket)
    {
        lock (_gate)
        {
            return _buckets[bucket].Encryption;
        }
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        _listener.Close();
        await _loop;
    }

    private LocalS3Object Write(LocalS3Bucket bucket, LocalS3Object item)
    {
        _writes++;
        var versioned = bucket.Versioning == "Enabled";
        var written = item with
        {
            VersionId = versioned ? $"v{_writes:D4}" : null,
            ETag = item.ETag.Length > 0 ? item.ETag : $"\"{Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes($"{bucket.Name}/{item.Key}#{_writes}")))[..32]}\"",
            LastModified = $"Tue, 01 Dec 2026 {_writes / 3600 % 24:D2}:{_writes / 60 % 60:D2}:{_writes % 60:D2} GMT",
        };
        if (!bucket.Objects.TryGetValue(item.Key, out var versions) || !versioned)
        {
            versions = [];
            bucket.Objects[item.Key] = versions;
        }

        versions.Add(written);
        return written;
    }

    private LocalS3Bucket BucketOrThrow(string name) =>
        _buckets.TryGetValue(name, out var bucket) ? bucket : throw new LocalS3Error(404, "NoSuchBucket", "The specified bucket does not exist", name);

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException)
            {
                return;
            }

            await AnswerAsync(context);
        }
    }

    private async Task AnswerAsync(HttpListenerContext context)
    {
        var call = await LocalS3Call.ReadAsync(context.Request);
        lock (_gate)
        {
            _calls.Add(call);
        }

        var response = context.Response;
        try
        {
            OnCall?.Invoke(call);
            LocalS3Answer answer;
            lock (_gate)
            {
                answer = Handle(call);
            }

            if (LoseAnswer?.Invoke(call) == true)
            {
                throw new LocalS3Error(500, "InternalError", "We encountered an internal error. Please try again.");
            }

            await WriteAsync(response, call, answer.Status, answer.Headers, answer.Body);
        }
        catch (LocalS3Error error)
        {
            var body = new XElement("Error", new XElement("Code", error.Code), new XElement("Message", error.Message), error.Extra, new XElement("RequestId", "4442587FB7D0A2F9"), new XElement("HostId", "local"));
            await WriteAsync(response, call, error.Status, [], body);
        }
    }

    private static async Task WriteAsync(HttpListenerResponse response, LocalS3Call call, int status, IEnumerable<KeyValuePair<string, string>> headers, XElement? body)
    {
        response.StatusCode = status;
        response.Headers["x-amz-request-id"] = "4442587FB7D0A2F9";
        foreach (var (name, value) in headers)
        {
            switch (name)
            {
                case "Content-Length":
                    response.ContentLength64 = long.Parse(value, System.Globalization.CultureInfo.InvariantCulture);
                    break;
                case "Content-Type":
                    response.ContentType = value;
                    break;
                default:
                    response.Headers[name] = value;
                    break;
            }
        }

        if (call.Method == "HEAD" || body is null)
        {
            response.Close();
            return;
        }

        var bytes = Encoding.UTF8.GetBytes("<?xml version=\"1.0\" encoding=\"UTF-8\"?>" + body.ToString(SaveOptions.DisableFormatting));
        response.ContentType = "application/xml";
        response.ContentLength64 = bytes.Length;
        await response.OutputStream.WriteAsync(bytes);
        response.Close();
    }

    private LocalS3Answer Handle(LocalS3Call call)
    {
        var bucket = call.Bucket is null ? null : BucketOrThrow(call.Bucket);
        if (bucket is not null && bucket.Denied.Contains(call.Operation))
        {
            throw new LocalS3Error(403, "AccessDenied", "Access Denied");
        }

        return call.Operation switch
        {
            "ListBuckets" => ListBuckets(call),
            "GetBucketEncryption" => GetBucketEncryption(bucket!),
            "PutBucketEncryption" => PutBucketEncryption(bucket!, call),
            "GetBucketVersioning" => GetBucketVersioning(bucket!),
            "ListObjectsV2" => ListObjectsV2(bucket!, call),
            "HeadObject" => HeadObject(bucket!, call),
            "GetObjectAcl" => GetObjectAcl(bucket!, call),
            "PutObjectAcl" => PutObjectAcl(bucket!, call),
            "GetObjectTagging" => GetObjectTagging(bucket!, call),
            "CopyObject" => CopyObject(bucket!, call),
            "CreateMultipartUpload" => CreateMultipartUpload(bucket!, call),
            "UploadPartCopy" => UploadPartCopy(bucket!, call),
            "CompleteMultipartUpload" => CompleteMultipartUpload(bucket!, call),
            "AbortMultipartUpload" => AbortMultipartUpload(bucket!, call),
            "ListMultipartUploads" => ListMultipartUploads(bucket!, call),
            _ => throw new LocalS3Error(501, "NotImplemented", $"LocalS3Server does not implement {call.Method} {call.Path}."),
        };
    }

    private static LocalS3Object ObjectOrThrow(LocalS3Bucket bucket, string key, string? versionId)
    {
        if (!bucket.Objects.TryGetValue(key, out var versions))
        {
            throw new LocalS3Error(404, "NoSuchKey", "The specified key does not exist.", key: key);
        }

        return versionId is null ? versions[^1]
            : versions.SingleOrDefault(v => v.VersionId == versionId) ?? throw new LocalS3Error(404, "NoSuchVersion", "The specified version does not exist.", key: key);
    }

    private static XElement X(string name, params object?[] content) => new(S3 + name, content);

    private static LocalS3Answer Ok(XElement? body, params KeyValuePair<string, string>[] headers) => new(200, headers, body);
}
