using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Web;

namespace KeyRotation.Testing;

/// <summary>
/// An SNS double that answers the Query API's Publish as SNS does, records each message, and can refuse
/// (an SNS XML error) or crash (an exception out of the HTTP call) on cue. Used in process as an
/// HttpMessageHandler, or over HTTP on 127.0.0.1 through <see cref="FakeSnsServer"/>.
/// </summary>
internal sealed class FakeSns : HttpMessageHandler
{
    private readonly Lock _gate = new();
    private int _messageCount;

    public List<Dictionary<string, string>> Published { get; } = [];

    /// <summary>The Authorization header of every request that reached the server.</summary>
    public ConcurrentQueue<string> Authorizations { get; } = new();

    /// <summary>When set, every Publish is refused with this SNS error code (HTTP 403 for AuthorizationError, else 400).</summary>
    public string? RefuseWith { get; set; }

    /// <summary>When set, the next Publish throws this exception out of the HTTP call (once).</summary>
    public Exception? CrashNext { get; set; }

    public IReadOnlyList<Dictionary<string, string>> Snapshot()
    {
        lock (_gate)
        {
            return [.. Published];
        }
    }

    /// <summary>Answers one form-encoded Publish request: status code and XML body.</summary>
    public (HttpStatusCode Status, string Body) Answer(string form)
    {
        var fields = HttpUtility.ParseQueryString(form);
        var values = fields.AllKeys.Where(k => k is not null).ToDictionary(k => k!, k => fields[k]!, StringComparer.Ordinal);
        lock (_gate)
        {
            if (CrashNext is { } crash)
            {
                CrashNext = null;
                throw crash;
            }

            if (RefuseWith is { } code)
            {
                var status = code == "AuthorizationError" ? HttpStatusCode.Forbidden : HttpStatusCode.BadRequest;
                return (status, $"<ErrorResponse xmlns=\"http://sns.amazonaws.com/doc/2010-03-31/\"><Error><Type>Sender</Type><Code>{code}</Code><Message>Refused by the test</Message></Error><RequestId>req-1</RequestId></ErrorResponse>");
            }

            Published.Add(values);
            var id = $"msg-{++_messageCount}";
            return (HttpStatusCode.OK, $"<PublishResponse xmlns=\"http://sns.amazonaws.com/doc/2010-03-31/\"><PublishResult><MessageId>{id}</MessageId></PublishResult><ResponseMetadata><RequestId>req-{id}</RequestId></ResponseMetadata></PublishResponse>");
        }
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var form = request.Content is null ? string.Empty : await request.Content.ReadAsStringAsync(cancellationToken);
        var (status, body) = Answer(form);
        return new HttpResponseMessage(status) { Content = new StringContent(body, Encoding.UTF8, "text/xml") };
    }
}

/// <summary><see cref="FakeSns"/> served on 127.0.0.1 for clients built from the environment.</summary>
internal sealed class FakeSnsServer : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Task _loop;

    public FakeSnsServer(FakeSns sns)
    {
        var port = FreePort();
        Url = new Uri($"http://127.0.0.1:{port}/");
        _listener.Prefixes.Add(Url.ToString());
        _listener.Start();
        _loop = Task.Run(async () =>
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

                sns.Authorizations.Enqueue(context.Request.Headers["Authorization"] ?? string.Empty);
                using var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8);
                var (status, body) = sns.Answer(await reader.ReadToEndAsync());
                context.Response.StatusCode = (int)status;
                var bytes = Encoding.UTF8.GetBytes(body);
                await context.Response.OutputStream.WriteAsync(bytes);
                context.Response.Close();
            }
        });
    }

    public Uri Url { get; }

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        _listener.Close();
        await _loop;
    }

    private static int FreePort()
    {
        using var socket = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        socket.Start();
        return ((IPEndPoint)socket.LocalEndpoint).Port;
    }
}
