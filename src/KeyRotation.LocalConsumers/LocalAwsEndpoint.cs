using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using System.Web;

namespace KeyRotation.LocalConsumers;

/// <summary>One request a local endpoint answered: its operation (X-Amz-Target's, or the Query protocol's Action) and its body.</summary>
internal sealed record RecordedRequest(string Operation, string Body)
{
    /// <summary>A JSON protocol's request body.</summary>
    public JsonObject Json => JsonNode.Parse(Body)!.AsObject();

    /// <summary>A Query protocol's form fields (Action=DescribeVolumes&amp;Version=...).</summary>
    public IReadOnlyDictionary<string, string> Form
    {
        get
        {
            var fields = HttpUtility.ParseQueryString(Body);
            return fields.AllKeys.OfType<string>().ToDictionary(k => k, k => fields[k]!, StringComparer.Ordinal);
        }
    }
}

/// <summary>An answer: status, content type and body.</summary>
internal sealed record EndpointAnswer(int Status, string ContentType, string Body);

/// <summary>
/// An AWS service endpoint on 127.0.0.1 (a free port) that the test starts and disposes: it records every request in
/// order and answers it through <see cref="AnswerAsync"/>. <see cref="BeforeAnswer"/> runs first, for a test that
/// stops its run at a given request (a migration killed halfway).
/// </summary>
internal abstract class LocalAwsEndpoint : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Task _loop;
    private readonly Lock _gate = new();
    private readonly List<RecordedRequest> _requests = [];

    protected LocalAwsEndpoint()
    {
        Url = LoopbackListener.Start(_listener);
        _loop = Task.Run(ServeAsync);
    }

    /// <summary>The endpoint, for AWS_ENDPOINT_URL_&lt;SERVICE&gt; or a client's ServiceURL.</summary>
    public Uri Url { get; }

    /// <summary>Called with each request before it is answered (and after it was recorded).</summary>
    public Action<RecordedRequest>? BeforeAnswer { get; set; }

    public IReadOnlyList<RecordedRequest> Requests
    {
        get
        {
            lock (_gate)
            {
                return [.. _requests];
            }
        }
    }

    /// <summary>The operations of every request, in order.</summary>
    public IReadOnlyList<string> Operations => [.. Requests.Select(r => r.Operation)];

    /// <summary>The requests of one operation, in order.</summary>
    public IReadOnlyList<RecordedRequest> Of(string operation) => [.. Requests.Where(r => r.Operation == operation)];

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        _listener.Close();
        await _loop;
        GC.SuppressFinalize(this);
    }

    /// <summary>The operation of a request: the X-Amz-Target after its dot, or the Action of a Query body.</summary>
    protected virtual string OperationOf(HttpListenerRequest request, string body)
    {
        ArgumentNullException.ThrowIfNull(request);
        var target = request.Headers["X-Amz-Target"];
        return target is not null ? target[(target.IndexOf('.', StringComparison.Ordinal) + 1)..] : HttpUtility.ParseQueryString(body)["Action"] ?? string.Empty;
    }

    protected abstract Task<EndpointAnswer> AnswerAsync(RecordedRequest request);

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
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

            try
            {
                using var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8);
                var body = await reader.ReadToEndAsync();
                var request = new RecordedRequest(OperationOf(context.Request, body), body);
                lock (_gate)
                {
                    _requests.Add(request);
                }

                BeforeAnswer?.Invoke(request);
                var answer = await AnswerAsync(request);
                context.Response.StatusCode = answer.Status;
                context.Response.ContentType = answer.ContentType;
                context.Response.Headers["x-amzn-RequestId"] = Guid.NewGuid().ToString();
                await context.Response.OutputStream.WriteAsync(Encoding.UTF8.GetBytes(answer.Body));
                context.Response.Close();
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or IOException)
            {
                // The client went away (a cancelled run): nothing to answer.
            }
        }
    }
}
