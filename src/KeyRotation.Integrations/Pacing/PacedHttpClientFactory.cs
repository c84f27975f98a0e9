using System.Net;
using Amazon.Runtime;

namespace KeyRotation.Integrations.Pacing;

/// <summary>
/// Gives the AWS SDK's KMS client HttpClients whose every request (retries included) first takes a token for its
/// operation from the shared <see cref="KmsRequestPacer"/>. Set as <see cref="ClientConfig.HttpClientFactory"/>.
/// Without an inner factory, requests go out through one SocketsHttpHandler per factory.
/// </summary>
public sealed class PacedHttpClientFactory : HttpClientFactory
{
    private readonly KmsRequestPacer _pacer;
    private readonly HttpClientFactory? _inner;
    private readonly Lazy<HttpMessageHandler> _network = new(() => new SocketsHttpHandler
    {
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        AutomaticDecompression = DecompressionMethods.None,
    });

    public PacedHttpClientFactory(KmsRequestPacer pacer, HttpClientFactory? inner = null)
    {
        ArgumentNullException.ThrowIfNull(pacer);
        _pacer = pacer;
        _inner = inner;
    }

    /// <summary>Puts the pacer in front of whatever <paramref name="config"/> would have used.</summary>
    public static void Apply(ClientConfig config, KmsRequestPacer pacer)
    {
        ArgumentNullException.ThrowIfNull(config);
        config.HttpClientFactory = new PacedHttpClientFactory(pacer, config.HttpClientFactory);
    }

    public override HttpClient CreateHttpClient(IClientConfig clientConfig)
    {
        HttpMessageHandler next = _inner is null ? _network.Value : new ClientForwarder(_inner.CreateHttpClient(clientConfig));
        var client = new HttpClient(new PacingHandler(_pacer, next), disposeHandler: _inner is not null);
        if (clientConfig?.Timeout is { } timeout)
        {
            client.Timeout = timeout;
        }

        return client;
    }

    // The cache key would not tell two pacers apart, and the network handler is pooled here already.
    public override bool UseSDKHttpClientCaching(IClientConfig clientConfig) => false;

    public override bool DisposeHttpClientsAfterUse(IClientConfig clientConfig) => true;

    /// <summary>
    /// Hands a request to an HttpClient another factory made (for example LocalKms's in-process handler), as a copy:
    /// an HttpClient refuses a message that already went through another HttpClient.
    /// </summary>
    private sealed class ClientForwarder(HttpClient client) : HttpMessageHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var copy = new HttpRequestMessage(request.Method, request.RequestUri)
            {
                Content = request.Content,
                Version = request.Version,
                VersionPolicy = request.VersionPolicy,
            };
            foreach (var header in request.Headers)
            {
                copy.Headers.TryAddWithoutValidation(header.Key, header.Value);
            }

            var response = await client.SendAsync(copy, cancellationToken);
            response.RequestMessage = request;
            return response;
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                client.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
