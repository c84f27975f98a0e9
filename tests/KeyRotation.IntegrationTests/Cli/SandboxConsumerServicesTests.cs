using System.Net.Sockets;
using KeyRotation.Cli;
using KeyRotation.LocalConsumers;
using KeyRotation.LocalConsumers.S3;

namespace KeyRotation.IntegrationTests.Cli;

/// <summary>
/// The sandbox's four consumer endpoints start one after the other: when one cannot start, the ones already listening
/// are stopped before the error reaches the command, so no listener is left on 127.0.0.1.
/// </summary>
public sealed class SandboxConsumerServicesTests
{
    [Fact]
    public async Task StartAsync_TheThirdEndpointCannotStart_StopsTheTwoStartedAndThrowsItsError()
    {
        var started = new List<Uri>();
        T Track<T>(T endpoint, Uri url)
        {
            started.Add(url);
            return endpoint;
        }

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => SandboxConsumerServices.StartAsync(
            () => { var s3 = new LocalS3Server(); return Track(s3, s3.Url); },
            () => { var dynamoDb = new LocalDynamoDb("eu-west-1", "111122223333"); return Track(dynamoDb, dynamoDb.Url); },
            () => throw new InvalidOperationException("the SSM endpoint's port is taken"),
            () => throw new InvalidOperationException("EC2 must not be started after a failure")));

        Assert.Equal("the SSM endpoint's port is taken", error.Message);
        Assert.Equal(2, started.Count);
        foreach (var url in started)
        {
            using var client = new TcpClient();
            await Assert.ThrowsAsync<SocketException>(() => client.ConnectAsync(System.Net.IPAddress.Loopback, url.Port));
        }
    }

    [Fact]
    public async Task StartAsync_AllFour_ServeUntilDisposed()
    {
        var services = await SandboxConsumerServices.StartAsync("eu-west-1", "111122223333");
        var ports = new[] { services.S3.Url.Port, services.DynamoDb.Url.Port, services.Ssm.Url.Port, services.Ec2.Url.Port };
        using (var client = new TcpClient())
        {
            await client.ConnectAsync(System.Net.IPAddress.Loopback, ports[2]);
        }

        await services.DisposeAsync();

        foreach (var port in ports)
        {
            using var client = new TcpClient();
            await Assert.ThrowsAsync<SocketException>(() => client.ConnectAsync(System.Net.IPAddress.Loopback, port));
        }
    }
}
