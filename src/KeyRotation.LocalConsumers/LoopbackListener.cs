using System.Net;
using System.Net.Sockets;

namespace KeyRotation.LocalConsumers;

/// <summary>Where a local endpoint listens: a free port of 127.0.0.1, never another interface.</summary>
internal static class LoopbackListener
{
    /// <summary>Starts <paramref name="listener"/> on a port the system just gave out as free, and gives its URL.</summary>
    public static Uri Start(HttpListener listener)
    {
        ArgumentNullException.ThrowIfNull(listener);
        Uri url;
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            url = new Uri($"http://127.0.0.1:{((IPEndPoint)probe.LocalEndpoint).Port}/");
        }

        listener.Prefixes.Add(url.ToString());
        listener.Start();
        return url;
    }
}
