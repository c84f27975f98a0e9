using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Amazon.Runtime;

namespace KeyRotation.Integrations.Events;

/// <summary>
/// PutEvents of EventBridge (JSON 1.1, X-Amz-Target AWSEvents.PutEvents) over HttpClient, signed by the shared signer:
/// AWSSDK.EventBridge is not served by this project's package source. A throttled call, a 5xx, a network failure or a
/// timeout is sent again; when EventBridge answers with FailedEntryCount, only the entries it failed with a transient
/// error code are sent again, so no event is put twice by this client. All of it within
/// <see cref="PutEventsOptions.MaxAttempts"/>, with jittered exponential backoff on the given TimeProvider.
/// </summary>
public sealed class PutEventsClient
{
    /// <summary>The X-Amz-Target of PutEvents.</summary>
    public const string Target = "AWSEvents.PutEvents";

    /// <summary>The SigV4 signing name of EventBridge.</summary>
    public const string SigningName = "events";

    public const string ContentType = "application/x-amz-json-1.1";

    // Per-entry and whole-call error codes worth another attempt; any other (AccessDeniedException, ValidationException,
    // MalformedDetail, ResourceNotFoundException for a missing bus...) would fail again the same way.
    private static readonly HashSet<string> TransientCodes = new(StringComparer.Ordinal)
    {
        "ThrottlingException", "Throttling", "InternalFailure", "InternalException", "ServiceUnavailable", "ServiceUnavailableException",
    };

    private readonly HttpClient _http;
    private readonly PutEventsOptions _options;
    private readonly Uri _endpoint;
    private readonly Func<CancellationToken, Task<ImmutableCredentials>> _credentials;
    private readonly TimeProvider _time;
    private readonly Func<double> _jitter;

    public PutEventsClient(HttpClient http, PutEventsOptions options, Func<CancellationToken, Task<ImmutableCredentials>> credentials, TimeProvider time)
        : this(http, options, credentials, time, Random.Shared.NextDouble)
    {
    }

    /// <param name="jitter">A value in [0, 1]; tests pin it so backoff delays are exact.</param>
    internal PutEventsClient(HttpClient http, PutEventsOptions options, Func<CancellationToken, Task<ImmutableCredentials>> credentials, TimeProvider time, Func<double> jitter)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(credentials);
        ArgumentNullException.ThrowIfNull(time);
        _endpoint = options.ResolveEndpoint();
        _http = http;
        _options = options;
        _credentials = credentials;
        _time = time;
        _jitter = jitter;
    }

    /// <summary>The endpoint requests go to.</summary>
    public Uri Endpoint => _endpoint;

    /// <summary>For production: the process's stand-in HttpClient, the SDK's default credentials chain, the system clock.</summary>
    public static PutEventsClient CreateDefault(PutEventsOptions options) =>
        new(StandInTransport.Http, options, StandInTransport.DefaultCredentialsAsync, TimeProvider.System);

    /// <summary>
    /// Puts the entries (at most 10, as PutEvents allows) and returns those that could not be put after every attempt,
    /// each with its index in <paramref name="entries"/> and EventBridge's error; empty when all were put.
    /// </summary>
    public async Task<IReadOnlyList<PutEventsFailure>> PutAsync(IReadOnlyList<JsonObject> entries, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(entries);
        if (entries.Count is 0 or > PutEventsBatches.MaxEntriesPerCall)
        {
            throw new ArgumentException($"PutEvents takes 1 to {PutEventsBatches.MaxEntriesPerCall} entries, not {entries.Count}.", nameof(entries));
        }

        var pending = Enumerable.Range(0, entries.Count).ToList();
        var failures = new Dictionary<int, PutEventsFailure>();
        for (var attempt = 1; ; attempt++)
        {
            failures.Clear();
            try
            {
                var answer = await SendOnceAsync(pending.Select(i => entries[i]).ToList(), ct);
                for (var position = 0; position < pending.Count; position++)
                {
                    if (answer.ElementAtOrDefault(position) is { ErrorCode: { } code } entry)
                    {
                        failures[pending[position]] = new PutEventsFailure(pending[position], code, entry.ErrorMessage ?? "no error message", TransientCodes.Contains(code));
                    }
                }
            }
            catch (PutEventsCallException ex)
            {
                foreach (var index in pending)
                {
                    failures[index] = new PutEventsFailure(index, ex.Code, ex.Message, ex.IsRetryable);
                }
            }

            var again = failures.Values.Where(f => f.IsRetryable).Select(f => f.Index).Order().ToList();
            if (again.Count == 0 || attempt >= _options.MaxAttempts)
            {
                return [.. failures.Values.OrderBy(f => f.Index)];
            }

            pending = again;
            await Task.Delay(BackoffDelay(attempt), _time, ct);
        }
    }

    /// <summary>The pause after failed attempt <paramref name="attempt"/>: base * 2^(attempt-1), capped, times [0.5, 1] jitter.</summary>
    internal TimeSpan BackoffDelay(int attempt)
    {
        var exponential = _options.BaseRetryDelay * Math.Pow(2, Math.Min(attempt - 1, 30));
        var capped = exponential > _options.MaxRetryDelay ? _options.MaxRetryDelay : exponential;
        return capped * (0.5 + (0.5 * Math.Clamp(_jitter(), 0, 1)));
    }

    private async Task<IReadOnlyList<(string? ErrorCode, string? ErrorMessage)>> SendOnceAsync(List<JsonObject> entries, CancellationToken ct)
    {
        var body = Encoding.UTF8.GetBytes(new JsonObject { ["Entries"] = new JsonArray([.. entries.Select(e => (JsonNode)e.DeepClone())]) }.ToJsonString());
        ImmutableCredentials credentials;
        try
        {
            credentials = await _credentials(ct) ?? throw new PutEventsCallException("No AWS credentials were available for PutEvents.", "CredentialsUnavailable", false);
        }
        catch (AmazonClientException ex)
        {
            throw new PutEventsCallException($"AWS credentials for PutEvents could not be resolved: {ex.Message}", "CredentialsUnavailable", false);
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, _endpoint);
        AwsRequestSigner.Sign(request, body, credentials, _options.Region, _time.GetUtcNow(), SigningName, ContentType, Target);
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, ct);
        }
        catch (HttpRequestException ex)
        {
            throw new PutEventsCallException($"the request to {_endpoint} did not complete: {ex.Message}", "NetworkError", true);
        }
        catch (TaskCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new PutEventsCallException($"the request to {_endpoint} timed out", "Timeout", true);
        }

        using (response)
        {
            var text = await response.Content.ReadAsStringAsync(ct);
            var json = Parse(text);
            if (!response.IsSuccessStatusCode)
            {
                var type = (string?)json?["__type"] ?? string.Create(CultureInfo.InvariantCulture, $"Http{(int)response.StatusCode}");
                var code = type[(type.LastIndexOf('#') + 1)..];
                var message = (string?)json?["message"] ?? (string?)json?["Message"] ?? Excerpt(text);
                var retryable = response.StatusCode == HttpStatusCode.TooManyRequests || (int)response.StatusCode >= 500 || TransientCodes.Contains(code);
                throw new PutEventsCallException(string.Create(CultureInfo.InvariantCulture, $"EventBridge refused PutEvents: {code} (HTTP {(int)response.StatusCode}): {message}"), code, retryable);
            }

            // The answer lists one result per entry, in order: an EventId, or an ErrorCode and ErrorMessage.
            if (json?["Entries"] is not JsonArray answered || answered.Count != entries.Count)
            {
                throw new PutEventsCallException($"EventBridge answered PutEvents with HTTP {(int)response.StatusCode} but not one result per entry: '{Excerpt(text)}'", "InvalidResponse", false);
            }

            return [.. answered.Select(e => ((string?)e?["ErrorCode"], (string?)e?["ErrorMessage"]))];
        }
    }

    private static JsonNode? Parse(string text)
    {
        try
        {
            return text.Length == 0 ? null : JsonNode.Parse(text);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string Excerpt(string text) => text.Length <= 200 ? text : text[..200] + "...";

    /// <summary>A whole call failed: its code and whether another attempt may succeed.</summary>
    private sealed class PutEventsCallException(string message, string code, bool isRetryable) : Exception(message)
    {
        public string Code { get; } = code;

        public bool IsRetryable { get; } = isRetryable;
    }
}

/// <summary>An entry that could not be put: its index in the call, EventBridge's error code and message.</summary>
public sealed record PutEventsFailure(int Index, string ErrorCode, string ErrorMessage, bool IsRetryable);
