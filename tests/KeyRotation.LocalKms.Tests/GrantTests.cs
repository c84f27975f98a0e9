using System.Net.Http.Headers;
using System.Text;
using Amazon.KeyManagementService;
using Amazon.KeyManagementService.Model;

namespace KeyRotation.LocalKms.Tests;

public sealed class GrantTests : IDisposable
{
    private readonly LocalKmsHarness _kms = new();

    public void Dispose() => _kms.Dispose();

    [Fact]
    public async Task ListGrants_KeyWithoutGrants_AnswersTheApiShape()
    {
        var key = await _kms.CreateKeyAsync();

        var response = await _kms.Service.HandleAsync("TrentService.ListGrants", $$"""{"KeyId":"{{key.KeyId}}"}""");

        Assert.Equal(200, response.StatusCode);
        Assert.Equal("""{"Grants":[],"Truncated":false}""", response.Body);
    }

    [Fact]
    public async Task ListGrants_ThreeGrantsPagedByOne_PaginatorReadsThemAll()
    {
        var key = await _kms.CreateKeyAsync();
        var ids = new[] { "a", "b", "c" }.Select(n => _kms.Service.AddGrant(key.KeyId, $"arn:aws:iam::111122223333:role/{n}", ["Decrypt"], name: n)).ToList();

        var listed = new List<GrantListEntry>();
        await foreach (var grant in _kms.Client.Paginators.ListGrants(new ListGrantsRequest { KeyId = key.Arn, Limit = 1 }).Grants)
        {
            listed.Add(grant);
        }

        Assert.Equal(ids, listed.Select(g => g.GrantId));
        var first = listed[0];
        Assert.Equal((key.Arn, "a", "arn:aws:iam::111122223333:role/a", "arn:aws:iam::111122223333:root"), (first.KeyId, first.Name, first.GranteePrincipal, first.IssuingAccount));
        Assert.Equal(["Decrypt"], first.Operations);
        Assert.Equal(_kms.Time.GetUtcNow().UtcDateTime, first.CreationDate?.ToUniversalTime());
    }

    [Fact]
    public async Task ListGrants_Constraints_AnsweredAsEncryptionContextSubset()
    {
        var key = await _kms.CreateKeyAsync();
        _kms.Service.AddGrant(key.KeyId, "arn:aws:iam::111122223333:role/app", ["Encrypt"], encryptionContextSubset: new Dictionary<string, string> { ["app"] = "orders" });

        var grant = (await _kms.Client.ListGrantsAsync(new ListGrantsRequest { KeyId = key.KeyId })).Grants.Single();

        Assert.Equal("orders", grant.Constraints.EncryptionContextSubset["app"]);
    }

    [Fact]
    public async Task ListGrants_FilterByGrantIdAndGrantee_ReturnsOnlyMatches()
    {
        var key = await _kms.CreateKeyAsync();
        var wanted = _kms.Service.AddGrant(key.KeyId, "arn:aws:iam::111122223333:role/a", ["Decrypt"]);
        _kms.Service.AddGrant(key.KeyId, "arn:aws:iam::111122223333:role/b", ["Decrypt"]);

        var byId = await _kms.Client.ListGrantsAsync(new ListGrantsRequest { KeyId = key.KeyId, GrantId = wanted });
        var byGrantee = await _kms.Client.ListGrantsAsync(new ListGrantsRequest { KeyId = key.KeyId, GranteePrincipal = "arn:aws:iam::111122223333:role/a" });

        Assert.Equal(wanted, byId.Grants.Single().GrantId);
        Assert.Equal(wanted, byGrantee.Grants.Single().GrantId);
    }

    [Fact]
    public async Task ListGrants_Alias_RefusedAsNotFound()
    {
        await _kms.CreateKeyWithAliasAsync("alias/app");

        await Assert.ThrowsAsync<NotFoundException>(() => _kms.Client.ListGrantsAsync(new ListGrantsRequest { KeyId = "alias/app" }));
    }

    [Fact]
    public async Task ListGrants_LimitOverHundred_ValidationError()
    {
        var key = await _kms.CreateKeyAsync();

        var error = await Assert.ThrowsAnyAsync<AmazonKeyManagementServiceException>(() => _kms.Client.ListGrantsAsync(new ListGrantsRequest { KeyId = key.KeyId, Limit = 101 }));

        Assert.Equal("ValidationException", error.ErrorCode);
    }

    [Fact]
    public async Task ListGrants_OverLoopback_AnswersAsKms()
    {
        var key = await _kms.CreateKeyAsync();
        _kms.Service.AddGrant(key.KeyId, "arn:aws:iam::111122223333:role/a", ["Decrypt"]);
        await using var server = LocalKmsServer.Start(_kms.Service);
        using var http = new HttpClient();
        using var content = new StringContent($$"""{"KeyId":"{{key.KeyId}}"}""", Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-amz-json-1.1");
        using var request = new HttpRequestMessage(HttpMethod.Post, server.Url) { Content = content };
        request.Headers.Add("X-Amz-Target", "TrentService.ListGrants");

        using var response = await http.SendAsync(request);

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Contains("\"Truncated\":false", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ListGrants_MultiRegionKey_EachRegionListsOnlyItsOwnGrants()
    {
        var key = await _kms.CreateKeyAsync(new CreateKeyRequest { MultiRegion = true });
        await _kms.Client.ReplicateKeyAsync(new ReplicateKeyRequest { KeyId = key.KeyId, ReplicaRegion = "eu-west-1" });
        var east = _kms.Service.AddGrant(key.KeyId, "arn:aws:iam::111122223333:role/east", ["Decrypt"]);
        var west = _kms.Service.AddGrant(key.KeyId, "arn:aws:iam::111122223333:role/west", ["Decrypt"], region: "eu-west-1");
        using var westClient = _kms.Service.CreateClient("eu-west-1", c => c.MaxErrorRetry = 0);

        var eastGrants = (await _kms.Client.ListGrantsAsync(new ListGrantsRequest { KeyId = key.KeyId })).Grants;
        var westGrants = (await westClient.ListGrantsAsync(new ListGrantsRequest { KeyId = key.KeyId })).Grants;

        Assert.Equal(east, eastGrants.Single().GrantId);
        Assert.Equal((west, $"arn:aws:kms:eu-west-1:111122223333:key/{key.KeyId}"), (westGrants.Single().GrantId, westGrants.Single().KeyId));
    }

    [Fact]
    public async Task ListGrants_ReplicaDeletedAndReplicatedAgain_OldGrantsAreGone()
    {
        var key = await _kms.CreateKeyAsync(new CreateKeyRequest { MultiRegion = true });
        await _kms.Client.ReplicateKeyAsync(new ReplicateKeyRequest { KeyId = key.KeyId, ReplicaRegion = "eu-west-1" });
        _kms.Service.AddGrant(key.KeyId, "arn:aws:iam::111122223333:role/west", ["Decrypt"], region: "eu-west-1");
        using var westClient = _kms.Service.CreateClient("eu-west-1", c => c.MaxErrorRetry = 0);
        await westClient.ScheduleKeyDeletionAsync(new ScheduleKeyDeletionRequest { KeyId = key.KeyId, PendingWindowInDays = 7 });
        _kms.Time.Advance(TimeSpan.FromDays(8));
        await _kms.Client.ReplicateKeyAsync(new ReplicateKeyRequest { KeyId = key.KeyId, ReplicaRegion = "eu-west-1" });

        var grants = (await westClient.ListGrantsAsync(new ListGrantsRequest { KeyId = key.KeyId })).Grants;

        Assert.Empty(grants);
    }

    [Fact]
    public async Task AddGrant_RegionNotNamedLikeARegion_ThrowsArgumentException()
    {
        var key = await _kms.CreateKeyAsync();

        var error = Assert.Throws<ArgumentException>(() => _kms.Service.AddGrant(key.KeyId, "arn:aws:iam::111122223333:role/a", ["Decrypt"], region: "Europe"));

        Assert.Contains("'Europe'", error.Message, StringComparison.Ordinal);
    }
}
