using System.Net;
using System.Text;

namespace KeyRotation.LocalKms;

/// <summary>Routes an HttpClient's requests to a <see cref="LocalKmsService"/> in process, with no socket.</summary>
public sealed class LocalKmsHttpMessageHandler : HttpMessageHandler
{
    private readonly LocalKmsService _service;

    /// <summary>Creates a handler for <paramref name="service"/>.</summary>
    public LocalKmsHttpMessageHandler(LocalKmsService service)
    {
        ArgumentNullException.ThrowIfNull(service);
        _service = service;
    }

    /// <inheritdoc />
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var target = request.Headers.TryGetValues("X-Amz-Target", out var values) ? values.FirstOrDefault() : null;
        var body = request.Content is null ? string.Empty : await request.Content.ReadAsStringAsync(cancellationToken);
        // The SDK adds Authorization without validation, so the typed Headers.Authorization property stays null.
        var authorization = request.Headers.TryGetValues("Authorization", out var auth) ? auth.FirstOrDefault() : null;
        var requestId = Guid.NewGuid().ToString();
        var result = await _service.HandleAsync(target, body, authorization, requestId, cancellationToken);
        var response = new HttpResponseMessage((HttpStatusCode)result.StatusCode)
        {
            Content = new StringContent(result.Body, Encoding.UTF8, LocalKmsResponse.ContentType),
            RequestMessage = request,
        };
        response.Headers.Add("x-amzn-RequestId", requestId);
        return response;
    }
}

/// <summary>Gives the AWS SDK HttpClients over the in-process handler; the SDK disposes each client, never the handler.</summary>
internal sealed class LocalKmsHttpClientFactory : Amazon.Runtime.HttpClientFactory
{
    private readonly LocalKmsHttpMessageHandler _handler;

    public LocalKmsHttpClientFactory(LocalKmsHttpMessageHandler handler) => _handler = handler;

    public override HttpClient CreateHttpClient(Amazon.Runtime.IClientConfig clientConfig) => new(_handler, disposeHandler: false);

    // No SDK-wide caching: the cache key would not tell two LocalKmsService instances apart.
    public override bool UseSDKHttpClientCaching(Amazon.Runtime.IClientConfig clientConfig) => false;

    public override bool DisposeHttpClientsAfterUse(Amazon.Runtime.IClientConfig clientConfig) => true;
}
