using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;

namespace KeyRotation.LocalKms.Tests;

/// <summary>Several Regions in one LocalKms: each has its own keys and aliases, and a request is served in the Region it is signed for.</summary>
public sealed class RegionRoutingTests : IDisposable
{
    private const string Primary = "us-east-1";
    private const string Second = "eu-west-1";

    private readonly LocalKmsHarness _kms = new();
    private readonly AmazonKeyManagementServiceClient _east;
    private readonly AmazonKeyManagementServiceClient _west;

    public RegionRoutingTests()
    {
        _east = _kms.Client;
        _west = _kms.Service.CreateClient(Second, c => c.MaxErrorRetry = 0);
    }

    public void Dispose()
    {
        _west.Dispose();
        _kms.Dispose();
    }

    private async Task<KeyMetadata> CreatePrimaryAsync() =>
        (await _east.CreateKeyAsync(new CreateKeyRequest { MultiRegion = true, Description = "primary" })).KeyMetadata;

    private Task<ReplicateKeyResponse> ReplicateAsync(string keyId, string region = Second) =>
        _east.ReplicateKeyAsync(new ReplicateKeyRequest { KeyId = keyId, ReplicaRegion = region });

    private static async Task<KeyMetadata> DescribeAsync(AmazonKeyManagementServiceClient client, string keyId) =>
        (await client.DescribeKeyAsync(new DescribeKeyRequest { KeyId = keyId })).KeyMetadata;

    [Fact]
    public async Task Regions_KeysAndAliases_AreSeparate()
    {
        var key = (await _east.CreateKeyAsync(new CreateKeyRequest())).KeyMetadata;
        await _east.CreateAliasAsync(new CreateAliasRequest { AliasName = "alias/app", TargetKeyId = key.KeyId });

        var westKeys = await _west.ListKeysAsync(new ListKeysRequest());

        Assert.Empty(westKeys.Keys);
        await Assert.ThrowsAsync<NotFoundException>(() => DescribeAsync(_west, "alias/app"));
        await Assert.ThrowsAsync<NotFoundException>(() => DescribeAsync(_west, key.KeyId));
    }

    [Fact]
    public async Task CreateAlias_SameNameInEachRegion_EachPointsAtItsRegionsKey()
    {
        var primary = await CreatePrimaryAsync();
        var replica = (await ReplicateAsync(primary.KeyId)).ReplicaKeyMetadata;
        await _east.CreateAliasAsync(new CreateAliasRequest { AliasName = "alias/dr", TargetKeyId = primary.KeyId });
        await _west.CreateAliasAsync(new CreateAliasRequest { AliasName = "alias/dr", TargetKeyId = primary.KeyId });

        var west = (await _west.ListAliasesAsync(new ListAliasesRequest())).Aliases.Single();

        Assert.Equal($"arn:aws:kms:{Second}:111122223333:alias/dr", west.AliasArn);
        Assert.Equal(replica.Arn, (await DescribeAsync(_west, "alias/dr")).Arn);
        Assert.Equal(primary.Arn, (await DescribeAsync(_east, "alias/dr")).Arn);
    }

    [Fact]
    public async Task GetKeySnapshot_OtherRegion_SeesReplica()
    {
        var primary = await CreatePrimaryAsync();
        await ReplicateAsync(primary.KeyId);

        var snapshot = _kms.Service.GetKeySnapshot(primary.KeyId, Second);

        Assert.Equal($"arn:aws:kms:{Second}:111122223333:key/{primary.KeyId}", snapshot!.Arn);
        Assert.Null(_kms.Service.GetKeySnapshot(primary.KeyId, "ap-south-1"));
    }

    [Fact]
    public async Task RecordedRequests_TwoRegions_NameTheRegionEachWasServedIn()
    {
        var primary = await CreatePrimaryAsync();
        await ReplicateAsync(primary.KeyId);
        _kms.Service.ClearRecordedRequests();

        await DescribeAsync(_west, primary.KeyId);
        await DescribeAsync(_east, primary.KeyId);

        Assert.Equal([Second, Primary], _kms.Service.RecordedRequests.Select(r => r.Region));
    }

    [Fact]
    public void GetKeySnapshot_MalformedRegion_ThrowsArgument() =>
        Assert.Throws<ArgumentException>(() => _kms.Service.GetKeySnapshot("mrk-1", "moon"));

    [Fact]
    public async Task StartRegionOutage_OneRegion_ItFailsWhileOthersWorkUntilEnded()
    {
        var primary = await CreatePrimaryAsync();
        _kms.Service.StartRegionOutage(Second);

        var ex = await Assert.ThrowsAsync<KMSInternalException>(() => _west.ListKeysAsync(new ListKeysRequest()));
        var east = await DescribeAsync(_east, primary.KeyId);
        _kms.Service.EndRegionOutage(Second);

        Assert.Contains(Second, ex.Message, StringComparison.Ordinal);
        Assert.Equal(KeyState.Enabled, east.KeyState);
        Assert.Empty((await _west.ListKeysAsync(new ListKeysRequest())).Keys);
    }

    [Fact]
    public async Task ReplicateKey_IntoRegionInOutage_FailsAndCreatesNoReplica()
    {
        var primary = await CreatePrimaryAsync();
        _kms.Service.StartRegionOutage(Second);

        await Assert.ThrowsAsync<KMSInternalException>(() => ReplicateAsync(primary.KeyId));

        Assert.Empty((await DescribeAsync(_east, primary.KeyId)).MultiRegionConfiguration.ReplicaKeys);
    }

    [Fact]
    public async Task Request_SignedForMalformedRegion_ThrowsValidation()
    {
        using var client = _kms.Service.CreateClient("moon", c => c.MaxErrorRetry = 0);

        var ex = await Assert.ThrowsAsync<AmazonKeyManagementServiceException>(() => client.ListKeysAsync(new ListKeysRequest()));

        Assert.Equal("ValidationException", ex.ErrorCode);
    }

    [Theory]
    [InlineData("AWS4-HMAC-SHA256 Credential=AKID/20250101/eu-west-1/kms/aws4_request, SignedHeaders=host, Signature=abc", "eu-west-1")]
    [InlineData("AWS4-HMAC-SHA256 Credential=AKID/20250101/us-gov-west-1/kms/aws4_request", "us-gov-west-1")]
    [InlineData("Bearer token", null)]
    [InlineData(null, null)]
    public void RegionOf_AuthorizationHeader_ReturnsCredentialScopeRegion(string? header, string? expected) =>
        Assert.Equal(expected, SigV4.RegionOf(header));
}
