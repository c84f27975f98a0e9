using System.Net;
using System.Net.Sockets;
using System.Text;

namespace KeyRotation.LocalKms;

/// <summary>
/// Loopback HTTP/1.1 endpoint (127.0.0.1 only) over a <see cref="LocalKmsService"/>, for the AWS CLI,
/// boto3 or any SDK via --endpoint-url. Signatures are not verified.
/// </summary>
public sealed class LocalKmsServer : IAsyncDisposable
{
    private readonly HttpListener _listener;
    private readonly LocalKmsService _service;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _acceptLoop;
    private readonly Action? _afterEachRequest;

    private LocalKmsServer(HttpListener listener, LocalKmsService service, int port, Action? afterEachRequest)
    {
        _listener = listener;
        _service = service;
        _afterEachRequest = afterEachRequest;
        Port = port;
        Url = new Uri($"http://127.0.0.1:{port}/");
        _acceptLoop = Task.Run(AcceptLoopAsync);
    }

    /// <summary>Port the server listens on.</summary>
    public int Port { get; }

    /// <summary>Endpoint URL to give clients, e.g. http://127.0.0.1:4566/.</summary>
    public Uri Url { get; }

    /// <summary>
    /// Starts listening on 127.0.0.1:<paramref name="port"/>; port 0 picks a free port. <paramref name="afterEachRequest"/>
    /// runs after each answered request, before the answer is sent (for example to save the state).
    /// </summary>
    /// <exception cref="LocalKmsPortInUseException">Another process holds the port.</exception>
    public static LocalKmsServer Start(LocalKmsService service, int port = 0, Action? afterEachRequest = null)
    {
        ArgumentNullException.ThrowIfNull(service);
        ArgumentOutOfRangeException.ThrowIfNegative(port);
        for (var attempt = 0; ; attempt++)
        {
            var chosen = port == 0 ? FreeLoopbackPort() : port;
            var listener = new HttpListener();
            listener.Prefixes.Add($"http://127.0.0.1:{chosen}/");
            try
            {
                listener.Start();
                return new LocalKmsServer(listener, service, chosen, afterEachRequest);
            }
            catch (HttpListenerException) when (port == 0 && attempt < 5)
            {
                // Another process took the probed port between probe and bind; probe again.
                listener.Close();
            }
            catch (HttpListenerException ex) when (port != 0)
            {
                listener.Close();
                throw new LocalKmsPortInUseException(port, ex);
            }
        }
    }

    /// <summary>Stops listening and waits for the accept loop to end.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        _listener.Stop();
        _listener.Close();
        try
        {
            await _acceptLoop;
        }
        catch (ObjectDisposedException)
        {
            // The listener was closed under a pending accept: that is how the loop ends.
        }

        _stopping.Dispose();
    }

    private static int FreeLoopbackPort()
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return port;
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stopping.IsCancellationRequested)
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

            _ = Task.Run(() => ServeAsync(context));
        }
    }

    private async Task ServeAsync(HttpListenerContext context)
    {
        var response = context.Response;
        try
        {
            var requestId = Guid.NewGuid().ToString();
            LocalKmsResponse result;
            if (context.Request.HttpMethod != "POST")
            {
                result = new LocalKmsResponse(404, "{\"__type\":\"UnknownOperationException\",\"message\":\"POST JSON 1.1 requests to /.\"}");
            }
            else
            {
                using var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8);
                var body = await reader.ReadToEndAsync(_stopping.Token);
                try
                {
                    result = await _service.HandleAsync(context.Request.Headers["X-Amz-Target"], body, context.Request.Headers["Authorization"], requestId, _stopping.Token);
                    _afterEachRequest?.Invoke();
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // Injected exceptions cannot cross the wire; the client sees an internal error.
                    result = new LocalKmsResponse(500, "{\"__type\":\"KMSInternalException\",\"message\":\"" + ex.GetType().Name + "\"}");
                }
            }

            var bytes = Encoding.UTF8.GetBytes(result.Body);
            response.StatusCode = result.StatusCode;
            response.ContentType = LocalKmsResponse.ContentType;
            response.Headers["x-amzn-RequestId"] = requestId;
            response.ContentLength64 = bytes.Length;
            await response.OutputStream.WriteAsync(bytes, _stopping.Token);
            response.Close();
        }
        catch (Exception ex) when (ex is OperationCanceledException or HttpListenerException or ObjectDisposedException or IOException)
        {
            response.Abort();
        }
    }
}

/// <summary>The port asked for is taken (or not allowed); <see cref="Exception.Message"/> says what to do.</summary>
public sealed class LocalKmsPortInUseException : Exception
{
    public LocalKmsPortInUseException(int port, Exception innerException)
        : base($"Port {port} on 127.0.0.1 is in use (or not allowed): stop what holds it, choose another with --port N, or use --port 0 for a free one.", innerException)
    {
        Port = port;
    }

    public LocalKmsPortInUseException()
    {
    }

    public LocalKmsPortInUseException(string message)
        : base(message)
    {
    }

    public LocalKmsPortInUseException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public int Port { get; }
}
