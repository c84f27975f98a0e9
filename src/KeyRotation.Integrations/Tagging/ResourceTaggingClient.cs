using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Amazon.Runtime;
using KeyRotation.Integrations.Notifications;

namespace KeyRotation.Integrations.Tagging;

/// <summary>
/// GetResources of the Resource Groups Tagging API (JSON 1.1), the one call this tool makes to it, over HttpClient
/// signed with AWSSDK.Core's SigV4 signer: AWSSDK.ResourceGroupsTaggingAPI is not served by this project's package
/// source. Pages until the answer's PaginationToken is empty. Failures are thrown as <see cref="AmazonServiceException"/>
/// (error code and HTTP status of the answer) and never retried here: the rotation releases its claim and the next
/// run asks again.
/// </summary>
public sealed class ResourceTaggingClient : ITaggedKeyFinder
{
    /// <summary>The X-Amz-Target of GetResources.</summary>
    public const string GetResourcesTarget = "ResourceGroupsTaggingAPI_20170126.GetResources";

    /// <summary>The service id that names the endpoint setting AWS_ENDPOINT_URL_RESOURCE_GROUPS_TAGGING_API.</summary>
    public const string EndpointServiceId = "Resource Groups Tagging API";

    private const string SigningName = "tagging";
    private const string ContentType = "application/x-amz-json-1.1";

    private readonly HttpClient _http;
    private readonly string _region;
    private readonly Uri _endpoint;
    private readonly Func<CancellationToken, Task<ImmutableCredentials>> _credentials;
    private readonly TimeProvider _time;

    /// <summary>A client for <paramref name="region"/>, at <paramref name="serviceUrl"/> or the Region's public endpoint.</summary>
    public ResourceTaggingClient(HttpClient http, string region, Uri? serviceUrl, Func<CancellationToken, Task<ImmutableCredentials>> credentials, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(credentials);
        ArgumentNullException.ThrowIfNull(time);
        // The same Region name and endpoint URL rules as the SNS client; the public endpoint is tagging.<region>.
        var sns = new SnsClientOptions { Region = region, ServiceUrl = serviceUrl }.ResolveEndpoint();
        _endpoint = serviceUrl ?? new UriBuilder(sns) { Host = "tagging" + sns.Host[sns.Host.IndexOf('.', StringComparison.Ordinal)..] }.Uri;

        _http = http;
        _region = region;
        _credentials = credentials;
        _time = time;
    }

    /// <summary>The endpoint requests go to.</summary>
    public Uri Endpoint => _endpoint;

    /// <summary>For production: a process-wide HttpClient, AWSSDK.Core's default credential chain and the system clock.</summary>
    public static ResourceTaggingClient CreateDefault(string region, Uri? serviceUrl) =>
        new(StandInTransport.Http, region, serviceUrl, StandInTransport.DefaultCredentialsAsync, TimeProvider.System);

    /// <inheritdoc />
    public async Task<IReadOnlyList<string>> FindKeyArnsAsync(IReadOnlyDictionary<string, string> tags, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(tags);
        var arns = new List<string>();
        string? token = null;
        do
        {
            var answer = await GetResourcesAsync(RequestBody(tags, token), ct);
            foreach (var mapping in answer["ResourceTagMappingList"]?.AsArray() ?? [])
            {
                if (mapping?["ResourceARN"]?.GetValue<string>() is { Length: > 0 } arn)
                {
                    arns.Add(arn);
                }
            }

            token = answer["PaginationToken"]?.GetValue<string>();
        }
        while (!string.IsNullOrEmpty(token));

        return arns;
    }

    /// <summary>The GetResources body: KMS keys only, every tag as one TagFilter with its single value.</summary>
    internal static string RequestBody(IReadOnlyDictionary<string, string> tags, string? paginationToken)
    {
        var body = new JsonObject
        {
            ["ResourceTypeFilters"] = new JsonArray("kms:key"),
            ["TagFilters"] = new JsonArray([.. tags.Select(t => (JsonNode)new JsonObject { ["Key"] = t.Key, ["Values"] = new JsonArray(t.Value) })]),
        };
        if (!string.IsNullOrEmpty(paginationToken))
        {
            body["PaginationToken"] = paginationToken;
        }

        return body.ToJsonString();
    }

    private async Task<JsonNode> GetResourcesAsync(string body, CancellationToken ct)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        using var request = new HttpRequestMessage(HttpMethod.Post, _endpoint);
        AwsRequestSigner.Sign(request, bytes, await _credentials(ct), _region, _time.GetUtcNow(), SigningName, ContentType, GetResourcesTarget);
        using var response = await _http.SendAsync(request, ct);
        var text = await response.Content.ReadAsStringAsync(ct);
        JsonNode? json = null;
        try
        {
            json = text.Length == 0 ? null : JsonNode.Parse(text);
        }
        catch (JsonException)
        {
            // Reported below with the status.
        }

        if (response.IsSuccessStatusCode && json is JsonObject)
        {
            return json;
        }

        var type = json?["__type"]?.GetValue<string>() ?? string.Create(CultureInfo.InvariantCulture, $"Http{(int)response.StatusCode}");
        var code = type[(type.LastIndexOf('#') + 1)..];
        var message = json?["Message"]?.GetValue<string>() ?? json?["message"]?.GetValue<string>() ?? "no error message";
        var requestId = response.Headers.TryGetValues("x-amzn-RequestId", out var ids) ? ids.FirstOrDefault() : null;
        return response.IsSuccessStatusCode
            ? throw new AmazonServiceException($"GetResources answered HTTP {(int)response.StatusCode} with an unreadable body.", null, ErrorType.Unknown, "InvalidResponse", requestId, response.StatusCode)
            : throw new AmazonServiceException(message, null, (int)response.StatusCode >= 500 ? ErrorType.Receiver : ErrorType.Sender, code, requestId, response.StatusCode);
    }
}
