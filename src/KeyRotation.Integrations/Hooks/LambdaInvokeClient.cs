using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Amazon.Runtime;
using KeyRotation.Core.Hooks;

namespace KeyRotation.Integrations.Hooks;

/// <summary>
/// Lambda's Invoke (REST JSON: POST /2015-03-31/functions/{FunctionName}/invocations), standing in for AWSSDK.Lambda,
/// which this project's package source does not serve. Signed by the shared signer (signing name lambda) for the
/// function's own Region; sent to AWS_ENDPOINT_URL_LAMBDA, AWS_ENDPOINT_URL or that Region's endpoint. A synchronous
/// invocation asks for the log tail (X-Amz-Log-Type: Tail) and returns it decoded; a function error
/// (X-Amz-Function-Error) is an answer, not an exception, because the function ran. Nothing is retried: a throttled or
/// failed pre-move test leaves the alias where it is and the next run asks again.
/// </summary>
public sealed class LambdaInvokeClient : IHookFunctions
{
    internal const string SigningName = "lambda";
    internal const string JsonContentType = "application/json";

    /// <summary>
    /// One connection pool for hook invocations, without HttpClient's own timeout: a pre-move hook may take longer than
    /// the 20 seconds the other stand-ins allow, and its bound (MOVE_HOOK_TIMEOUT_SECONDS) comes with the token.
    /// </summary>
    private static readonly Lazy<HttpClient> SharedHttpClient = new(() => new HttpClient(
        new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
    {
        Timeout = Timeout.InfiniteTimeSpan,
    });

    private readonly HttpClient _http;
    private readonly Uri? _serviceUrl;
    private readonly Func<CancellationToken, Task<ImmutableCredentials>> _credentials;
    private readonly TimeProvider _time;

    /// <param name="serviceUrl">AWS_ENDPOINT_URL_LAMBDA or AWS_ENDPOINT_URL; null: the function's Region's public endpoint.</param>
    public LambdaInvokeClient(HttpClient http, Uri? serviceUrl, Func<CancellationToken, Task<ImmutableCredentials>> credentials, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(credentials);
        ArgumentNullException.ThrowIfNull(time);
        _http = http;
        _serviceUrl = serviceUrl;
        _credentials = credentials;
        _time = time;
    }

    /// <summary>The client for the function: its own pool, the SDK's default credentials chain, the system clock.</summary>
    public static LambdaInvokeClient CreateDefault(Uri? serviceUrl) =>
        new(SharedHttpClient.Value, serviceUrl, StandInTransport.DefaultCredentialsAsync, TimeProvider.System);

    /// <summary>
    /// The client for the CLI: its own pool, and the identity of the run's KMS client (--profile, --role-arn, a target's
    /// role), so a hook is invoked as the operator's command runs, not with whatever the default chain finds.
    /// </summary>
    public static LambdaInvokeClient Create(Uri? serviceUrl, Func<CancellationToken, Task<ImmutableCredentials>> credentials, TimeProvider time) =>
        new(SharedHttpClient.Value, serviceUrl, credentials, time);

    /// <summary>The URL an invocation of <paramref name="hook"/> is posted to: the full ARN (qualifier included) names the function.</summary>
    public Uri InvocationUri(MoveHookArn hook)
    {
        ArgumentNullException.ThrowIfNull(hook);
        var endpoint = _serviceUrl ?? new Uri($"https://lambda.{hook.Region}.{(hook.Region.StartsWith("cn-", StringComparison.Ordinal) ? "amazonaws.com.cn" : "amazonaws.com")}/");
        return new Uri(endpoint, $"/2015-03-31/functions/{Uri.EscapeDataString(hook.Value)}/invocations");
    }

    public async Task<HookAnswer> InvokeAsync(MoveHookArn hook, string payload, HookInvocation invocation, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(hook);
        ArgumentNullException.ThrowIfNull(payload);
        var body = Encoding.UTF8.GetBytes(payload);
        ImmutableCredentials credentials;
        try
        {
            credentials = await _credentials(ct) ?? throw new HookInvocationException($"No AWS credentials were available to invoke {hook}.");
        }
        catch (AmazonClientException ex)
        {
            throw new HookInvocationException($"AWS credentials to invoke {hook} could not be resolved: {ex.Message}", ex);
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, InvocationUri(hook));
        AwsRequestSigner.Sign(request, body, credentials, hook.Region, _time.GetUtcNow(), SigningName, JsonContentType, target: null);

        // Sent unsigned, as SigV4 allows (only Host and the X-Amz-Date and content hash it adds must be signed).
        request.Headers.TryAddWithoutValidation("X-Amz-Invocation-Type", invocation == HookInvocation.Event ? "Event" : "RequestResponse");
        if (invocation == HookInvocation.RequestResponse)
        {
            request.Headers.TryAddWithoutValidation("X-Amz-Log-Type", "Tail");
        }
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, ct);
        }
        catch (HttpRequestException ex)
        {
            throw new HookInvocationException($"the request to {request.RequestUri!.GetLeftPart(UriPartial.Authority)} did not complete: {ex.Message}", ex);
        }

        using (response)
        {
            var text = await response.Content.ReadAsStringAsync(ct);
            var expected = invocation == HookInvocation.Event ? HttpStatusCode.Accepted : HttpStatusCode.OK;
            if (response.StatusCode != expected)
            {
                throw ErrorFrom(response, text);
            }

            return new HookAnswer(text, Header(response, "X-Amz-Function-Error"), DecodeLog(Header(response, "X-Amz-Log-Result")));
        }
    }

    /// <summary>Lambda's error: its type (x-amzn-ErrorType, or the body's __type / Type) and message, with the HTTP status.</summary>
    private static HookInvocationException ErrorFrom(HttpResponseMessage response, string body)
    {
        string? type = Header(response, "x-amzn-ErrorType")?.Split(':')[0];
        string? message = null;
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Object)
            {
                type ??= Text(root, "__type")?.Split('#')[^1] ?? Text(root, "Type");
                message = Text(root, "message") ?? Text(root, "Message");
            }
        }
        catch (JsonException)
        {
        }

        var status = (int)response.StatusCode;
        return new HookInvocationException(string.Create(
            CultureInfo.InvariantCulture,
            $"Lambda answered HTTP {status} {type ?? "(no error type)"}: {message ?? MoveHookText.Excerpt(body)}{(response.StatusCode == HttpStatusCode.TooManyRequests ? " (throttled; the next run asks again)" : string.Empty)}"));
    }

    private static string? Text(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;

    /// <summary>X-Amz-Log-Result is the last 4 KB of the function's log, base64; null when absent or not base64.</summary>
    private static string? DecodeLog(string? base64)
    {
        if (string.IsNullOrEmpty(base64))
        {
            return null;
        }

        var bytes = new byte[base64.Length];
        return Convert.TryFromBase64String(base64, bytes, out var written) ? Encoding.UTF8.GetString(bytes, 0, written).TrimEnd() : null;
    }
}

/// <summary>How much of an unexpected body an error message quotes.</summary>
internal static class MoveHookText
{
    private const int MaxExcerpt = 200;

    public static string Excerpt(string body) => body.Length <= MaxExcerpt ? $"'{body}'" : $"'{body[..MaxExcerpt]}...'";
}
