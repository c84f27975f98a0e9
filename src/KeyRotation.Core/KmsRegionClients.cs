using System.Collections.Concurrent;
using Amazon.KeyManagementService;

namespace KeyRotation.Core;

/// <summary>
/// KMS clients for the Regions of a multi-Region key's replicas: the rotation runs in the primary's Region and reaches
/// each replica Region with a client signed for that Region (same credentials and endpoint settings). One client per
/// Region, built on first use and kept.
/// </summary>
public sealed class KmsRegionClients
{
    private readonly Func<string, IAmazonKeyManagementService> _create;
    private readonly ConcurrentDictionary<string, Lazy<IAmazonKeyManagementService>> _clients = new(StringComparer.Ordinal);

    /// <param name="create">Builds the client for a Region name such as eu-west-1.</param>
    public KmsRegionClients(Func<string, IAmazonKeyManagementService> create)
    {
        ArgumentNullException.ThrowIfNull(create);
        _create = create;
    }

    /// <summary>The client for <paramref name="region"/>.</summary>
    public IAmazonKeyManagementService For(string region)
    {
        ArgumentException.ThrowIfNullOrEmpty(region);
        return _clients.GetOrAdd(region, r => new Lazy<IAmazonKeyManagementService>(() => _create(r))).Value;
    }
}
