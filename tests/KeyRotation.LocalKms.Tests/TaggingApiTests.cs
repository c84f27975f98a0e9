using System.Text.Json;
using Amazon.KeyManagementService.Model;

namespace KeyRotation.LocalKms.Tests;

/// <summary>Resource Groups Tagging GetResources over this service's keys: every TagFilter must match, Values OR'ed.</summary>
public sealed class TaggingApiTests
{
    private const string Target = "ResourceGroupsTaggingAPI_20170126.GetResources";

    [Fact]
    public async Task GetResources_SeveralTagFilters_ReturnsOnlyKeysMatchingEveryOne()
    {
        using var kms = new LocalKmsHarness();
        var both = await KeyAsync(kms, ("app", "orders"), ("move", "3"));
        await KeyAsync(kms, ("app", "orders"), ("move", "4"));
        await KeyAsync(kms, ("app", "billing"), ("move", "3"));

        var answer = await GetResourcesAsync(kms, """{"ResourceTypeFilters":["kms:key"],"TagFilters":[{"Key":"app","Values":["orders"]},{"Key":"move","Values":["3"]}]}""");

        Assert.Equal([both.Arn], Arns(answer));
        Assert.Equal(string.Empty, answer.GetProperty("PaginationToken").GetString());
        var tags = answer.GetProperty("ResourceTagMappingList")[0].GetProperty("Tags").EnumerateArray().Select(t => (t.GetProperty("Key").GetString(), t.GetProperty("Value").GetString()));
        Assert.Equal([("app", "orders"), ("move", "3")], tags);
    }

    [Fact]
    public async Task GetResources_FilterWithSeveralValues_MatchesAnyOfThem()
    {
        using var kms = new LocalKmsHarness();
        var orders = await KeyAsync(kms, ("app", "orders"));
        var billing = await KeyAsync(kms, ("app", "billing"));
        await KeyAsync(kms, ("app", "reports"));
        var keyOnly = await KeyAsync(kms, ("app", "anything"));

        var anyOf = await GetResourcesAsync(kms, """{"TagFilters":[{"Key":"app","Values":["orders","billing"]}]}""");
        var anyValue = await GetResourcesAsync(kms, """{"TagFilters":[{"Key":"app"}]}""");

        Assert.Equal(new[] { orders.Arn, billing.Arn }.Order(StringComparer.Ordinal), Arns(anyOf).Order(StringComparer.Ordinal));
        Assert.Equal(4, Arns(anyValue).Count);
        Assert.Contains(keyOnly.Arn, Arns(anyValue));
    }

    [Fact]
    public async Task GetResources_OtherResourceType_ReturnsNothing()
    {
        using var kms = new LocalKmsHarness();
        await KeyAsync(kms, ("app", "orders"));

        var answer = await GetResourcesAsync(kms, """{"ResourceTypeFilters":["s3:bucket"],"TagFilters":[{"Key":"app","Values":["orders"]}]}""");

        Assert.Empty(Arns(answer));
    }

    [Fact]
    public async Task GetResources_MoreMatchesThanResourcesPerPage_PagesUntilTheTokenIsEmpty()
    {
        using var kms = new LocalKmsHarness();
        var keys = new[] { await KeyAsync(kms, ("app", "orders")), await KeyAsync(kms, ("app", "orders")), await KeyAsync(kms, ("app", "orders")) };

        var first = await GetResourcesAsync(kms, """{"ResourcesPerPage":2,"TagFilters":[{"Key":"app","Values":["orders"]}]}""");
        var token = first.GetProperty("PaginationToken").GetString();
        var second = await GetResourcesAsync(kms, $$"""{"ResourcesPerPage":2,"PaginationToken":"{{token}}","TagFilters":[{"Key":"app","Values":["orders"]}]}""");

        Assert.NotEqual(string.Empty, token);
        Assert.Equal(keys.Select(k => k.Arn).Order(StringComparer.Ordinal), Arns(first).Concat(Arns(second)).Order(StringComparer.Ordinal));
        Assert.Equal(string.Empty, second.GetProperty("PaginationToken").GetString());
    }

    [Fact]
    public async Task GetResources_TagFilterWithoutKey_AnswersInvalidParameter()
    {
        using var kms = new LocalKmsHarness();

        var response = await kms.Service.HandleAsync(Target, """{"TagFilters":[{"Values":["orders"]}]}""");

        Assert.Equal(400, response.StatusCode);
        Assert.Equal("InvalidParameterException", JsonDocument.Parse(response.Body).RootElement.GetProperty("__type").GetString());
    }

    [Fact]
    public async Task GetResources_Answered_IsRecordedApartFromKmsOperations()
    {
        using var kms = new LocalKmsHarness();

        await GetResourcesAsync(kms, "{}");

        Assert.Equal(LocalKmsService.TaggingGetResources, Assert.Single(kms.Service.RecordedRequests).Operation);
    }

    private static async Task<KeyMetadata> KeyAsync(LocalKmsHarness kms, params (string Key, string Value)[] tags) =>
        await kms.CreateKeyAsync(new CreateKeyRequest { Tags = [.. tags.Select(t => new Tag { TagKey = t.Key, TagValue = t.Value })] });

    private static async Task<JsonElement> GetResourcesAsync(LocalKmsHarness kms, string body)
    {
        var response = await kms.Service.HandleAsync(Target, body);
        Assert.Equal(200, response.StatusCode);
        return JsonDocument.Parse(response.Body).RootElement.Clone();
    }

    private static List<string> Arns(JsonElement answer) =>
        [.. answer.GetProperty("ResourceTagMappingList").EnumerateArray().Select(m => m.GetProperty("ResourceARN").GetString()!)];
}
