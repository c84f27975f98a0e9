using System.Net;
using System.Text;

namespace KeyRotation.LocalConsumers.S3;

/// <summary>
/// One request <see cref="LocalS3Server"/> received: the operation it names (by method, path and subresource, as the S3
/// API reference routes them), the bucket and key from the path-style URL, the query, the headers (names lower-cased)
/// and the body (aws-chunked bodies decoded).
/// </summary>
internal sealed record LocalS3Call(
    string Operation,
    string Method,
    string Path,
    string? Bucket,
    string? Key,
    IReadOnlyDictionary<string, string> Query,
    IReadOnlyDictionary<string, string> Headers,
    string Body)
{
    public string? Header(string name) => Headers.TryGetValue(name.ToLowerInvariant(), out var value) ? value : null;

    public string? QueryValue(string name) => Query.TryGetValue(name, out var value) ? value : null;

    public static async Task<LocalS3Call> ReadAsync(HttpListenerRequest request)
    {
        var raw = request.RawUrl ?? "/";
        var question = raw.IndexOf('?', StringComparison.Ordinal);
        var path = question < 0 ? raw : raw[..question];
        var query = (question < 0 ? string.Empty : raw[(question + 1)..])
            .Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.Split('=', 2))
            .ToDictionary(p => Uri.UnescapeDataString(p[0]), p => p.Length > 1 ? Uri.UnescapeDataString(p[1]) : string.Empty, StringComparer.Ordinal);
        var segments = path.TrimStart('/').Split('/', 2);
        var bucket = segments[0].Length == 0 ? null : Uri.UnescapeDataString(segments[0]);
        var key = segments.Length > 1 && segments[1].Length > 0 ? Uri.UnescapeDataString(segments[1]) : null;
        var headers = request.Headers.AllKeys.Where(k => k is not null).ToDictionary(k => k!.ToLowerInvariant(), k => request.Headers[k]!, StringComparer.Ordinal);
        using var reader = new StreamReader(request.InputStream, Encoding.UTF8);
        var body = await reader.ReadToEndAsync();
        if ((headers.TryGetValue("x-amz-content-sha256", out var sha) && sha.StartsWith("STREAMING-", StringComparison.Ordinal))
            || (headers.TryGetValue("content-encoding", out var encoding) && encoding.Contains("aws-chunked", StringComparison.Ordinal)))
        {
            body = Unchunk(body);
        }

        var operation = OperationOf(request.HttpMethod, bucket, key, query, headers);
        return new LocalS3Call(operation, request.HttpMethod, path, bucket, key, query, headers, body);
    }

    private static string OperationOf(string method, string? bucket, string? key, Dictionary<string, string> query, Dictionary<string, string> headers) =>
        (method, bucket is null, key is null) switch
        {
            ("GET", true, _) => "ListBuckets",
            ("GET", false, true) when query.ContainsKey("encryption") => "GetBucketEncryption",
            ("PUT", false, true) when query.ContainsKey("encryption") => "PutBucketEncryption",
            ("GET", false, true) when query.ContainsKey("versioning") => "GetBucketVersioning",
            ("GET", false, true) when query.TryGetValue("list-type", out var type) && type == "2" => "ListObjectsV2",
            ("HEAD", false, false) => "HeadObject",
            ("GET", false, false) when query.ContainsKey("acl") => "GetObjectAcl",
            ("PUT", false, false) when query.ContainsKey("acl") => "PutObjectAcl",
            ("GET", false, false) when query.ContainsKey("tagging") => "GetObjectTagging",
            ("POST", false, false) when query.ContainsKey("uploads") => "CreateMultipartUpload",
            ("PUT", false, false) when query.ContainsKey("uploadId") && headers.ContainsKey("x-amz-copy-source") => "UploadPartCopy",
            ("POST", false, false) when query.ContainsKey("uploadId") => "CompleteMultipartUpload",
            ("DELETE", false, false) when query.ContainsKey("uploadId") => "AbortMultipartUpload",
            ("GET", false, true) when query.ContainsKey("uploads") => "ListMultipartUploads",
            ("PUT", false, false) when headers.ContainsKey("x-amz-copy-source") => "CopyObject",
            _ => $"{method} (not implemented)",
        };

    /// <summary>An aws-chunked body: "size-in-hex[;chunk-signature=...]\r\n" then the data, until a chunk of size 0 (trailers after it are dropped).</summary>
    private static string Unchunk(string body)
    {
        var result = new StringBuilder();
        var at = 0;
        while (at < body.Length)
        {
            var lineEnd = body.IndexOf("\r\n", at, StringComparison.Ordinal);
            var size = Convert.ToInt32(body[at..lineEnd].Split(';')[0], 16);
            if (size == 0)
            {
                break;
            }

            result.Append(body, lineEnd + 2, size);
            at = lineEnd + 2 + size + 2;
        }

        return result.ToString();
    }
}
