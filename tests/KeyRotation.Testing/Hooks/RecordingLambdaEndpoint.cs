using System.Collections.Concurrent;
using System.Net;
using System.Text;

namespace KeyRotation.Testing.Hooks;

/// <summary>
/// A Lambda Invoke endpoint on 127.0.0.1 that the tests start and stop (the Lambda client's tests and the CLI's): records
/// every request (method, path as sent, headers, body) and answers each with the next scripted response (status,
/// headers, body). Its Authorization headers show the identity and Region each invocation was signed with.
/// </summary>
internal sealed class RecordingLambdaEndpoint : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly ConcurrentQueue<(HttpStatusCode Status, Dictionary<string, string> Headers, string Body)> _script = new();
    private readonly Task _loop;

    public RecordingLambdaEndpoint()
    {
        using (var probe = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            Url = new Uri($"http://127.0.0.1:{((IPEndPoint)probe.LocalEndpoint).Port}/");
        }

        _listener.Prefixes.Add(Url.ToString());
        _listener.Start();
        _loop = Task.Run(ServeAsync);
    }

    public Uri Url { get; }

    public ConcurrentQueue<(string Method, string RawPath, Dictionary<string, string> Headers, string Body)> Requests { get; } = new();

    public RecordingLambdaEndpoint Then(HttpStatusCode status, string body, params (string Name, string Value)[] headers)
    {
        _script.Enqueue((status, headers.ToDictionary(h => h.Name, h => h.Value, StringComparer.OrdinalIgnoreCase), body));
        return this;
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        _listener.Close();
        await _loop;
    }

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

            using var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8);
            var headers = context.Request.Headers.AllKeys.Where(k => k is not null).ToDictionary(k => k!, k => context.Request.Headers[k]!, StringComparer.OrdinalIgnoreCase);
            Requests.Enqueue((context.Request.HttpMethod, context.Request.RawUrl ?? string.Empty, headers, await reader.ReadToEndAsync()));
            var (status, answerHeaders, body) = _script.TryDequeue(out var next) ? next : (HttpStatusCode.InternalServerError, new Dictionary<string, string>(), """{"message":"nothing scripted"}""");
            context.Response.StatusCode = (int)status;
            foreach (var (name, value) in answerHeaders)
            {
                context.Response.Headers[name] = value;
            }

            var bytes = Encoding.UTF8.GetBytes(body);
            await context.Response.OutputStream.WriteAsync(bytes);
            context.Response.Close();
        }
    }
}
