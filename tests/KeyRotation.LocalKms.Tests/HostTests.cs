using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;
using Amazon.Runtime;

namespace KeyRotation.LocalKms.Tests;

/// <summary>The standalone server's command line: ports, --data, --quotas, --latency-ms and its errors.</summary>
public sealed class HostTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("localkms-host-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static AmazonKeyManagementServiceClient ClientFor(Uri url) =>
        new(new BasicAWSCredentials("test", "test"), new AmazonKeyManagementServiceConfig { ServiceURL = url.ToString(), AuthenticationRegion = "us-east-1", MaxErrorRetry = 0 });

    /// <summary>Runs the host until <paramref name="whileRunning"/> is done with the started server, then stops it.</summary>
    private static async Task<(int Exit, string Stdout, string Stderr)> RunAsync(string[] args, Func<LocalKmsServer, Task>? whileRunning = null)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        using var stop = new CancellationTokenSource();
        var work = Task.CompletedTask;
        var exit = await LocalKmsHost.RunAsync(args, stdout, stderr, stop.Token, server => work = RunThenStopAsync(server));
        await work;
        return (exit, stdout.ToString(), stderr.ToString());

        async Task RunThenStopAsync(LocalKmsServer server)
        {
            try
            {
                if (whileRunning is not null)
                {
                    await whileRunning(server);
                }
            }
            finally
            {
                await stop.CancelAsync();
            }
        }
    }

    [Fact]
    public async Task Run_PortTaken_ExitsTwoWithOneLine()
    {
        var holder = new TcpListener(IPAddress.Loopback, 0);
        holder.Start();
        try
        {
            var port = ((IPEndPoint)holder.LocalEndpoint).Port;

            var (exit, stdout, stderr) = await RunAsync(["--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture)]);

            Assert.Equal(2, exit);
            Assert.Equal(string.Empty, stdout);
            Assert.Equal($"Port {port} on 127.0.0.1 is in use (or not allowed): stop what holds it, choose another with --port N, or use --port 0 for a free one.", stderr.TrimEnd());
        }
        finally
        {
            holder.Stop();
        }
    }

    [Fact]
    public async Task Run_PortZero_PrintsTheChosenPortAndServes()
    {
        string? described = null;
        var (exit, stdout, _) = await RunAsync(["--port", "0"], async server =>
        {
            using var client = ClientFor(server.Url);
            var key = await client.CreateKeyAsync(new CreateKeyRequest { Description = "port zero" });
            described = (await client.DescribeKeyAsync(new DescribeKeyRequest { KeyId = key.KeyMetadata.KeyId })).KeyMetadata.Description;
        });

        Assert.Equal(0, exit);
        Assert.Equal("port zero", described);
        Assert.Matches(@"^LocalKms listening on http://127\.0\.0\.1:[1-9][0-9]*/ \(region us-east-1, account 111122223333, state in memory\)\. Ctrl\+C to stop\.", stdout);
        Assert.DoesNotContain(":0/", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void DefaultPort_IsNotLocalStacks()
    {
        Assert.NotEqual(4566, LocalKmsHost.DefaultPort);
        Assert.NotInRange(LocalKmsHost.DefaultPort, 4510, 4559); // LocalStack's external service port range
    }

    [Fact]
    public async Task Run_DataFile_KeysAndAliasesSurviveARestart()
    {
        var data = Path.Combine(_directory, "kms.json");
        byte[]? ciphertext = null;
        await RunAsync(["--port", "0", "--data", data], async server =>
        {
            using var client = ClientFor(server.Url);
            var key = await client.CreateKeyAsync(new CreateKeyRequest());
            await client.CreateAliasAsync(new CreateAliasRequest { AliasName = "alias/kept", TargetKeyId = key.KeyMetadata.KeyId });
            ciphertext = (await client.EncryptAsync(new EncryptRequest { KeyId = "alias/kept", Plaintext = new MemoryStream([1, 2, 3]) })).CiphertextBlob.ToArray();
        });

        byte[]? plaintext = null;
        var (exit, stdout, _) = await RunAsync(["--port", "0", "--data", data], async server =>
        {
            using var client = ClientFor(server.Url);
            plaintext = (await client.DecryptAsync(new DecryptRequest { CiphertextBlob = new MemoryStream(ciphertext!), KeyId = "alias/kept" })).Plaintext.ToArray();
        });

        Assert.Equal(0, exit);
        Assert.Contains($"state in {data}", stdout, StringComparison.Ordinal);
        Assert.Equal([1, 2, 3], plaintext);
    }

    [Fact]
    public async Task Run_DataFileNotAState_ExitsTwoNamingTheFile()
    {
        var data = Path.Combine(_directory, "notes.json");
        await File.WriteAllTextAsync(data, "{\"hello\":1}");

        var (exit, _, stderr) = await RunAsync(["--port", "0", "--data", data]);

        Assert.Equal(2, exit);
        Assert.StartsWith($"Cannot use --data: {data}: Not a usable LocalKms state", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_QuotaForOneOperation_ThrottlesItOverWire()
    {
        Exception? second = null;
        await RunAsync(["--port", "0", "--quotas", "CreateKey=0.001"], async server =>
        {
            using var client = ClientFor(server.Url);
            await client.CreateKeyAsync(new CreateKeyRequest());
            second = await Record.ExceptionAsync(() => client.CreateKeyAsync(new CreateKeyRequest()));
        });

        var throttled = Assert.IsType<AmazonKeyManagementServiceException>(second, exactMatch: false);
        Assert.Equal("ThrottlingException", throttled.ErrorCode);
    }

    [Fact]
    public async Task Run_QuotasDefault_KeepsKmsDefaultsForOtherOperations()
    {
        Exception? sixth = null;
        await RunAsync(["--port", "0", "--quotas", "default"], async server =>
        {
            using var client = ClientFor(server.Url);
            for (var i = 0; i < 5; i++)
            {
                await client.ListKeysAsync(new ListKeysRequest());
            }

            sixth = await Record.ExceptionAsync(() => client.ListKeysAsync(new ListKeysRequest()));
        });

        Assert.Null(sixth); // ListKeys: 100 per second
    }

    [Fact]
    public async Task Run_QuotasWithoutAValue_ThrottlesAtKmsDefaultQuotas()
    {
        Exception?[] outcomes = [];
        await RunAsync(["--port", "0", "--quotas"], async server =>
        {
            using var client = ClientFor(server.Url);
            var key = await client.CreateKeyAsync(new CreateKeyRequest { Origin = OriginType.EXTERNAL });
            var request = new GetParametersForImportRequest { KeyId = key.KeyMetadata.KeyId, WrappingAlgorithm = AlgorithmSpec.RSAES_OAEP_SHA_256, WrappingKeySpec = WrappingKeySpec.RSA_2048 };

            // Both at once: the quota is taken before the work (a wrapping key pair), so however slow the machine, the
            // two requests reach the bucket well inside the 4 s that one token covers.
            outcomes = await Task.WhenAll(
                Record.ExceptionAsync(() => client.GetParametersForImportAsync(request)),
                Record.ExceptionAsync(() => client.GetParametersForImportAsync(request)));
        });

        // GetParametersForImport: one every 4 s by default; the bucket holds that one.
        Assert.Single(outcomes, e => e is null);
        var throttled = Assert.IsType<AmazonKeyManagementServiceException>(Assert.Single(outcomes, e => e is not null), exactMatch: false);
        Assert.Equal("ThrottlingException", throttled.ErrorCode);
    }

    [Theory]
    [InlineData("--quotas", "CreatKey=5", "--quotas: 'CreatKey' is not a KMS operation")]
    [InlineData("--quotas", "CreateKey=fast", "--quotas: 'CreateKey=fast' is not Operation=rate")]
    [InlineData("--latency-ms", "-5", "--latency-ms must be")]
    [InlineData("--port", "70000", "--port must be")]
    [InlineData("--prot", "5", "Unrecognized command or argument '--prot'.")]
    [InlineData("--tracking-start-date", "27/04/2026", "--tracking-start-date: '27/04/2026' is not an ISO 8601 date")]
    public async Task Run_BadArgument_ExitsTwoNamingIt(string option, string value, string message)
    {
        var (exit, stdout, stderr) = await RunAsync([option, value]);

        Assert.Equal(2, exit);
        Assert.DoesNotContain("listening", stdout, StringComparison.Ordinal);
        Assert.Contains(message, stdout + stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_TrackingStartDate_IsTheTrackingStartOfOlderKeys()
    {
        GetKeyLastUsageResponse? usage = null;
        await RunAsync(["--port", "0", "--tracking-start-date", "2099-01-02"], async server =>
        {
            using var client = ClientFor(server.Url);
            var key = await client.CreateKeyAsync(new CreateKeyRequest());
            usage = await client.GetKeyLastUsageAsync(new GetKeyLastUsageRequest { KeyId = key.KeyMetadata.KeyId });
        });

        Assert.Equal(new DateTime(2099, 1, 2, 0, 0, 0, DateTimeKind.Utc), usage!.TrackingStartDate);
    }

    [Fact]
    public async Task Run_LatencyMs_DelaysEveryCall()
    {
        var elapsed = TimeSpan.Zero;
        await RunAsync(["--port", "0", "--latency-ms", "300"], async server =>
        {
            using var client = ClientFor(server.Url);
            var watch = Stopwatch.StartNew();
            await client.ListKeysAsync(new ListKeysRequest());
            elapsed = watch.Elapsed;
        });

        Assert.True(elapsed >= TimeSpan.FromMilliseconds(300), $"ListKeys answered after {elapsed.TotalMilliseconds} ms");
    }
}
