using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;

namespace KeyRotation.LocalKms.Tests;

/// <summary>One LocalKms seen from two Regions: a client signed for us-east-1 and one for eu-west-1 (no retries).</summary>
public abstract class TwoRegionTests : IDisposable
{
    protected const string Primary = "us-east-1";
    protected const string Second = "eu-west-1";

    protected TwoRegionTests()
    {
        Kms = new LocalKmsHarness();
        East = Kms.Client;
        West = Kms.Service.CreateClient(Second, c => c.MaxErrorRetry = 0);
    }

    private protected LocalKmsHarness Kms { get; }

    protected AmazonKeyManagementServiceClient East { get; }

    protected AmazonKeyManagementServiceClient West { get; }

    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
        if (disposing)
        {
            West.Dispose();
            Kms.Dispose();
        }
    }

    protected static async Task<KeyMetadata> DescribeAsync(AmazonKeyManagementServiceClient client, string keyId) =>
        (await client.DescribeKeyAsync(new DescribeKeyRequest { KeyId = keyId })).KeyMetadata;

    protected async Task<KeyMetadata> CreatePrimaryAsync() =>
        (await East.CreateKeyAsync(new CreateKeyRequest { MultiRegion = true, Description = "primary" })).KeyMetadata;

    protected Task<ReplicateKeyResponse> ReplicateAsync(string keyId, string region = Second) =>
        East.ReplicateKeyAsync(new ReplicateKeyRequest { KeyId = keyId, ReplicaRegion = region });
}
