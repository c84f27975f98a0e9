using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;

namespace KeyRotation.IntegrationTests.Cli.Accounts;

/// <summary>
/// The one KMS endpoint the CLI is given (127.0.0.1), standing in for AWS's: it reads which credentials signed a
/// request (the access key id of its SigV4 Authorization header) and forwards the request to that account's own
/// LocalKms server, as AWS routes by the caller's account. An access key no account owns gets KMS's
/// UnrecognizedClientException; for an account marked unreachable the connection is closed without an answer, as a
/// Region that cannot be reached does. A plain socket server (one request per connection), so that it can do that.
/// </summary>
internal sealed partial class AccountRouter : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly HttpClient _http = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _loop;
    private readonly ConcurrentDictionary<string, Uri?> _accounts = new(StringComparer.Ordinal);

    public AccountRouter()
    {
        _listener.Start();
        Url = new Uri($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/");
        _loop = Task.Run(AcceptAsync);
    }

    public Uri Url { get; }

    /// <summary>The access key id of each request, in order: which account each call went to.</summary>
    public ConcurrentQueue<string?> SignedBy { get; } = new();

    /// <summary>Requests signed with <paramref name="accessKeyId"/> go to <paramref name="accountEndpoint"/>; null: cannot be reached.</summary>
    public void Route(string accessKeyId, Uri? accountEndpoint) => _accounts[accessKeyId] = accountEndpoint;

    /// <summary>The access key id in a SigV4 Authorization header (Credential=AKID/date/region/service/aws4_request).</summary>
    public static string? AccessKeyIdOf(string? authorization) =>
        authorization is not null && CredentialField().Match(authorization) is { Success: true } match ? match.Groups[1].Value : null;

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        _listener.Stop();
        await _loop;
        _http.Dispose();
        _stopping.Dispose();
    }

    private async Task AcceptAsync()
    {
        var connections = new List<Task>();
        while (!_stopping.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stopping.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                break;
            }

            connections.Add(Task.Run(() => ServeAsync(client)));
        }

        await Task.WhenAll(connections);
    }

    private async Task ServeAsync(TcpClient client)
    {
        using (client)
        {
            try
            {
                var stream = client.GetStream();
                var (headers, body) = await ReadRequestAsync(stream);
                var authorization = headers.GetValueOrDefault("authorization");
                var accessKey = AccessKeyIdOf(authorization);
                SignedBy.Enqueue(accessKey);
                if (accessKey is null || !_accounts.TryGetValue(accessKey, out var backend))
                {
                    await WriteAsync(stream, 400, "{\"__type\":\"UnrecognizedClientException\",\"message\":\"The security token included in the request is invalid.\"}");
                    return;
                }

                if (backend is null)
                {
                    client.Client.LingerState = new LingerOption(true, 0); // a reset, no answer at all
                    return;
                }

                using var forward = new HttpRequestMessage(HttpMethod.Post, backend) { Content = new StringContent(body, Encoding.UTF8) };
                forward.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/x-amz-json-1.1");
                forward.Headers.TryAddWithoutValidation("X-Amz-Target", headers.GetValueOrDefault("x-amz-target"));
                forward.Headers.TryAddWithoutValidation("Authorization", authorization);
                using var answer = await _http.SendAsync(forward, _stopping.Token);
                await WriteAsync(stream, (int)answer.StatusCode, await answer.Content.ReadAsStringAsync(_stopping.Token));
            }
            catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or HttpRequestException)
            {
                // The client went away, or the test is stopping.
            }
        }
    }

    private static async Task<(Dictionary<string, string> Headers, string Body)> ReadRequestAsync(NetworkStream stream)
    {
        var buffer = new List<byte>();
        var one = new byte[1];
        while (buffer.Count < 4 || !(buffer[^4] == '\r' && buffer[^3] == '\n' && buffer[^2] == '\r' && buffer[^1] == '\n'))
        {
            if (await stream.ReadAsync(one) == 0)
            {
                throw new IOException("The client closed the connection before the headers ended.");
            }

            buffer.Add(one[0]);
        }

        var headers = Encoding.ASCII.GetString([.. buffer]).Split("\r\n").Skip(1)
            .Where(line => line.Contains(':', StringComparison.Ordinal))
            .Select(line => (Name: line[..line.IndexOf(':', StringComparison.Ordinal)].Trim().ToLowerInvariant(), Value: line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim()))
            .GroupBy(h => h.Name)
            .ToDictionary(g => g.Key, g => g.First().Value, StringComparer.Ordinal);
        var body = new byte[int.Parse(headers.GetValueOrDefault("content-length", "0"), System.Globalization.CultureInfo.InvariantCulture)];
        await stream.ReadExactlyAsync(body);
        return (headers, Encoding.UTF8.GetString(body));
    }

    private static async Task WriteAsync(NetworkStream stream, int status, string body)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        var head = $"HTTP/1.1 {status} {(status == 200 ? "OK" : "Error")}\r\nContent-Type: application/x-amz-json-1.1\r\nx-amzn-RequestId: {Guid.NewGuid()}\r\nContent-Length: {bytes.Length}\r\nConnection: close\r\n\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head));
        await stream.WriteAsync(bytes);
        await stream.FlushAsync();
    }

    [GeneratedRegex("Credential=([^/]+)/")]
    private static partial Regex CredentialField();
}
