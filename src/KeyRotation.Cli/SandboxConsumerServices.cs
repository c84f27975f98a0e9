using KeyRotation.LocalConsumers;
using KeyRotation.LocalConsumers.S3;

namespace KeyRotation.Cli;

/// <summary>
/// The sandbox's S3, DynamoDB, SSM and EC2: the local endpoints the consumer tests use, each on a free port of
/// 127.0.0.1 for one command, holding the resources of a <see cref="SandboxConsumerState"/>. The real SDK clients reach
/// them through the endpoint variables of <see cref="Environment"/>, as they reach any endpoint set with
/// AWS_ENDPOINT_URL_&lt;SERVICE&gt;. Disposing stops all four.
/// </summary>
internal sealed class SandboxConsumerServices : IAsyncDisposable
{
    private SandboxConsumerServices(LocalS3Server s3, LocalDynamoDb dynamoDb, LocalSsm ssm, LocalEc2 ec2)
    {
        S3 = s3;
        DynamoDb = dynamoDb;
        Ssm = ssm;
        Ec2 = ec2;
    }

    /// <summary>Starts the four endpoints for <paramref name="region"/> and <paramref name="account"/>.</summary>
    public static Task<SandboxConsumerServices> StartAsync(string region, string account) => StartAsync(
        () => new LocalS3Server(),
        () => new LocalDynamoDb(region, account),
        () => new LocalSsm { Region = region, Account = account },
        () => new LocalEc2 { Account = account });

    /// <summary>
    /// Starts the endpoints one after the other; when one cannot start (its port taken, say), the ones already listening
    /// are stopped before the error goes on, so a failed start leaves no listener behind on 127.0.0.1.
    /// </summary>
    internal static async Task<SandboxConsumerServices> StartAsync(Func<LocalS3Server> s3, Func<LocalDynamoDb> dynamoDb, Func<LocalSsm> ssm, Func<LocalEc2> ec2)
    {
        var started = new Stack<IAsyncDisposable>();
        T Started<T>(Func<T> start)
            where T : IAsyncDisposable
        {
            var endpoint = start();
            started.Push(endpoint);
            return endpoint;
        }

        try
        {
            return new SandboxConsumerServices(Started(s3), Started(dynamoDb), Started(ssm), Started(ec2));
        }
        catch
        {
            while (started.TryPop(out var endpoint))
            {
                await endpoint.DisposeAsync();
            }

            throw;
        }
    }

    public LocalS3Server S3 { get; }

    public LocalDynamoDb DynamoDb { get; }

    public LocalSsm Ssm { get; }

    public LocalEc2 Ec2 { get; }

    /// <summary>
    /// The endpoint variables for <see cref="Integrations.Consumers.ConsumerClients.Create"/>, and nothing else: none of
    /// the operator's own settings, so no request of the sandbox can reach AWS.
    /// </summary>
    public IReadOnlyDictionary<string, string> Environment => new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["AWS_ENDPOINT_URL_S3"] = S3.Url.ToString(),
        ["AWS_ENDPOINT_URL_DYNAMODB"] = DynamoDb.Url.ToString(),
        ["AWS_ENDPOINT_URL_SSM"] = Ssm.Url.ToString(),
        ["AWS_ENDPOINT_URL_EC2"] = Ec2.Url.ToString(),
    };

    /// <summary>The four endpoints, for the note on stderr.</summary>
    public string Describe() => $"S3 {S3.Url}, DynamoDB {DynamoDb.Url}, SSM {Ssm.Url}, EC2 {Ec2.Url}";

    /// <summary>Replaces the services' resources with <paramref name="state"/>'s.</summary>
    /// <exception cref="FormatException">The state holds what an endpoint cannot take; the message says what.</exception>
    public void Import(SandboxConsumerState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        try
        {
            S3.ImportResources(state.S3);
            DynamoDb.ImportTables(state.DynamoDb);
            Ssm.ImportParameters(state.Ssm);
            Ec2.ImportResources(state.Ec2);
        }
        catch (ArgumentException ex)
        {
            throw new FormatException(ex.Message, ex);
        }
    }

    public SandboxConsumerState Export() =>
        new(SandboxConsumerState.CurrentVersion, S3.ExportResources(), DynamoDb.ExportTables(), Ssm.ExportParameters(), Ec2.ExportResources());

    public async ValueTask DisposeAsync()
    {
        await S3.DisposeAsync();
        await DynamoDb.DisposeAsync();
        await Ssm.DisposeAsync();
        await Ec2.DisposeAsync();
    }
}
