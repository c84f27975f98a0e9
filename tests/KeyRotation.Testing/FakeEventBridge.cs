using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;

namespace KeyRotation.Testing;

/// <summary>
/// A local PutEvents endpoint on 127.0.0.1 (a free port), for the tests that start it and dispose of it: it records
/// every request as sent (headers and body) and answers from a script: every entry put (the default), some entries
/// failed by position with an ErrorCode and ErrorMessage (FailedEntryCount), or the whole call refused.
/// </summary>
internal sealed class FakeEventBridge : IAsyncDisposable
{
    private readonly HttpListener _listener;
    private readonly Task _acceptLoop;
    private readonly ConcurrentQueue<Func<JsonArray, (int Status, string Body)>> _script = new();
    private readonly ConcurrentQueue<RecordedPut> _requests = new();

    private FakeEventBridge(HttpListener listener, int port)
    {
        _listener = listener;
        Url = new Uri($"http://127.0.0.1:{port}/");
        _acceptLoop = Task.Run(AcceptLoopAsync);
    }

    public Uri Url { get; }

    /// <summary>Every request, in the order they arrived.</summary>
    public IReadOnlyList<RecordedPut> Requests => [.. _requests];

    /// <summary>Every entry EventBridge accepted, in order.</summary>
    public List<JsonObject> Accepted { get; } = [];

    public static FakeEventBridge Start()
    {
        for (var attempt = 0; ; attempt++)
        {
            var probe = new TcpListener(IPAddress.Loopback, 0);
            probe.Start();
            var port = ((IPEndPoint)probe.LocalEndpoint).Port;
            probe.Stop();
            var listener = new HttpListener();
            listener.Prefixes.Add($"http://127.0.0.1:{port}/");
            try
            {
                listener.Start();
                return new FakeEventBridge(listener, port);
            }
            catch (HttpListenerException) when (attempt < 5)
            {
                listener.Close();
            }
        }
    }

    /// <summary>The next call fails the entries at <paramref name="positions"/> (in that call) with <paramref name="errorCode"/>; the others are put.</summary>
    public FakeEventBridge ThenFailEntries(string errorCode, params int[] positions)
    {
        _script.Enqueue(entries =>
        {
            var answer = new JsonArray();
            for (var i = 0; i < entries.Count; i++)
            {
                if (positions.Contains(i))
                {
                    answer.Add(new JsonObject { ["ErrorCode"] = errorCode, ["ErrorMessage"] = $"{errorCode} for entry {i}" });
                }
                else
                {
                    Accept(entries[i]!.AsObject());
                    answer.Add(new JsonObject { ["EventId"] = Guid.NewGuid().ToString() });
                }
            }

            return (200, new JsonObject { ["FailedEntryCount"] = positions.Count(p => p < entries.Count), ["Entries"] = answer }.ToJsonString());
        });
        return this;
    }

    /// <summary>The next call is refused as a whole with HTTP <paramref name="status"/> and the JSON 1.1 error <paramref name="type"/>.</summary>
    public FakeEventBridge ThenRefuse(int status, string type, string message)
    {
        _script.Enqueue(_ => (status, new JsonObject { ["__type"] = type, ["message"] = message }.ToJsonString()));
        return this;
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        _listener.Close();
        try
        {
            await _acceptLoop;
        }
        catch (ObjectDisposedException)
        {
            // Closed under a pending accept: how the loop ends.
        }
    }

    private void Accept(JsonObject entry)
    {
        lock (Accepted)
        {
            Accepted.Add(entry.DeepClone().AsObject());
        }
    }

    private async Task AcceptLoopAsync()
    {
        while (true)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            await ServeAsync(context);
        }
    }

    private async Task ServeAsync(HttpListenerContext context)
    {
        using var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8);
        var body = await reader.ReadToEndAsync();
        var headers = context.Request.Headers.AllKeys.OfType<string>().ToDictionary(k => k, k => context.Request.Headers[k] ?? string.Empty, StringComparer.OrdinalIgnoreCase);
        _requests.Enqueue(new RecordedPut(context.Request.HttpMethod, headers, body));
        var entries = JsonNode.Parse(body)?["Entries"]?.AsArray() ?? [];
        var (status, answer) = _script.TryDequeue(out var next) ? next(entries) : PutAll(entries);
        var bytes = Encoding.UTF8.GetBytes(answer);
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/x-amz-json-1.1";
        context.Response.Headers["x-amzn-RequestId"] = Guid.NewGuid().ToString();
        await context.Response.OutputStream.WriteAsync(bytes);
        context.Response.Close();
    }

    private (int, string) PutAll(JsonArray entries)
    {
        foreach (var entry in entries)
        {
            Accept(entry!.AsObject());
        }

        return (200, new JsonObject { ["FailedEntryCount"] = 0, ["Entries"] = new JsonArray([.. entries.Select(_ => (JsonNode)new JsonObject { ["EventId"] = Guid.NewGuid().ToString() })]) }.ToJsonString());
    }
}

/// <summary>One request as the endpoint received it.</summary>
internal sealed record RecordedPut(string Method, IReadOnlyDictionary<string, string> Headers, string Body)
{
    public JsonArray Entries => JsonNode.Parse(Body)![nameof(Entries)]!.AsArray();
}
