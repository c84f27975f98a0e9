using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;

namespace KeyRotation.LocalKms.Tests;

/// <summary>Several Regions in one LocalKms: each has its own keys and aliases, and a request is served in the Region it is signed for.</summary>
public sealed class RegionRoutingTests : TwoRegionTests
{
    [Fact]
    public async Task Regions_KeysAndAliases_AreSeparate()
    {
        var key = (await East.CreateKeyAsync(new CreateKeyRequest())).KeyMetadata;
        await East.CreateAliasAsync(new CreateAliasRequest { AliasName = "alias/app", TargetKeyId = key.KeyId });

        var westKeys = await West.ListKeysAsync(new ListKeysRequest());

        Assert.Empty(westKeys.Keys);
        await Assert.ThrowsAsync<NotFoundException>(() => DescribeAsync(West, "alias/app"));
        await Assert.ThrowsAsync<NotFoundException>(() => DescribeAsync(West, key.KeyId));
    }

    [Fact]
    public async Task CreateAlias_SameNameInEachRegion_EachPointsAtItsRegionsKey()
    {
        var primary = await CreatePrimaryAsync();
        var replica = (await ReplicateAsync(primary.KeyId)).ReplicaKeyMetadata;
        await East.CreateAliasAsync(new CreateAliasRequest { AliasName = "alias/dr", TargetKeyId = primary.KeyId });
        await West.CreateAliasAsync(new CreateAliasRequest { AliasName = "alias/dr", TargetKeyId = primary.KeyId });

        var west = (await West.ListAliasesAsync(new ListAliasesRequest())).Aliases.Single();

        Assert.Equal($"arn:aws:kms:{Second}:111122223333:alias/dr", west.AliasArn);
        Assert.Equal(replica.Arn, (await DescribeAsync(West, "alias/dr")).Arn);
        Assert.Equal(primary.Arn, (await DescribeAsync(East, "alias/dr")).Arn);
    }

    [Fact]
    public async Task GetKeySnapshot_OtherRegion_SeesReplica()
    {
        var primary = await CreatePrimaryAsync();
        await ReplicateAsync(primary.KeyId);

        var snapshot = Kms.Service.GetKeySnapshot(primary.KeyId, Second);

        Assert.Equal($"arn:aws:kms:{Second}:111122223333:key/{primary.KeyId}", snapshot!.Arn);
        Assert.Null(Kms.Service.GetKeySnapshot(primary.KeyId, "ap-south-1"));
    }

    [Fact]
    public async Task RecordedRequests_TwoRegions_NameTheRegionEachWasServedIn()
    {
        var primary = await CreatePrimaryAsync();
        await ReplicateAsync(primary.KeyId);
        Kms.Service.ClearRecordedRequests();

        await DescribeAsync(West, primary.KeyId);
        await DescribeAsync(East, primary.KeyId);

        Assert.Equal([Second, Primary], Kms.Service.RecordedRequests.Select(r => r.Region));
    }

    [Fact]
    public void GetKeySnapshot_MalformedRegion_ThrowsArgument() =>
        Assert.Throws<ArgumentException>(() => Kms.Service.GetKeySnapshot("mrk-1", "moon"));

    [Fact]
    public async Task StartRegionOutage_OneRegion_ItFailsWhileOthersWorkUntilEnded()
    {
        var primary = await CreatePrimaryAsync();
        Kms.Service.StartRegionOutage(Second);

        var ex = await Assert.ThrowsAsync<KMSInternalException>(() => West.ListKeysAsync(new ListKeysRequest()));
        var east = await DescribeAsync(East, primary.KeyId);
        Kms.Service.EndRegionOutage(Second);

        Assert.Contains(Second, ex.Message, StringComparison.Ordinal);
        Assert.Equal(KeyState.Enabled, east.KeyState);
        Assert.Empty((await West.ListKeysAsync(new ListKeysRequest())).Keys);
    }

    [Fact]
    public async Task ReplicateKey_IntoRegionInOutage_FailsAndCreatesNoReplica()
    {
        var primary = await CreatePrimaryAsync();
        Kms.Service.StartRegionOutage(Second);

        await Assert.ThrowsAsync<KMSInternalException>(() => ReplicateAsync(primary.KeyId));

        Assert.Empty((await DescribeAsync(East, primary.KeyId)).MultiRegionConfiguration.ReplicaKeys);
    }

    [Fact]
    public async Task Request_SignedForMalformedRegion_ThrowsValidation()
    {
        using var client = Kms.Service.CreateClient("moon", c => c.MaxErrorRetry = 0);

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
