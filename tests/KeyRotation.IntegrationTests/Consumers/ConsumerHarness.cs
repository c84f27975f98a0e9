using Amazon.KeyManagementService.Model;
using KeyRotation.IntegrationTests.Cli;
using KeyRotation.LocalConsumers;
using KeyRotation.LocalConsumers.S3;

namespace KeyRotation.IntegrationTests.Consumers;

/// <summary>
/// The CLI in process against LocalKms and the consumer services' local endpoints (DynamoDB, SSM, EC2, each on 127.0.0.1),
/// which the real SDK clients reach through AWS_ENDPOINT_URL_&lt;SERVICE&gt; as they would on a developer's machine;
/// the alias app-data has three generations (two rotations). Disposed by the test: the endpoints stop.
/// </summary>
internal sealed class ConsumerHarness : IAsyncDisposable
{
    public const string Alias = "alias/app-data";

    private ConsumerHarness()
    {
        Cli.Environment["AWS_REGION"] = "us-east-1";
        Cli.Environment["AWS_ACCESS_KEY_ID"] = "AKIDOPERATOR";
        Cli.Environment["AWS_SECRET_ACCESS_KEY"] = "operator-secret";
        Cli.Environment["AWS_ENDPOINT_URL_DYNAMODB"] = DynamoDb.Url.ToString();
        Cli.Environment["AWS_ENDPOINT_URL_S3"] = S3.Url.ToString();
        Cli.Environment["AWS_ENDPOINT_URL_SSM"] = Ssm.Url.ToString();
        Cli.Environment["AWS_ENDPOINT_URL_EC2"] = Ec2.Url.ToString();
    }

    public CliHarness Cli { get; } = new();

    public LocalDynamoDb DynamoDb { get; } = new();

    /// <summary>S3 (path-style, AWS_ENDPOINT_URL_S3): bucket default encryption is scanned on every run.</summary>
    public LocalS3Server S3 { get; } = new();
    public LocalSsm Ssm { get; } = new();

    public LocalEc2 Ec2 { get; } = new();

    /// <summary>Every request any consumer service was sent.</summary>
    public int ServiceRequests => DynamoDb.Requests.Count + Ssm.Requests.Count + Ec2.Requests.Count + S3.Calls.Count;

    /// <summary>The key ARNs of the alias's generations, oldest first: [0] generation 1 ... [^1] the current key.</summary>
    public IReadOnlyList<string> Generations { get; private set; } = [];

    public string Current => Generations[^1];

    public static async Task<ConsumerHarness> StartAsync()
    {
        var harness = new ConsumerHarness();
        await harness.Cli.CreateAliasAsync(Alias);
        var keys = new List<string> { await harness.ArnOfAsync(Alias) };
        for (var i = 0; i < 2; i++)
        {
            await harness.Cli.RotateAsync(Alias);
            keys.Add(await harness.ArnOfAsync(Alias));
        }

        harness.Generations = keys;
        return harness;
    }

    public async Task<string> ArnOfAsync(string keyIdOrAlias) => (await Cli.Kms.DescribeKeyAsync(new DescribeKeyRequest { KeyId = keyIdOrAlias })).KeyMetadata.Arn;

    public Task<CliRun> RunAsync(params string[] args) => Cli.RunAsync(args);

    /// <summary>Runs the CLI with a token the test cancels, as Ctrl-C or a killed process stops a run part-way.</summary>
    public async Task<CliRun> RunAsync(CancellationToken cancellation, params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var host = new KeyRotation.Cli.CliHost { Time = Cli.Time, KmsClient = () => Cli.Kms };
        var exit = await KeyRotation.Cli.CliApp.RunAsync(args, stdout, stderr, Cli.Environment, host, cancellation);
        return new CliRun(exit, stdout.ToString(), stderr.ToString());
    }

    public async ValueTask DisposeAsync()
    {
        await DynamoDb.DisposeAsync();
        await S3.DisposeAsync();
        await Ssm.DisposeAsync();
        await Ec2.DisposeAsync();
        Cli.Kms.Dispose();
    }
}
