using System.Net.Http.Headers;
using System.Text;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using Amazon.Runtime;

namespace KeyRotation.LocalKms.Tests;

public sealed class ServerTests
{
    private static AmazonKeyManagementServiceClient ClientFor(LocalKmsServer server, string region = "us-east-1") =>
        new(new BasicAWSCredentials("test", "test"), new AmazonKeyManagementServiceConfig { ServiceURL = server.Url.ToString(), AuthenticationRegion = region, MaxErrorRetry = 0 });

    [Fact]
    public async Task Start_ClientsSignedForTwoRegions_ReplicaDecryptsPrimaryCiphertextOverHttp()
    {
        await using var server = LocalKmsServer.Start(new LocalKmsService());
        using var east = ClientFor(server);
        using var west = ClientFor(server, "us-west-2");
        var primary = (await east.CreateKeyAsync(new CreateKeyRequest { MultiRegion = true })).KeyMetadata;
        var ciphertext = (await east.EncryptAsync(new EncryptRequest { KeyId = primary.KeyId, Plaintext = new MemoryStream([1, 2, 3]) })).CiphertextBlob;

        var replica = await east.ReplicateKeyAsync(new ReplicateKeyRequest { KeyId = primary.KeyId, ReplicaRegion = "us-west-2" });
        var decrypted = await west.DecryptAsync(new DecryptRequest { CiphertextBlob = ciphertext });

        Assert.Equal(replica.ReplicaKeyMetadata.Arn, decrypted.KeyId);
        Assert.Equal(new byte[] { 1, 2, 3 }, decrypted.Plaintext.ToArray());
        Assert.Single((await west.ListKeysAsync(new ListKeysRequest())).Keys);
    }

    [Fact]
    public async Task Start_PortZero_SdkCreatesAndDescribesKeyOverLoopback()
    {
        var service = new LocalKmsService();
        await using var server = LocalKmsServer.Start(service);
        using var client = ClientFor(server);

        var created = await client.CreateKeyAsync(new CreateKeyRequest { Description = "over http" });
        var described = await client.DescribeKeyAsync(new DescribeKeyRequest { KeyId = created.KeyMetadata.Arn });

        Assert.Equal("127.0.0.1", server.Url.Host);
        Assert.NotEqual(0, server.Port);
        Assert.Equal("over http", described.KeyMetadata.Description);
    }

    [Fact]
    public async Task Start_UnknownKeyOverHttp_SdkThrowsNotFound()
    {
        await using var server = LocalKmsServer.Start(new LocalKmsService());
        using var client = ClientFor(server);

        await Assert.ThrowsAsync<NotFoundException>(() => client.DescribeKeyAsync(new DescribeKeyRequest { KeyId = "alias/none" }));
    }

    [Fact]
    public async Task Start_UnsignedRawRequest_Answers200WithJson()
    {
        await using var server = LocalKmsServer.Start(new LocalKmsService());
        using var http = new HttpClient();
        using var content = new StringContent("{}", Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-amz-json-1.1");
        using var request = new HttpRequestMessage(HttpMethod.Post, server.Url) { Content = content };
        request.Headers.Add("X-Amz-Target", "TrentService.ListKeys");

        using var response = await http.SendAsync(request);

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal("""{"Keys":[],"Truncated":false}""", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task DisposeAsync_StoppedServer_RefusesConnections()
    {
        var server = LocalKmsServer.Start(new LocalKmsService());
        var url = server.Url;

        await server.DisposeAsync();

        using var http = new HttpClient();
        await Assert.ThrowsAsync<HttpRequestException>(() => http.PostAsync(url, new StringContent("{}")));
    }
}
