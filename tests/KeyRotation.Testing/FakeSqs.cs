using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace KeyRotation.Testing;

/// <summary>
/// An SQS queue with a redrive policy, as the continuation queue behaves: SendMessageBatch over HTTP on 127.0.0.1 in
/// the AWS JSON 1.0 protocol AWSSDK.SQS v4 speaks (X-Amz-Target AmazonSQS.SendMessageBatch, MD5 digests of body and
/// attributes, which the SDK checks), and the event source's side in process: receive a batch as the Lambda SQS event,
/// then delete what the function handled and, for the batchItemFailures, count a receive and move a message that
/// reached maxReceiveCount to the dead-letter queue. Started and stopped by the test.
/// </summary>
internal sealed class FakeSqs : IAsyncDisposable
{
    public const string QueueArn = "arn:aws:sqs:us-east-1:111122223333:key-rotation-ContinuationQueue";
    private readonly HttpListener _listener = new();
    private readonly Task _loop;
    private readonly Lock _gate = new();
    private readonly List<QueuedMessage> _queue = [];
    private readonly List<QueuedMessage> _deadLetters = [];

    public FakeSqs(int maxReceiveCount)
    {
        MaxReceiveCount = maxReceiveCount;
        using (var probe = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            Url = new Uri($"http://127.0.0.1:{((IPEndPoint)probe.LocalEndpoint).Port}/");
        }

        _listener.Prefixes.Add(Url.ToString());
        _listener.Start();
        _loop = Task.Run(ServeAsync);
    }

    /// <summary>The endpoint (AWS_ENDPOINT_URL_SQS); the queue's URL is <see cref="QueueUrl"/>.</summary>
    public Uri Url { get; }

    public Uri QueueUrl => new(Url, "111122223333/key-rotation-ContinuationQueue");

    public int MaxReceiveCount { get; }

    /// <summary>The X-Amz-Target of every request, in order.</summary>
    public List<string> Targets { get; } = [];

    public IReadOnlyList<QueuedMessage> Messages
    {
        get
        {
            lock (_gate)
            {
                return [.. _queue];
            }
        }
    }

    public IReadOnlyList<QueuedMessage> DeadLetters
    {
        get
        {
            lock (_gate)
            {
                return [.. _deadLetters];
            }
        }
    }

    /// <summary>Puts a message on the queue as another sender would (for example the same message a second time).</summary>
    public QueuedMessage Add(string body, IReadOnlyDictionary<string, string>? attributes = null, int delaySeconds = 0)
    {
        var message = new QueuedMessage(Guid.NewGuid().ToString(), body, attributes ?? new Dictionary<string, string>(), delaySeconds);
        lock (_gate)
        {
            _queue.Add(message);
        }

        return message;
    }

    /// <summary>Up to <paramref name="batchSize"/> messages, each receive counted, as the Lambda event the event source sends.</summary>
    public (string Event, IReadOnlyList<QueuedMessage> Batch) Receive(int batchSize = 10)
    {
        List<QueuedMessage> batch;
        lock (_gate)
        {
            batch = [.. _queue.Take(batchSize)];
            foreach (var message in batch)
            {
                message.ReceiveCount++;
            }
        }

        var records = new JsonArray([.. batch.Select(m => (JsonNode)new JsonObject
        {
            ["messageId"] = m.MessageId,
            ["receiptHandle"] = "handle-" + m.MessageId,
            ["body"] = m.Body,
            ["attributes"] = new JsonObject { ["ApproximateReceiveCount"] = m.ReceiveCount.ToString(System.Globalization.CultureInfo.InvariantCulture) },
            ["messageAttributes"] = new JsonObject(m.Attributes.Select(a => KeyValuePair.Create(a.Key, (JsonNode?)new JsonObject { ["stringValue"] = a.Value, ["dataType"] = "String" }))),
            ["md5OfBody"] = Md5(Encoding.UTF8.GetBytes(m.Body)),
            ["eventSource"] = "aws:sqs",
            ["eventSourceARN"] = QueueArn,
            ["awsRegion"] = "us-east-1",
        })]);
        return (new JsonObject { ["Records"] = records }.ToJsonString(), batch);
    }

    /// <summary>
    /// What the event source does with the function's answer: the batch's messages not named in batchItemFailures are
    /// deleted; the named ones stay, and move to the dead-letter queue once received <see cref="MaxReceiveCount"/> times.
    /// </summary>
    public void Complete(IReadOnlyList<QueuedMessage> batch, JsonElement answer)
    {
        var failed = answer.GetProperty("batchItemFailures").EnumerateArray().Select(f => f.GetProperty("itemIdentifier").GetString()!).ToHashSet(StringComparer.Ordinal);
        lock (_gate)
        {
            foreach (var message in batch)
            {
                if (!failed.Contains(message.MessageId))
                {
                    _queue.Remove(message);
                }
                else if (message.ReceiveCount >= MaxReceiveCount)
                {
                    _queue.Remove(message);
                    _deadLetters.Add(message);
                }
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        _listener.Close();
        await _loop;
    }

    /// <summary>The MD5 SQS returns for message attributes: sorted by name; name, type, transport byte and value, each length-prefixed.</summary>
    internal static string AttributesMd5(IReadOnlyDictionary<string, string> attributes)
    {
        using var bytes = new MemoryStream();
        void Write(string text)
        {
            var encoded = Encoding.UTF8.GetBytes(text);
            bytes.Write([(byte)(encoded.Length >> 24), (byte)(encoded.Length >> 16), (byte)(encoded.Length >> 8), (byte)encoded.Length]);
            bytes.Write(encoded);
        }

        foreach (var (name, value) in attributes.OrderBy(a => a.Key, StringComparer.Ordinal))
        {
            Write(name);
            Write("String");
            bytes.WriteByte(1);
            Write(value);
        }

        return Md5(bytes.ToArray());
    }

#pragma warning disable CA5351 // SQS's own digest of what it received, not a security use.
    private static string Md5(byte[] data) => Convert.ToHexStringLower(MD5.HashData(data));
#pragma warning restore CA5351

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

            var target = context.Request.Headers["X-Amz-Target"] ?? string.Empty;
            lock (_gate)
            {
                Targets.Add(target);
            }

            using var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8);
            var request = JsonNode.Parse(await reader.ReadToEndAsync())!.AsObject();
            var (status, answer) = target == "AmazonSQS.SendMessageBatch" && (string?)request[nameof(QueueUrl)] == QueueUrl.ToString()
                ? (200, SendBatch(request))
                : (400, new JsonObject { ["__type"] = "com.amazonaws.sqs#InvalidAddress", ["message"] = $"The double answers SendMessageBatch to {QueueUrl} only, not {target}." });
            context.Response.StatusCode = status;
            context.Response.ContentType = "application/x-amz-json-1.0";
            await context.Response.OutputStream.WriteAsync(Encoding.UTF8.GetBytes(answer.ToJsonString()));
            context.Response.Close();
        }
    }

    private JsonObject SendBatch(JsonObject request)
    {
        var successful = new JsonArray();
        foreach (var entry in request["Entries"]!.AsArray().Select(e => e!.AsObject()))
        {
            var attributes = entry["MessageAttributes"]?.AsObject().ToDictionary(a => a.Key, a => (string)a.Value!["StringValue"]!, StringComparer.Ordinal) ?? [];
            var message = Add((string)entry["MessageBody"]!, attributes, (int?)entry["DelaySeconds"] ?? 0);
            var result = new JsonObject { ["Id"] = (string?)entry["Id"], ["MessageId"] = message.MessageId, ["MD5OfMessageBody"] = Md5(Encoding.UTF8.GetBytes(message.Body)) };
            if (attributes.Count > 0)
            {
                result["MD5OfMessageAttributes"] = AttributesMd5(attributes);
            }

            successful.Add(result);
        }

        return new JsonObject { ["Successful"] = successful, ["Failed"] = new JsonArray() };
    }
}

/// <summary>One message on the queue (or in its dead-letter queue).</summary>
internal sealed record QueuedMessage(string MessageId, string Body, IReadOnlyDictionary<string, string> Attributes, int DelaySeconds)
{
    public int ReceiveCount { get; set; }
}
