using System.Net;
using System.Text;

namespace KeyRotation.Integrations.Tests.Notifications;

/// <summary>A fake SNS endpoint: records every request (headers and body as sent) and answers from a script.</summary>
internal sealed class RecordingHttpHandler : HttpMessageHandler
{
    private readonly Queue<Func<HttpResponseMessage>> _script = new();
    private Func<HttpResponseMessage>? _always;

    public List<RecordedRequest> Requests { get; } = [];

    public RecordingHttpHandler Then(HttpStatusCode status, string body)
    {
        _script.Enqueue(() => Xml(status, body));
        return this;
    }

    public RecordingHttpHandler ThenThrow(Exception exception)
    {
        _script.Enqueue(() => throw exception);
        return this;
    }

    public RecordingHttpHandler Always(HttpStatusCode status, string body)
    {
        _always = () => Xml(status, body);
        return this;
    }

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var headers = request.Headers
            .Concat(request.Content?.Headers ?? Enumerable.Empty<KeyValuePair<string, IEnumerable<string>>>())
            .ToDictionary(h => h.Key, h => string.Join(",", h.Value), StringComparer.OrdinalIgnoreCase);
        var body = request.Content is null ? string.Empty : request.Content.ReadAsStringAsync(cancellationToken).GetAwaiter().GetResult();
        Requests.Add(new RecordedRequest(request.Method, request.RequestUri!, headers, body));

        var next = _script.Count > 0 ? _script.Dequeue() : _always ?? throw new InvalidOperationException("No response scripted.");
        return Task.FromResult(next());
    }

    private static HttpResponseMessage Xml(HttpStatusCode status, string body) =>
        new(status) { Content = new StringContent(body, Encoding.UTF8, "text/xml") };
}

internal sealed record RecordedRequest(HttpMethod Method, Uri Uri, IReadOnlyDictionary<string, string> Headers, string Body)
{
    public IReadOnlyList<KeyValuePair<string, string>> FormFields() =>
        Body.Split('&')
            .Select(pair => pair.Split('=', 2))
            .Select(kv => KeyValuePair.Create(Uri.UnescapeDataString(kv[0]), Uri.UnescapeDataString(kv[1])))
            .ToList();
}
