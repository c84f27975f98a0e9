using Amazon;
using Amazon.DynamoDBv2;
using Amazon.EC2;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.SimpleSystemsManagement;
using KeyRotation.Integrations.Clients;

namespace KeyRotation.Integrations.Consumers;

/// <summary>
/// The SDK clients the consumer sources and migrators call, for one account and Region, with the operator's
/// credentials (never the rotation role's). A service's endpoint setting (AWS_ENDPOINT_URL_DYNAMODB, _SSM, _EC2, _S3, then
/// AWS_ENDPOINT_URL) is used as its ServiceURL, signed for the Region (S3 then addressed path-style, as local endpoints
/// need); otherwise the Region's own endpoint.
/// </summary>
public sealed class ConsumerClients : IDisposable
{
    public ConsumerClients(IAmazonDynamoDB dynamoDb, IAmazonSimpleSystemsManagement ssm, IAmazonEC2 ec2, IAmazonS3 s3, string region)
    {
        DynamoDb = dynamoDb;
        Ssm = ssm;
        Ec2 = ec2;
        S3 = s3;
        Region = region;
    }

    /// <summary>The Region the clients are in (S3's bucket listing asks for this Region's buckets).</summary>
    public string Region { get; }

    public IAmazonS3 S3 { get; }

    public IAmazonDynamoDB DynamoDb { get; }

    public IAmazonSimpleSystemsManagement Ssm { get; }

    public IAmazonEC2 Ec2 { get; }

    /// <summary>Clients for <paramref name="region"/>; a malformed endpoint variable is an <see cref="ArgumentException"/> naming it.</summary>
    public static ConsumerClients Create(AWSCredentials credentials, string region, IReadOnlyDictionary<string, string> environment)
    {
        ArgumentNullException.ThrowIfNull(credentials);
        ArgumentException.ThrowIfNullOrWhiteSpace(region);
        ArgumentNullException.ThrowIfNull(environment);
        return new ConsumerClients(
            new AmazonDynamoDBClient(credentials, Place(new AmazonDynamoDBConfig(), environment, "DynamoDB", region)),
            new AmazonSimpleSystemsManagementClient(credentials, Place(new AmazonSimpleSystemsManagementConfig(), environment, "SSM", region)),
            new AmazonEC2Client(credentials, Place(new AmazonEC2Config(), environment, "EC2", region)),
            new AmazonS3Client(credentials, PlaceS3(environment, region)),
            region);
    }

    public void Dispose()
    {
        DynamoDb.Dispose();
        Ssm.Dispose();
        Ec2.Dispose();
        S3.Dispose();
    }

    private static AmazonS3Config PlaceS3(IReadOnlyDictionary<string, string> environment, string region)
    {
        var config = Place(new AmazonS3Config(), environment, "S3", region);
        config.ForcePathStyle = config.ServiceURL is not null;
        return config;
    }

    /// <summary>Standard retries (throttling that pacing did not prevent), and the endpoint of the service's setting or the Region.</summary>
    private static T Place<T>(T config, IReadOnlyDictionary<string, string> environment, string serviceId, string region)
        where T : ClientConfig
    {
        config.RetryMode = RequestRetryMode.Standard;
        config.MaxErrorRetry = 5;
        config.ConnectTimeout = TimeSpan.FromSeconds(3);
        if (AwsEndpoints.Resolve(environment, serviceId) is { } endpoint)
        {
            config.ServiceURL = endpoint.ToString();
            config.AuthenticationRegion = region;
        }
        else
        {
            config.RegionEndpoint = RegionEndpoint.GetBySystemName(region);
        }

        return config;
    }
}
